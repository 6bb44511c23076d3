/**
 * What a command-line target means, wherever VeRL lives:
 *
 * - a file: planned as it is;
 * - a VeRL package folder (`verl/` of a checkout, or `site-packages/verl`): its trainers and configs;
 * - an installed site-packages folder: VeRL's own files only (its dist-info RECORD), never another
 *   package's;
 * - any other folder (a checkout, an unpacked release, a project that vendors VeRL or builds on it):
 *   every VeRL copy in it, every trainer whose text can hold an actor load (a cheap text test, so
 *   only those are parsed), and every YAML that can be a trainer config (likewise).
 *
 * Each argument also gets its apply root: the folder whose relative paths the diff headers use, so
 * that `git apply` and `patch -p1` take the diff unchanged from there. For an installed VeRL that
 * is its site-packages folder (even in a virtual environment inside a git project); otherwise the
 * git work tree where there is one, else the folder holding the VeRL package (a tarball), else the
 * folder named (or, for a file, the current folder).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { badInput } from './errors.js';
import { gitRootOf, isWithin, realPath, toPosix } from './io/paths.js';
import { statOrExplain } from './io/readSource.js';
import { mayHoldTrainerSection } from './config/textTest.js';
import type { TargetKind } from './plan.js';
import { mayHoldTarget } from './python/plan.js';
import { MAIN_CONFIG, MAIN_TRAINER, orderTrainerFiles } from './verl/trainers.js';
import { copyAt, isPackageDir, packageDirsIn, type VerlCopy } from './verl/copies.js';
import { editableInstallHint, installedVerlFiles, isInsideSitePackages, isSitePackages, sitePackagesHolding } from './verl/installed.js';
import { selectTargets, type Selection } from './scan/select.js';
import { listFolder } from './scan/walk.js';

export type { VerlCopy } from './verl/copies.js';

export interface Target {
  path: string; // as the user would type it: relative to the current directory where possible
  kind: TargetKind;
  /** Named by the user or VeRL's main trainer or config (refusals fail the run), or found by a scan (refusals pass it over). */
  explicit: boolean;
  copy?: VerlCopy;
}

export type Scope = 'file' | 'package' | 'installed' | 'folder';

export interface Resolution {
  arg: string;
  scope: Scope;
  /** Where `git apply` / `patch -p1` take the diff from; the diff headers are relative to it. */
  applyRoot: string;
  copies: VerlCopy[];
  targets: Target[];
}

export function resolveArgument(arg: string, selection: Selection = {}): Resolution {
  const stat = statOrExplain(arg);
  if (!stat.isDirectory()) return resolveFile(arg);
  if (isPackageDir(arg, existsSync)) {
    const sitePackages = sitePackagesHolding(arg);
    if (sitePackages) return resolveInstalled(arg, sitePackages, installedVerlFiles(sitePackages, basename(resolve(arg))), [arg], selection);
    return resolveFolder(arg, 'package', prefixed(listFolder(arg), arg), [arg], selection);
  }
  if (isSitePackages(arg)) {
    const files = installedVerlFiles(arg);
    if (files.length === 0) throw badInput(arg, editableInstallHint(arg) ?? 'an installed-packages folder without VeRL in it (no verl/ package)');
    return resolveInstalled(arg, arg, files, undefined, selection);
  }
  return resolveFolder(arg, 'folder', prefixed(listFolder(arg), arg), undefined, selection);
}

/**
 * An installed VeRL (`arg`: its site-packages folder or its package folder there): `files` are
 * relative to site-packages, which is the apply root whatever git work tree holds the
 * environment, as the diff of a pip install is applied from there.
 */
function resolveInstalled(arg: string, sitePackages: string, files: string[], packageDirs: string[] | undefined, selection: Selection): Resolution {
  return resolveFolder(arg, 'installed', prefixed(files, sitePackages), packageDirs, selection, sitePackages);
}

function resolveFile(path: string): Resolution {
  const copy = enclosingCopy(path);
  const kind: TargetKind = /\.ya?ml$/i.test(path) ? 'config' : 'trainer';
  // An installed VeRL's file diffs relative to site-packages, like the whole package does.
  const applyRoot = (copy?.installed ? copy.root : undefined) ?? gitRootOf(dirname(resolve(path))) ?? copy?.root ?? process.cwd();
  return { arg: path, scope: 'file', applyRoot, copies: copy ? [copy] : [], targets: [{ path, kind, explicit: true, copy }] };
}

/**
 * A folder's targets. `files` are the scanned files (paths on disk); `packageDirs`, where known,
 * are its VeRL packages, else they are recognised among the files.
 */
function resolveFolder(arg: string, scope: Scope, files: string[], packageDirs: string[] | undefined, selection: Selection, installedRoot?: string): Resolution {
  const installed = scope === 'installed' || isInsideSitePackages(arg);
  const packages = packageDirs ?? packageDirsIn(files.map((file) => toPosix(relative(arg, file)))).map((dir) => join(arg, dir));
  const copies = packages.map((dir) => copyAt(dir, installed));
  const applyRoot = installedRoot ?? gitRootOf(arg) ?? (scope === 'package' ? dirname(resolve(arg)) : arg);
  const candidates = [...trainerTargets(files, copies), ...configTargets(files, copies)];
  const targets = oncePerFile(selectTargets(candidates, arg, selection));
  return { arg, scope, applyRoot, copies, targets };
}

function trainerTargets(files: readonly string[], copies: readonly VerlCopy[]): Target[] {
  const mains = new Set(copies.map((copy) => join(copy.packageDir, MAIN_TRAINER)));
  // The text test first, then the order: only the few files that pass are ranked and sorted.
  const trainers = files.filter((file) => file.endsWith('.py') && (mains.has(file) || passesTextTest(file, mayHoldTarget)));
  return orderTrainerFiles(trainers).map((file) => ({ path: displayPath(file), kind: 'trainer', explicit: mains.has(file), copy: copyOf(file, copies) }));
}

function configTargets(files: readonly string[], copies: readonly VerlCopy[]): Target[] {
  const mains = new Set(copies.map((copy) => join(copy.packageDir, MAIN_CONFIG)));
  return files
    .filter((file) => /\.ya?ml$/i.test(file) && (mains.has(file) || passesTextTest(file, mayHoldTrainerSection)))
    .sort()
    .map((file) => ({ path: displayPath(file), kind: 'config', explicit: mains.has(file), copy: copyOf(file, copies) }));
}

/**
 * One target per file on disk: a project that links a config of VeRL's into its own config folder
 * (`config/ppo_trainer.yaml -> ../verl/verl/trainer/config/ppo_trainer.yaml`) names it twice; the
 * file is planned once, under VeRL's own name for it (its main trainer or config), else its real
 * path.
 */
function oncePerFile(targets: Target[]): Target[] {
  const byFile = new Map<string, Target>();
  const rank = (target: Target, real: string) => (target.explicit ? 2 : resolve(target.path) === real ? 1 : 0);
  for (const target of targets) {
    const real = realPath(target.path);
    const kept = byFile.get(real);
    if (!kept || rank(target, real) > rank(kept, real)) byFile.set(real, target);
  }
  const chosen = new Set(byFile.values());
  return targets.filter((target) => chosen.has(target));
}

/**
 * The copy a file belongs to: the innermost one whose package holds it, or beside whose package it
 * sits in VeRL's own `recipe/` or `examples/` folders. Anything else is the project's.
 */
export function copyOf(file: string, copies: readonly VerlCopy[]): VerlCopy | undefined {
  let found: VerlCopy | undefined;
  for (const copy of copies) {
    const inside = [copy.packageDir, join(copy.root, 'recipe'), join(copy.root, 'examples')].some((dir) => isWithin(file, dir));
    if (inside && (!found || copy.packageDir.length > found.packageDir.length)) found = copy;
  }
  return found;
}

/** The copy a single file named on the command line sits in, if any. */
function enclosingCopy(path: string): VerlCopy | undefined {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    if (isPackageDir(dir, existsSync)) return copyAt(dir, isInsideSitePackages(dir));
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Test the bytes without decoding or parsing them: most files of a folder stop here. A file that
 * is not UTF-8 is the real read's to report, if it passes.
 */
function passesTextTest(file: string, test: (bytes: Buffer) => boolean): boolean {
  try {
    return test(readFileSync(file));
  } catch {
    return true; // let the real read report the problem
  }
}

function prefixed(files: readonly string[], dir: string): string[] {
  return files.map((file) => join(dir, file));
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel || file;
}
