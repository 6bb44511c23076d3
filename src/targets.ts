/**
 * What a command-line target means: a file is planned as given; a directory must be a VeRL
 * checkout, and its targets are every trainer under it that can load an actor checkpoint and the
 * trainer YAMLs of its config folder (both found by a cheap text test, so only those are parsed).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { badInput } from './errors.js';
import { statOrExplain } from './io/readSource.js';
import { toPosix } from './io/paths.js';
import { mayHoldTrainerSection } from './config/textTest.js';
import type { TargetKind } from './plan.js';
import { mayHoldTarget } from './python/plan.js';

export interface Checkout {
  root: string; // the folder the user named
  packageDir: string; // the `verl` package inside it (maybe under a prefix: src/verl, verl/verl)
  version: string | undefined; // from verl/version/version
}

export interface Target {
  path: string; // as the user would type it: relative to the current directory where possible
  kind: TargetKind;
  /** Named by the user (its refusals are errors) or found by scanning a checkout (refusals skip it). */
  explicit: boolean;
  checkout?: Checkout;
}

/** Where forks keep the package: plain, under src/, or vendored one level down. */
const PACKAGE_PREFIXES = ['verl', 'src/verl', 'verl/verl'];

/**
 * Trainers VeRL has carried a copy of `_load_checkpoint` in (the main one, the 2026 v1 and sync
 * trainers, experimental and recipe trainers), relative to the package's parent, in the order
 * reports show them.
 */
const KNOWN_TRAINERS = [
  'verl/trainer/ppo/ray_trainer.py',
  'verl/trainer/ppo/v1/trainer_base.py',
  'verl/trainer/main_ppo_sync.py',
  'verl/experimental/transfer_queue/ray_trainer.py',
  'verl/trainer/diffusion/ray_diffusion_trainer.py',
  'recipe/spin/spin_trainer.py',
  'recipe/prime/prime_ray_trainer.py',
  'recipe/transfer_queue/ray_trainer.py',
];

const SKIPPED_DIRS = new Set(['.git', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', 'build', 'dist', '.eggs', 'site-packages']);

export function findCheckout(dir: string): Checkout | undefined {
  for (const prefix of PACKAGE_PREFIXES) {
    const packageDir = join(dir, prefix);
    if (isDirectory(join(packageDir, 'trainer'))) return { root: dir, packageDir, version: readVersion(packageDir) };
  }
  return undefined;
}

function readVersion(packageDir: string): string | undefined {
  try {
    return readFileSync(join(packageDir, 'version', 'version'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every .py file under the checkout, skipping VCS, caches and virtual environments. */
export function pythonFilesUnder(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // an unreadable folder holds nothing we could patch
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(join(dir, entry.name));
      } else if (entry.name.endsWith('.py') && (entry.isFile() || (entry.isSymbolicLink() && isRegularFile(join(dir, entry.name))))) {
        // A symlinked trainer is a target too; apply writes the file it points to.
        found.push(join(dir, entry.name));
      }
    }
  };
  walk(root);
  return found;
}

/** Known trainers first, in KNOWN_TRAINERS order; any other file after, sorted by path. */
export function orderTrainerFiles(checkout: Checkout, files: readonly string[]): string[] {
  const base = resolve(checkout.packageDir, '..');
  const rank = (file: string) => {
    const index = KNOWN_TRAINERS.indexOf(toPosix(relative(base, file)));
    return index === -1 ? KNOWN_TRAINERS.length : index;
  };
  // Rank each file once, not in every comparison (a checkout has thousands of .py files).
  const ranks = new Map(files.map((file) => [file, rank(file)]));
  return [...files].sort((a, b) => ranks.get(a)! - ranks.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
}

/** YAML files directly in the package's trainer config folder. */
export function trainerConfigFiles(checkout: Checkout): string[] {
  const dir = join(checkout.packageDir, 'trainer', 'config');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(dir, entry.name))
    .sort();
}

export type ResolvedArgument = { kind: 'file'; target: Target } | { kind: 'checkout'; checkout: Checkout; targets: Target[] };

/**
 * One command-line argument: a file is a target as it is (exit 2 when it is missing); a
 * directory must be a checkout, and is scanned for its targets (narrowed by `--only`).
 */
export function resolveArgument(arg: string, only: string | undefined): ResolvedArgument {
  const stat = statOrExplain(arg);
  if (!stat.isDirectory()) return { kind: 'file', target: { path: arg, kind: isYaml(arg) ? 'config' : 'trainer', explicit: true } };
  const checkout = findCheckout(arg);
  if (!checkout) throw badInput(arg, 'is a directory but not a VeRL checkout (no verl/trainer/ folder inside)');
  return { kind: 'checkout', checkout, targets: [...trainerTargets(checkout, only), ...configTargets(checkout, only)] };
}

const PRIMARY_TRAINER = /(^|\/)verl\/trainer\/ppo\/ray_trainer\.py$/;
const PRIMARY_CONFIG = /(^|\/)ppo_trainer\.yaml$/;

const isYaml = (path: string) => /\.ya?ml$/i.test(path);

/**
 * The trainers of a checkout, known ones first. The main trainer is always a target (its refusal
 * fails the run); any other file is one only when its text can hold an actor load, and when it
 * turns out to hold none, a run passes it over.
 */
function trainerTargets(checkout: Checkout, only: string | undefined): Target[] {
  const isPrimary = (file: string) => PRIMARY_TRAINER.test(toPosix(file));
  // The text test first, then the order: only the few files that pass are ranked and sorted.
  const candidates = pythonFilesUnder(checkout.root).filter(
    (file) => matchesOnly(checkout, file, only) && (isPrimary(file) || passesTextTest(file, mayHoldTarget)),
  );
  return orderTrainerFiles(checkout, candidates).map((file): Target => ({ path: displayPath(file), kind: 'trainer', explicit: isPrimary(file), checkout }));
}

/**
 * The trainer YAMLs that must declare the key for `trainer.load_critic_only=true` to pass Hydra's
 * struct mode. The main config must have a trainer section; other YAMLs are targets only when
 * their text can hold one, and when it turns out to hold none, a run passes them over.
 */
function configTargets(checkout: Checkout, only: string | undefined): Target[] {
  return trainerConfigFiles(checkout).flatMap((file): Target[] => {
    if (!matchesOnly(checkout, file, only)) return [];
    const primary = PRIMARY_CONFIG.test(toPosix(file));
    if (!primary && !passesTextTest(file, mayHoldTrainerSection)) return [];
    return [{ path: displayPath(file), kind: 'config', explicit: primary, checkout }];
  });
}

/**
 * Test the bytes without decoding or parsing them: most files of a checkout stop here. A file
 * that is not UTF-8 is the real read's to report, if it passes.
 */
function passesTextTest(file: string, test: (bytes: Buffer) => boolean): boolean {
  try {
    return test(readFileSync(file));
  } catch {
    return true; // let the real read report the problem
  }
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel || file;
}

/** `--only PATH`: keep the files whose path relative to the checkout ends with PATH. */
export function matchesOnly(checkout: Checkout, file: string, only: string | undefined): boolean {
  if (!only) return true;
  const rel = toPosix(relative(checkout.root, file));
  const wanted = toPosix(only).replace(/^\.\//, '');
  return rel === wanted || rel.endsWith(`/${wanted}`);
}
