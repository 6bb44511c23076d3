/**
 * Where a verb's words go, and how: data on stdout (a diff, a report), notes and errors on stderr,
 * following the terminal and CI conventions the user asked for (`--quiet`, `--color`,
 * `--format github`). One Printer is made per run from the verb's options and handed to the verb.
 */
import type { ExitCode } from '../errors.js';
import { diffPathFor } from '../io/paths.js';
import { TOOL_VERSION } from '../version.js';
import { useColor, type ColorMode } from './color.js';
import { annotation, type AnnotationLevel } from './github.js';
import { standardOutput, type OutputStream } from './stdio.js';

export const PROGRAM = 'verl-critic-patch';

/** Why a run's exit code is not 0, as every `--json` document says it (docs/reference.md, "JSON output"). */
export interface JsonError {
  /** usage: the command line (exit 2); bad-input: exit 2; refused: exit 1; internal: a bug of this tool (exit 2). */
  kind: 'usage' | 'bad-input' | 'refused' | 'internal';
  /** The error line a run without --json prints on stderr, without the `verl-critic-patch: ` prefix. */
  message: string;
  /** The file or folder it is about, as typed; null when it is about the run or the command line. */
  path: string | null;
}

/** A JsonError of the kind its exit code means (1: refused, 2: bad input). */
export function jsonError(exitCode: ExitCode, message: string, path: string | null = null): JsonError {
  return { kind: exitCode === 1 ? 'refused' : 'bad-input', message, path };
}

/**
 * The one JSON document of a run: the envelope (tool, version, command, exitCode, error), in that
 * order, then the verb's fields. Every verb's document goes through here (Printer.finish), so its
 * first keys and their meaning never depend on the verb. `error` is null exactly when the exit
 * code is 0; a verb that gives none for a failing run gets one saying its fields hold the reasons.
 * Envelope keys among the verb's fields are ignored: the envelope's own values are the run's.
 */
export function jsonDocument(command: string | null, exitCode: ExitCode, fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const given = fields.error as JsonError | null | undefined;
  const error = exitCode === 0 ? null : (given ?? jsonError(exitCode, `${command ?? PROGRAM} exited with ${exitCode}; the reasons are in this document`));
  const document: Record<string, unknown> = { tool: PROGRAM, version: TOOL_VERSION, command, exitCode, error };
  for (const [key, value] of Object.entries(fields)) if (!Object.hasOwn(document, key)) document[key] = value;
  return document;
}

/** A file problem as one line: `path:LINE: reason`. */
export function problemLine(problem: Pick<FileProblem, 'path' | 'line' | 'reason'>): string {
  return `${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`;
}

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
  /** The fields `json` was given, written by `finish`. */
  private document: Record<string, unknown> | undefined;

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

  /**
   * The verb's fields of the run's one JSON document (--json). Nothing is written yet: `finish`
   * writes the document, inside the envelope, once the run's exit code is known. Fields given by
   * several calls end up in the same document (a later value of a key replaces an earlier one).
   */
  json(fields: object): void {
    this.document = { ...this.document, ...fields };
  }

  /** The run is over: write its JSON document (jsonDocument), if `json` was called. */
  finish(command: string | null, exitCode: ExitCode): void {
    if (this.document === undefined) return;
    this.stdout.write(`${JSON.stringify(jsonDocument(command, exitCode, this.document), null, 2)}\n`);
    this.document = undefined;
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
      this.error(problemLine(problem));
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
