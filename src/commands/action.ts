/**
 * Running a verb: make its Printer from its options, run it, and turn its outcome into the exit
 * code and, under --json, the run's one JSON document (the Printer writes it in its envelope once
 * the exit code is known, whatever the verb). A ToolError is an expected failure (one line, and
 * under --json the document's `error`); anything else is a bug in this tool, still reported on one
 * line unless VERL_CRITIC_PATCH_DEBUG is set, because users must never be handed a stack trace.
 */
import { ExitCode, ToolError } from '../errors.js';
import { jsonError, Printer, type JsonError, type OutputOptions } from '../output/printer.js';
import { unwrittenOutput } from '../output/stdio.js';

/** What a verb declares about itself to the runner. */
export interface VerbTraits {
  /**
   * It may parse Python or YAML with tree-sitter: the runner makes the parsers ready before the
   * action (the WebAssembly path starts asynchronously), so that no verb can parse before they are
   * and the action itself may stay synchronous. Verbs that never parse (inspect) leave it off and
   * do not pay for the native binding's load (~3 ms) or the WebAssembly start (~15 ms).
   */
  readsCode?: boolean;
}

export async function runAction(
  verb: string,
  options: OutputOptions & { json?: boolean },
  action: (out: Printer) => Promise<ExitCode> | ExitCode,
  traits: VerbTraits = {},
): Promise<void> {
  const out = new Printer(options);
  let synchronous = true;
  let exitCode: ExitCode;
  try {
    // A failure to make the parsers ready (VERL_CRITIC_PATCH_PARSER) is reported as the verb's own.
    // (Imported here, not above: inspect, which reads no code, does not load the module.)
    if (traits.readsCode) await (await import('../treeSitter.js')).prepareParsers();
    const outcome = action(out);
    synchronous = !(outcome instanceof Promise);
    exitCode = await outcome;
  } catch (error) {
    exitCode = reportFailure(error, out);
    if (options.json) out.json({ error: failureJson(error, exitCode) });
  }
  process.exitCode = exitCode;
  out.finish(verb, exitCode);
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
  out.error(`${internalError(error)} (set VERL_CRITIC_PATCH_DEBUG=1 for details)`);
  return ExitCode.BadInput;
}

/** A bug's one line: its message's first line. */
function internalError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `internal error: ${message.split('\n')[0]}`;
}

/** The JSON `error` of a run that stopped on `error` (reportFailure gave `exitCode`). */
function failureJson(error: unknown, exitCode: ExitCode): JsonError {
  if (error instanceof ToolError) return jsonError(exitCode, error.message, error.file ?? null);
  return { kind: 'internal', message: internalError(error), path: null };
}

/**
 * A command line commander refused (missing argument, unknown option, excess arguments, a bad
 * option value) that asked for --json: commander has printed its one line on stderr; this prints
 * the run's JSON document on stdout. `command`: the verb named, or null when there is none.
 */
export function reportUsageError(command: string | null, message: string): void {
  const out = new Printer();
  out.json({ error: { kind: 'usage', message: message.replace(/^error: /, ''), path: null } satisfies JsonError });
  out.finish(command, ExitCode.BadInput);
}
