/**
 * The all-or-nothing write of a run (apply, revert). Every file is checked first (writable, still
 * holding the bytes the run planned from), then each is replaced atomically (io/atomicWrite.ts),
 * and a write that fails midway puts back the files already written. With `verify`, the Python
 * files written are then compiled, each with its interpreter (io/python3.ts), and the whole run is
 * rolled back when one does not compile.
 */
import { badInput, refusal, ToolError } from '../errors.js';
import { checkUnchanged, checkWritable, replaceFileAtomically } from './atomicWrite.js';
import { compilePythonFiles, compilesAsPython, OTHER_PYTHON_HINT, type Verification } from './python3.js';

export interface FileWrite {
  path: string;
  before: Buffer; // what the run read and planned from
  after: Buffer;
  /** The interpreter that compiles the written file when verifying (a trainer), or undefined. */
  python?: string;
}

export type CommitResult =
  /** verification: what python3 said (undefined when not asked for). */
  | { status: 'written'; verification: Verification | undefined }
  /** Nothing of the run is left written, except the files named in `unrestored`. */
  | { status: 'failed'; error: ToolError; unrestored: string[] };

export function commitWrites(writes: readonly FileWrite[], options: { verify: boolean }): CommitResult {
  try {
    for (const write of writes) {
      checkWritable(write.path);
      checkUnchanged(write.path, write.before);
    }
  } catch (error) {
    return failed(error, []);
  }
  const written: FileWrite[] = [];
  for (const write of writes) {
    try {
      replaceFileAtomically(write.path, write.before, write.after);
      written.push(write);
    } catch (error) {
      return failed(error, rollBack(written));
    }
  }
  if (!options.verify) return { status: 'written', verification: undefined };
  const python = written.filter((w) => w.python !== undefined);
  let verification: Verification = { status: 'compiled', python: '', files: 0 };
  // One interpreter run per interpreter: all the run's trainers but in the rarest runs.
  for (const interpreter of new Set(python.map((w) => w.python!))) {
    const files = python.filter((w) => w.python === interpreter);
    const verdict = compilePythonFiles(files.map((w) => w.path), interpreter);
    if (verdict.status === 'failed') return failed(compileError(files, verdict, interpreter), rollBack(written));
    if (verdict.status === 'unavailable') verification = verdict;
    else if (verification.status === 'compiled') verification = { status: 'compiled', python: verdict.python, files: verification.files + verdict.files };
  }
  return { status: 'written', verification };
}

/** The one-line message for a failed commit: what failed, and what it means for the files. */
export function commitFailureMessage(result: Extract<CommitResult, { status: 'failed' }>): string {
  if (result.unrestored.length > 0) return `${result.error.message}; rolling back failed for ${result.unrestored.join(', ')}`;
  return `${result.error.message}; every file of this run was left as it was`;
}

function failed(error: unknown, unrestored: string[]): CommitResult {
  if (!(error instanceof ToolError)) throw error; // a bug, not a failure of the file system
  return { status: 'failed', error, unrestored };
}

/** Put back the files already written, newest first; returns those that could not be. */
function rollBack(written: readonly FileWrite[]): string[] {
  const unrestored: string[] = [];
  for (const write of [...written].reverse()) {
    try {
      replaceFileAtomically(write.path, write.after, write.before);
    } catch (failure) {
      const why = failure instanceof ToolError ? failure.reason : String(failure);
      unrestored.push(`${write.path} (${why}; it may hold the patched version)`);
    }
  }
  return unrestored;
}

/** The first file python3 cannot compile, told apart from an input it cannot compile either. */
function compileError(python: readonly FileWrite[], verification: Extract<Verification, { status: 'failed' }>, interpreter: string): ToolError {
  const failure = verification.failures[0]!;
  const write = python.find((w) => w.path === failure.path);
  const where = `${failure.line ? `line ${failure.line}: ` : ''}${failure.message}`;
  const named = `${interpreter} ${verification.python}`;
  if (write && compilesAsPython(write.before, interpreter) === false) {
    return badInput(failure.path, `${named} cannot compile this file even without the patch (${where}); ${OTHER_PYTHON_HINT}`);
  }
  return refusal(failure.path, `internal check failed: ${named} cannot compile the patched file (${where}), so the run was rolled back`);
}
