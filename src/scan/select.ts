/**
 * `--only PATH` and `--exclude PATH`, for a folder's targets. Paths are taken relative to the
 * folder named on the command line (or to the current folder).
 *
 * - `--only` names one file: its exact path, or else a tail of its path that only one target has
 *   (`ppo/ray_trainer.py`). A tail that several targets share is ambiguous: exit 2, listing them.
 *   No match leaves no target (the run then says so).
 * - `--exclude` leaves out a file, or every file below a folder (a VeRL copy the run cannot
 *   patch); it may be given more than once.
 */
import { relative, resolve } from 'node:path';
import { badInput } from '../errors.js';
import { toPosix } from '../io/paths.js';

export interface Selection {
  only?: string;
  exclude?: readonly string[];
}

interface Selectable {
  path: string;
}

export function selectTargets<T extends Selectable>(targets: readonly T[], folder: string, selection: Selection): T[] {
  const excluded = (selection.exclude ?? []).map((path) => normalise(folder, path));
  const kept = targets.filter((target) => !excluded.some((path) => isAtOrBelow(relativeTo(folder, target.path), path)));
  if (selection.only === undefined) return kept;
  const wanted = normalise(folder, selection.only);
  const exact = kept.filter((target) => relativeTo(folder, target.path) === wanted);
  if (exact.length > 0) return exact;
  const tails = kept.filter((target) => relativeTo(folder, target.path).endsWith(`/${wanted}`));
  if (tails.length > 1) {
    const list = tails.map((target) => relativeTo(folder, target.path)).sort().join(', ');
    throw badInput(folder, `--only ${selection.only} matches ${tails.length} files (${list}); give more of the path`);
  }
  return tails;
}

function relativeTo(folder: string, path: string): string {
  return toPosix(relative(resolve(folder), resolve(path)));
}

/** A path as the user wrote it, relative to the folder: `./a/b/`, `a/b` or an absolute path. */
function normalise(folder: string, path: string): string {
  const posix = toPosix(path);
  if (posix.startsWith('/')) return relativeTo(folder, posix);
  return posix.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

function isAtOrBelow(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}
