/**
 * The VeRL the Python launcher's interpreter imports (launcherPython.ts), for a verb whose
 * command line names none, and the refusal to pick between it and another VeRL around the
 * working folder.
 */
import path from 'node:path';
import { badInput } from '../errors.js';
import { realPath } from '../io/paths.js';
import { importedVerlIfAny, type ImportedVerl } from './installed.js';
import { launcherPython } from './launcherPython.js';
import { findVerlAbove } from './copies.js';

export interface LauncherVerl extends ImportedVerl {
  /** The interpreter as the variable names it, for --python in the commands the tool advises. */
  interpreter: string;
}

/** The one note line a run defaulted to the launcher's VeRL prints. */
export function launcherNote(verl: LauncherVerl): string {
  return `note: no VeRL named: using the one ${verl.executable} (Python ${verl.python}, the Python verl-critic-patch was started from) imports: ${verl.packageDir}`;
}

/** How a verb is told which VeRL to use: its name, and how it takes a path (`apply PATH`, `stage --verl PATH`). */
export interface VerbSpelling {
  verb: string;
  pathOption: '' | '--verl ';
}

/**
 * The VeRL the launcher's Python imports, when the command line named none; undefined when there
 * is no launcher Python or it imports no verl (`needed`: the verb has nothing else to act on,
 * and that is a usage error, exit 2). Throws (exit 2) when a VeRL around `cwd` is another one.
 */
export function launcherVerl({ verb, pathOption }: VerbSpelling, needed: boolean, cwd: string = process.cwd()): LauncherVerl | undefined {
  const interpreter = launcherPython();
  if (interpreter === undefined) return undefined;
  const found = importedVerlIfAny(interpreter);
  if ('missing' in found) {
    if (!needed) return undefined;
    throw badInput(
      undefined,
      `no VeRL named, and ${found.missing.executable} (Python ${found.missing.python}, the Python verl-critic-patch was started from) imports no verl: ` +
        `name the VeRL to use: '${verb} ${pathOption}PATH' or '${verb} --python INTERPRETER'`,
    );
  }
  const around = findVerlAbove(cwd);
  const here = around && { root: around.folder, packageDir: around.copy.packageDir };
  if (here !== undefined && realPath(here.packageDir) !== realPath(found.packageDir)) {
    throw badInput(
      undefined,
      `two VeRLs: ${here.packageDir} is here, and ${found.executable} (the Python verl-critic-patch was started from) imports ${found.packageDir}: ` +
        `name the one to use: '${verb} ${pathOption}${here.root === path.resolve(cwd) ? '.' : here.root}' or '${verb} --python ${interpreter}'`,
    );
  }
  return { ...found, interpreter };
}
