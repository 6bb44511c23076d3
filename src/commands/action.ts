/**
 * Running a verb: make its Printer from its options, run it, and turn its outcome into the exit
 * code. A ToolError is an expected failure (one line); anything else is a bug in this tool, still
 * reported on one line unless VERL_CRITIC_PATCH_DEBUG is set, because users must never be handed a
 * stack trace.
 */
import { ExitCode, ToolError } from '../errors.js';
import { Printer, type OutputOptions } from '../output/printer.js';

export async function runAction(options: OutputOptions, action: (out: Printer) => Promise<ExitCode> | ExitCode): Promise<void> {
  const out = new Printer(options);
  try {
    process.exitCode = await action(out);
  } catch (error) {
    process.exitCode = reportFailure(error, out);
  }
}

export function reportFailure(error: unknown, out: Printer): ExitCode {
  if (error instanceof ToolError) {
    out.fileError(error.file, error.reason);
    return error.exitCode;
  }
  if (process.env.VERL_CRITIC_PATCH_DEBUG && error instanceof Error) {
    process.stderr.write(`${error.stack ?? error.message}\n`);
  }
  const message = error instanceof Error ? error.message : String(error);
  out.error(`internal error: ${message.split('\n')[0]} (set VERL_CRITIC_PATCH_DEBUG=1 for details)`);
  return ExitCode.BadInput;
}
