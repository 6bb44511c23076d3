/**
 * Running a verb: make its Printer from its options, run it, and turn its outcome into the exit
 * code. A ToolError is an expected failure (one line, and under --json one JSON document too);
 * anything else is a bug in this tool, still reported on one line unless VERL_CRITIC_PATCH_DEBUG is
 * set, because users must never be handed a stack trace.
 */
import { ExitCode, ToolError } from '../errors.js';
import { Printer, type OutputOptions } from '../output/printer.js';
import { unwrittenOutput } from '../output/stdio.js';
import { TOOL_VERSION } from '../version.js';

export async function runAction(
  verb: string,
  options: OutputOptions & { json?: boolean },
  action: (out: Printer) => Promise<ExitCode> | ExitCode,
): Promise<void> {
  const out = new Printer(options);
  let synchronous = true;
  try {
    const outcome = action(out);
    synchronous = !(outcome instanceof Promise);
    process.exitCode = await outcome;
  } catch (error) {
    process.exitCode = reportFailure(error, out);
    if (options.json && error instanceof ToolError) out.json(failureReport(verb, error));
  }
  if (synchronous) exitOnceWritten();
}

/**
 * Exit now, with the exit code set, instead of letting Node.js tear its heap and environment down
 * first: ~2 ms of a `diff` of one trainer, a fifth of what the CLI adds to parsing it. Only after
 * an action that did all its work synchronously (the patch verbs), so that nothing it started is
 * still running, and only when stdout and stderr hold nothing unwritten (pipes are asynchronous
 * on macOS and Windows); else the process ends as usual.
 */
function exitOnceWritten(): void {
  if (unwrittenOutput() === 0) process.exit();
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

/** The JSON document of a run that stopped before it had anything to report: `| jq` still works. */
function failureReport(verb: string, error: ToolError) {
  return {
    tool: 'verl-critic-patch',
    version: TOOL_VERSION,
    command: verb,
    exitCode: error.exitCode,
    targets: [],
    problems: [{ path: error.file ?? null, reason: error.reason, exitCode: error.exitCode }],
  };
}
