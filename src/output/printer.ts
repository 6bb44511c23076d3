/**
 * Where a verb's words go, and how: data on stdout (a diff, a report), notes and errors on stderr,
 * following the terminal and CI conventions the user asked for (`--quiet`, `--color`,
 * `--format github`). One Printer is made per run from the verb's options and handed to the verb.
 */
import { diffPathFor } from '../io/paths.js';
import { useColor, type ColorMode } from './color.js';
import { annotation, type AnnotationLevel } from './github.js';
import { standardOutput, type OutputStream } from './stdio.js';

export const PROGRAM = 'verl-critic-patch';

export type OutputFormat = 'text' | 'github';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'github'];

/** The options behind a Printer (verbs without them get the defaults). */
export interface OutputOptions {
  quiet?: boolean;
  color?: ColorMode;
  format?: OutputFormat;
}

/** A file that is refused or broken: `path:LINE: reason`, or an annotation on that file and line. */
export interface FileProblem {
  path: string; // as the user typed it
  diffPath: string; // relative to the git root: what GitHub needs to place an annotation
  line?: number;
  reason: string;
}

export class Printer {
  readonly quiet: boolean;
  /** Colour what goes to stdout (a diff, check's status words). */
  readonly color: boolean;
  readonly format: OutputFormat;

  constructor(
    options: OutputOptions = {},
    private readonly stdout: OutputStream = standardOutput(1),
    private readonly stderr: OutputStream = standardOutput(2),
  ) {
    this.quiet = Boolean(options.quiet);
    this.color = useColor(options.color ?? 'auto', stdout);
    this.format = options.format ?? 'text';
  }

  /** Data on stdout, as it is (a diff, a table): what the verb is for, so `--quiet` keeps it. */
  data(text: string): void {
    this.stdout.write(text);
  }

  /** An informational line on stdout (`ok …`, `patched …`); `--quiet` drops it. */
  info(line: string): void {
    if (!this.quiet) this.stdout.write(`${line}\n`);
  }

  /** A note for people on stderr, so that stdout stays a clean diff or report; `--quiet` drops it. */
  note(line: string): void {
    if (!this.quiet) this.stderr.write(`${line}\n`);
  }

  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * One line on stderr, prefixed with the program name, e.g. `verl-critic-patch: a.py: reason`.
   * Errors print whatever `--quiet` says; with `--format github` they are workflow commands.
   */
  error(message: string): void {
    if (this.format === 'github') this.stderr.write(`${annotation('error', message, { title: PROGRAM })}\n`);
    else this.stderr.write(`${PROGRAM}: ${message}\n`);
  }

  /** A refused or broken file: one error line, or an annotation placed on its file and line. */
  problem(problem: FileProblem, level: AnnotationLevel = 'error'): void {
    if (this.format === 'github') {
      this.stderr.write(`${annotation(level, problem.reason, { file: problem.diffPath, line: problem.line, title: PROGRAM })}\n`);
    } else {
      this.error(`${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`);
    }
  }

  /** A GitHub notice on a file (`--format github` only; informational, so `--quiet` drops it). */
  notice(problem: FileProblem): void {
    if (this.format === 'github' && !this.quiet) this.problem(problem, 'notice');
  }

  /** An error about one file, or about the run when `file` is undefined. */
  fileError(file: string | undefined, reason: string): void {
    if (file && this.format === 'github') this.problem({ path: file, diffPath: diffPathFor(file), reason });
    else this.error(file ? `${file}: ${reason}` : reason);
  }
}
