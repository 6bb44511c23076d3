/**
 * VeRL copies: where a `verl` package sits in a scanned folder, and what release it is. A copy is
 * recognised by its files, not its name, so a checkout (`verl/`), a fork's `src/verl/`, a vendored
 * `third_party/verl/verl/` or a renamed `evals/verl_amd/` are all found: a package folder holding
 * `trainer/main_ppo.py` or `trainer/ppo/ray_trainer.py` (every release has both). Projects derived
 * from VeRL that renamed those (EasyR1) are not copies of it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isInsideSitePackages, isSitePackages } from './installed.js';

export interface VerlCopy {
  /** The folder holding the package, as the user would type it: what VeRL's own paths start from. */
  root: string;
  /** The package folder itself (`<root>/verl`, or a renamed one). */
  packageDir: string;
  /** The release from `<package>/version/version` (a fork's: the release it started from). */
  version: string | undefined;
  /** In an installed site-packages folder: a reinstall of VeRL replaces what this tool writes. */
  installed: boolean;
}

const PACKAGE_MARKERS = ['trainer/main_ppo.py', 'trainer/ppo/ray_trainer.py'];

/** The package folders among `files` (paths relative to the scanned folder), outermost first. */
export function packageDirsIn(files: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const file of files) {
    for (const marker of PACKAGE_MARKERS) {
      if (file === marker) dirs.add('.');
      else if (file.endsWith(`/${marker}`)) dirs.add(file.slice(0, -marker.length - 1));
    }
  }
  return [...dirs].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Is `dir` (on disk) a VeRL package folder? */
export function isPackageDir(dir: string, exists: (path: string) => boolean): boolean {
  return PACKAGE_MARKERS.some((marker) => exists(join(dir, marker)));
}

/**
 * The copy whose package is `packageDir`. Its root is the folder holding the package, or, for a
 * fork's `src/verl/` layout, the folder holding `src/` (where that fork keeps `recipe/`).
 */
export function copyAt(packageDir: string, installed: boolean): VerlCopy {
  const holder = dirname(packageDir);
  const root = basename(holder) === 'src' ? dirname(holder) : holder;
  return { root, packageDir, version: readVersion(packageDir), installed };
}

export function readVersion(packageDir: string): string | undefined {
  try {
    return readFileSync(join(packageDir, 'version', 'version'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function depth(dir: string): number {
  return dir === '.' ? 0 : dir.split('/').length;
}

/**
 * The VeRL a folder is or holds: a package folder (`verl/`, `site-packages/verl`), a site-packages
 * folder holding one, or a checkout (see findCheckout).
 */
export function findVerl(dir: string): VerlCopy | undefined {
  if (isPackageDir(dir, existsSync)) return copyAt(dir, isInsideSitePackages(dir));
  if (isSitePackages(dir) && isPackageDir(join(dir, 'verl'), existsSync)) return copyAt(join(dir, 'verl'), true);
  return findCheckout(dir);
}

/**
 * The VeRL that `dir` or the nearest folder above it holds (findVerl), with the folder it was
 * found in; undefined when no folder up to the root holds one.
 */
export function findVerlAbove(dir: string): { folder: string; copy: VerlCopy } | undefined {
  for (let folder = resolve(dir); ; folder = dirname(folder)) {
    const copy = findVerl(folder);
    if (copy) return { folder, copy };
    if (dirname(folder) === folder) return undefined;
  }
}

/** The VeRL checkout a folder holds (at its top, or under `src/`, or one level down), if any. */
export function findCheckout(dir: string): VerlCopy | undefined {
  for (const prefix of ['verl', 'src/verl', 'verl/verl']) {
    const packageDir = join(dir, prefix);
    if (isPackageDir(packageDir, existsSync)) return { root: dir, packageDir, version: readVersion(packageDir), installed: isInsideSitePackages(dir) };
  }
  return undefined;
}
