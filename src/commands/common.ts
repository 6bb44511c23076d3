/**
 * What every verb shares: turning failures into one line plus an exit code, printing JSON, and
 * the terminal and CI conventions (`--quiet`, `--color`, `--format github`).
 */
import { Option, type Command } from 'commander';
import { ExitCode, ToolError } from '../errors.js';
import { diffPathFor } from '../io/paths.js';
import { COLOR_MODES, useColor, type ColorMode } from '../output/color.js';
import { annotation, type AnnotationLevel } from '../output/github.js';
import type { FileOutcome } from '../run.js';

export const EXIT_CODES_HELP = `Exit codes:
  0  done: patched, already patched, or nothing to change
  1  cannot be patched: a target has a shape this tool refuses (the reason is printed)
  2  bad input or usage: missing path, not a VeRL checkout, unreadable or malformed file`;

export const PROGRAM = 'verl-critic-patch';

export type OutputFormat = 'text' | 'github';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'github'];

/** Options every verb that reports on files takes. */
export interface OutputOptions {
  quiet?: boolean;
  color?: ColorMode;
  format?: OutputFormat;
}

interface OutputSettings {
  quiet: boolean;
  /** Colour what goes to stdout (a diff, check's status words). */
  color: boolean;
  format: OutputFormat;
}

/** Set once per run, before the verb's action (see `configureOutput`, called from src/cli.ts). */
const output: OutputSettings = { quiet: false, color: false, format: 'text' };

export function configureOutput(options: OutputOptions): void {
  output.quiet = Boolean(options.quiet);
  output.color = useColor(options.color ?? 'auto', process.stdout);
  output.format = options.format ?? 'text';
}

export function outputSettings(): Readonly<OutputSettings> {
  return output;
}

/**
 * One line on stderr, prefixed with the program name, e.g. `verl-critic-patch: a.py: reason`.
 * Errors print whatever `--quiet` says; with `--format github` they are workflow commands.
 */
export function printError(message: string): void {
  if (output.format === 'github') process.stderr.write(`${annotation('error', message, { title: PROGRAM })}\n`);
  else process.stderr.write(`${PROGRAM}: ${message}\n`);
}

/** A file that is refused or broken: `path:LINE: reason`, or an annotation on that file and line. */
export interface FileProblem {
  path: string; // as the user typed it
  diffPath: string; // relative to the git root: what GitHub needs to place an annotation
  line?: number;
  reason: string;
}

/**
 * The problem to print for a file: its own reason (refused or broken) unless told another, at its
 * line, or else at its first unguarded actor load.
 */
export function problemOf(file: FileOutcome, reason = file.reason ?? file.status): FileProblem {
  return { path: file.path, diffPath: file.diffPath, line: file.line ?? file.sites?.find((s) => !s.guarded)?.line, reason };
}

export function printProblem(problem: FileProblem, level: AnnotationLevel = 'error'): void {
  if (output.format === 'github') {
    process.stderr.write(`${annotation(level, problem.reason, { file: problem.diffPath, line: problem.line, title: PROGRAM })}\n`);
  } else {
    printError(`${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`);
  }
}

/** A GitHub notice on a file (`--format github` only; informational, so `--quiet` drops it). */
export function printNotice(problem: FileProblem): void {
  if (output.format === 'github' && !output.quiet) printProblem(problem, 'notice');
}

/** An informational line on stdout (`ok …`, `patched …`); `--quiet` drops it. */
export function info(line: string): void {
  if (!output.quiet) process.stdout.write(`${line}\n`);
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
    if (error.file && output.format === 'github') printProblem({ path: error.file, diffPath: diffPathFor(error.file), reason: error.reason });
    else printError(error.message);
    return error.exitCode;
  }
  if (process.env.VERL_CRITIC_PATCH_DEBUG && error instanceof Error) {
    process.stderr.write(`${error.stack ?? error.message}\n`);
  }
  const message = error instanceof Error ? error.message : String(error);
  printError(`internal error: ${message.split('\n')[0]} (set VERL_CRITIC_PATCH_DEBUG=1 for details)`);
  return ExitCode.BadInput;
}

/** `--quiet`, `--color` and `--format`, the same way on every verb that reports on files. */
export function addOutputOptions(command: Command): Command {
  return command
    .option('-q, --quiet', 'print only errors (no checkout lines, no ok/already-patched notes); exit codes are unchanged')
    .addOption(new Option('--color <when>', 'colour the diff: auto (on a terminal, unless NO_COLOR is set), always, never').choices(COLOR_MODES).default('auto'))
    .addOption(new Option('--format <format>', 'how to report problems: text, or github (GitHub Actions ::error annotations)').choices(OUTPUT_FORMATS).default('text'));
}

/** Registers `--json` the same way on every verb. */
export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print one JSON document on stdout instead of text');
}

/** Options every patch verb takes. */
export interface TargetOptions extends OutputOptions {
  json?: boolean;
  only?: string;
}

export function addTargetOptions(command: Command): Command {
  return addOutputOptions(
    addJsonOption(
      command
        .argument('<target...>', 'a trainer .py file, or a VeRL checkout directory')
        .option('--only <path>', 'in a checkout, act on this one file only (path relative to the checkout, or its tail)'),
    ),
  );
}

/** Human notes go to stderr so that stdout stays a clean diff or report; `--quiet` drops them. */
export function note(line: string): void {
  if (!output.quiet) process.stderr.write(`${line}\n`);
}
