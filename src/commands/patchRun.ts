/**
 * The targets of a patch verb's command line: the paths given, or the `verl` package that
 * `--python` imports; and what to tell the user about where the patched VeRL lives.
 */
import { realPath } from '../io/paths.js';
import { commandOnTargets, type TypedTargets } from '../advisedCommands.js';
import type { Printer } from '../output/printer.js';
import { copiesOf } from '../output/runReport.js';
import { planRun } from '../run.js';
import type { RunResult } from '../runResult.js';
import { importedVerl, type ImportedVerl } from '../verl/installed.js';
import { pythonsVerlLine, verlOfPython } from '../verl/locate.js';
import type { Direction } from '../plan.js';
import type { TargetOptions } from './options.js';

export interface CommandRun {
  result: RunResult;
  /** The package --python named. */
  imported: ImportedVerl | undefined;
}

/**
 * `verb` as the user would type it again (`check --applied`). No target and no --python: the run
 * was let through because the tool was started by the Python launcher (targetsOrUsageError), and
 * takes the VeRL that Python imports; `options.python` is set to it, so that the commands the run
 * advises name it (--python INTERPRETER) and work from any install.
 */
export function planCommandRun(verb: string, targets: string[], options: TargetOptions, direction: Direction, out: Printer): CommandRun {
  const imported = verlOfPython({ python: options.python, named: targets.length > 0, verb: { verb, pathOption: '' }, needed: true });
  if (imported?.fromLauncher) options.python = imported.interpreter;
  if (imported) out.note(pythonsVerlLine(imported));
  const verify = options.verify === false ? false : { python: imported?.executable };
  const result = planRun(imported ? [imported.packageDir] : targets, { direction, only: options.only, exclude: options.exclude, verify });
  // No CPython to ask: tree-sitter's parse alone decided (apply says so of what it writes).
  if (result.unverified && !options.json) out.note(`note: not checked with CPython: ${result.unverified}; tree-sitter's parse alone decided what is valid Python`);
  return { result, imported };
}

/**
 * After a write: a copy in site-packages loses the patch on the next `pip install -U verl`; and a
 * copy patched by path may not be the one the user's Python runs. Nothing here fails the run.
 */
export function whereVerlLivesNotes(run: CommandRun, options: TargetOptions & TypedTargets): string[] {
  const copies = copiesOf(run.result);
  const notes: string[] = [];
  for (const copy of copies.filter((c) => c.installed)) {
    notes.push(
      `note: ${copy.packageDir} is an installed package: reinstalling VeRL (pip install -U verl) replaces it without the patch; ` +
        `run '${commandOnTargets('check --applied', options)}' in your launch script to catch that`,
    );
  }
  if (run.imported || options.python !== undefined || copies.length === 0) return notes;
  let imported: ImportedVerl;
  try {
    imported = importedVerl('python3');
  } catch {
    return notes; // no python3, or no verl for it: nothing to compare with
  }
  if (!copies.some((copy) => realPath(copy.packageDir) === realPath(imported.packageDir))) {
    notes.push(`note: python3 (${imported.executable}) imports verl from ${imported.packageDir}, not from what was just patched; --python patches that one`);
  }
  return notes;
}
