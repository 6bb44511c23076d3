/**
 * Which VeRL a verb acts on: the one answer every verb asks. A VeRL is named by a path the user
 * typed (a checkout, a `verl/` package folder, a site-packages folder: copies.ts), or by a Python
 * whose `verl` it is (`--python`, the launch's own interpreter: installed.ts), or, when the command
 * line names none, it is the one the PyPI launcher's Python imports (launcher.ts). VeRL itself is
 * never imported. Whatever cannot be found is bad input (exit 2), in one line.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { badInput } from '../errors.js';
import { DEFAULT_PYTHON } from '../io/interpreter.js';
import { isDirectory } from '../io/paths.js';
import { findVerl, readVersion, type VerlCopy } from './copies.js';
import { importedVerl, type ImportedVerl } from './installed.js';
import { launcherNote, launcherVerl, type VerbSpelling } from './launcher.js';
import { parseRelease, type Release } from './release.js';

export type { VerbSpelling } from './launcher.js';

/** The VeRL the folder typed after --verl is or holds (relative to `cwd`): its copy, or why there is none. */
export function verlAt(dir: string, cwd: string = process.cwd()): VerlCopy {
  const option = '--verl';
  const folder = path.resolve(cwd, dir);
  // An empty value names no folder (resolved, it would be the working folder).
  if (dir === '' || !existsSync(folder)) throw badInput(dir, `${option}: no such folder (pass the VeRL checkout the new run uses)`);
  if (!isDirectory(folder)) throw badInput(dir, `${option}: not a folder (pass the VeRL checkout the new run uses)`);
  const copy = findVerl(folder);
  if (!copy) throw badInput(dir, `${option}: no VeRL here: not a checkout, a verl/ package folder or a site-packages folder holding one`);
  return copy;
}

/**
 * The release a VeRL package says it is (its one-line `version/version`); `shownAs` is the file
 * name the refusal carries and `option` the option that named the VeRL, if one did.
 */
export function releaseOf(packageDir: string, shownAs: string, option?: string): Release {
  const prefix = option ? `${option}: ` : '';
  const version = readVersion(packageDir);
  if (version === undefined) {
    throw badInput(shownAs, `${prefix}no verl/version/version in this checkout: cannot tell which release it is`);
  }
  const release = parseRelease(version);
  if (!release) throw badInput(shownAs, `${prefix}verl/version/version says ${JSON.stringify(version)}, not a release number`);
  return release;
}

/** The VeRL a Python imports, and how the run came to ask that Python. */
export interface PythonsVerl extends ImportedVerl {
  /** The interpreter the commands the tool advises name with --python: as typed, or the launcher's. */
  interpreter: string;
  /** Found through the PyPI launcher's Python, because the command line named no VeRL. */
  fromLauncher: boolean;
}

export interface PythonRequest {
  /** `--python [interpreter]` as parsed (true: given without a value, python3). */
  python: string | boolean | undefined;
  /** Does the command line name a VeRL some other way (a path, --verl, a launch's interpreter)? */
  named: boolean;
  /** How the verb is spelled in the refusals, and whether it has nothing to act on without a VeRL. */
  verb: VerbSpelling;
  needed: boolean;
  cwd?: string;
}

/**
 * The VeRL `--python` imports; else, when nothing names a VeRL, the one the launcher's Python
 * imports (refused when another VeRL is around the working folder); else undefined.
 */
export function verlOfPython({ python, named, verb, needed, cwd }: PythonRequest): PythonsVerl | undefined {
  if (python !== undefined) {
    const interpreter = typeof python === 'string' ? python : DEFAULT_PYTHON;
    return { ...importedVerl(interpreter), interpreter, fromLauncher: false };
  }
  if (named) return undefined;
  const launcher = launcherVerl(verb, needed, cwd);
  return launcher && { ...launcher, fromLauncher: true };
}

/**
 * The line a run prints about the VeRL a Python gave it. The launcher's is a note of its own
 * (`note: no VeRL named: ...`); the other is the body the verb prints in its own way.
 */
export function pythonsVerlLine(verl: PythonsVerl): string {
  return verl.fromLauncher ? launcherNote(verl) : `VeRL imported by ${verl.executable} (Python ${verl.python}): ${verl.packageDir}`;
}

