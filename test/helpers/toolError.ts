import { expect } from 'vitest';
import { ToolError } from '../../src/errors.js';

/** The ToolError a verb's promise rejects with (the test fails if it resolves or rejects otherwise). */
export async function toolError(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolError);
  return error as ToolError;
}
