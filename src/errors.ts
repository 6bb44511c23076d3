/**
 * Exit codes, the CLI's contract (`--help` prints EXIT_CODES_HELP; docs/reference.md has the same table),
 * and ToolError, the one way the edges (reading, writing, staging) report an expected failure.
 * The pure cores never see either: they return a Plan (src/plan.ts), mapped here by exitCodeFor.
 */
import type { Plan } from './plan.js';

export const ExitCode = {
  Ok: 0,
  Refused: 1,
  BadInput: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const MEANINGS: Record<ExitCode, string> = {
  0: 'done: patched, already patched, or nothing to change',
  1: 'refused: a target has a shape this tool will not patch, or a checkpoint it will not stage or load (the reason is printed)',
  2: 'bad input or usage: missing path, no VeRL in the folder, unreadable or malformed file',
};

export const EXIT_CODES_HELP = `Exit codes:\n${Object.entries(MEANINGS)
  .map(([code, meaning]) => `  ${code}  ${meaning}`)
  .join('\n')}`;

/**
 * An expected failure that the CLI reports as one line, `verl-critic-patch: FILE: REASON`,
 * with its exit code. Anything that is not a ToolError is a bug in this tool.
 */
export class ToolError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    readonly file: string | undefined,
    readonly reason: string,
  ) {
    super(file ? `${file}: ${reason}` : reason);
    this.name = 'ToolError';
  }
}

/** Bad input or usage (exit 2): missing, unreadable or malformed. */
export const badInput = (file: string | undefined, reason: string) => new ToolError(ExitCode.BadInput, file, reason);
/** Well-formed, but refused (exit 1): a trainer this tool will not patch, a critic it will not stage. */
export const refusal = (file: string | undefined, reason: string) => new ToolError(ExitCode.Refused, file, reason);

/** What a file's verdict means for the run's exit code; `unreadable` is a file that could not be read. */
export function exitCodeFor(status: Plan['status'] | 'unreadable'): ExitCode {
  if (status === 'refused') return ExitCode.Refused;
  if (status === 'malformed' || status === 'unreadable') return ExitCode.BadInput;
  return ExitCode.Ok;
}

/** The worst of several exit codes: 2 beats 1 beats 0. */
export function worstExitCode(codes: Iterable<ExitCode>): ExitCode {
  let worst: ExitCode = ExitCode.Ok;
  for (const code of codes) if (code > worst) worst = code;
  return worst;
}
