/**
 * Exit codes are part of the CLI's contract (README, `--help`):
 *   0  done (patched, already patched, or nothing to do)
 *   1  cannot be patched: the file is well-formed but its shape is one we refuse
 *   2  bad input or usage: missing path, not a checkout, unreadable or malformed file
 */
export const ExitCode = {
  Ok: 0,
  CannotPatch: 1,
  BadInput: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

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

export const badInput = (file: string | undefined, reason: string) =>
  new ToolError(ExitCode.BadInput, file, reason);
export const cannotPatch = (file: string | undefined, reason: string) =>
  new ToolError(ExitCode.CannotPatch, file, reason);

/** The worst of several exit codes: 2 beats 1 beats 0. */
export function worstExitCode(codes: Iterable<ExitCode>): ExitCode {
  let worst: ExitCode = ExitCode.Ok;
  for (const code of codes) if (code > worst) worst = code;
  return worst;
}
