/**
 * What every verb shares: turning failures into one line plus an exit code, and printing JSON.
 */
import type { Command } from 'commander';
import { ExitCode, ToolError } from '../errors.js';

export const EXIT_CODES_HELP = `Exit codes:
  0  done: patched, already patched, or nothing to change
  1  cannot be patched: a target has a shape this tool refuses (the reason is printed)
  2  bad input or usage: missing path, not a VeRL checkout, unreadable or malformed file`;

export const PROGRAM = 'verl-critic-patch';

/** One line on stderr, prefixed with the program name, e.g. `verl-critic-patch: a.py: reason`. */
export function printError(message: string): void {
  process.stderr.write(`${PROGRAM}: ${message}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Runs a verb's action and sets the exit code. A ToolError is an expected failure (one line);
 * anything else is a bug in this tool, still reported on one line unless
 * VERL_CRITIC_PATCH_DEBUG is set, because users must never be handed a stack trace.
 */
export async function runAction(action: () => Promise<ExitCode> | ExitCode): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    process.exitCode = reportFailure(error);
  }
}

export function reportFailure(error: unknown): ExitCode {
  if (error instanceof ToolError) {
    printError(error.message);
    return error.exitCode;
  }
  if (process.env.VERL_CRITIC_PATCH_DEBUG && error instanceof Error) {
    process.stderr.write(`${error.stack ?? error.message}\n`);
  }
  const message = error instanceof Error ? error.message : String(error);
  printError(`internal error: ${message.split('\n')[0]} (set VERL_CRITIC_PATCH_DEBUG=1 for details)`);
  return ExitCode.BadInput;
}

/** Registers `--json` the same way on every verb. */
export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print one JSON document on stdout instead of text');
}

/** Options every patch verb takes. */
export interface TargetOptions {
  json?: boolean;
  only?: string;
}

export function addTargetOptions(command: Command): Command {
  return addJsonOption(
    command
      .argument('<target...>', 'a trainer .py file, or a VeRL checkout directory')
      .option('--only <path>', 'in a checkout, act on this one file only (path relative to the checkout, or its tail)'),
  );
}

/** Human notes go to stderr so that stdout stays a clean diff or report. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}
