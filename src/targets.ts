/**
 * What a command-line target means: a file is patched as given; a directory must be a VeRL
 * checkout, and every trainer under it whose checkpoint method loads an actor is a target.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { badInput } from './errors.js';
import { statOrExplain } from './io/readSource.js';
import { toPosix } from './io/paths.js';

export interface Checkout {
  root: string; // the folder the user named
  packageDir: string; // the `verl` package inside it (maybe under a prefix: src/verl, verl/verl)
  version: string | undefined; // from verl/version/version
}

export interface Target {
  path: string;
  kind: 'trainer' | 'config';
  /** Named by the user (its refusals are errors) or found by scanning a checkout (refusals skip it). */
  explicit: boolean;
  checkout?: Checkout;
}

/** Where forks keep the package: plain, under src/, or vendored one level down. */
const PACKAGE_PREFIXES = ['verl', 'src/verl', 'verl/verl'];

/** Trainers VERL-FACTS lists, relative to the package's parent, in the order reports show them. */
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

/** Known trainers first, in VERL-FACTS order; any other file after, sorted by path. */
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

/** Classify each command-line argument; directories become checkouts (scanned later). */
export function classifyArgument(arg: string): { file: string } | { checkout: Checkout } {
  const stat = statOrExplain(arg);
  if (!stat.isDirectory()) return { file: arg };
  const checkout = findCheckout(arg);
  if (!checkout) throw badInput(arg, 'is a directory but not a VeRL checkout (no verl/trainer/ folder inside)');
  return { checkout };
}

/** `--only PATH`: keep the files whose path relative to the checkout ends with PATH. */
export function matchesOnly(checkout: Checkout, file: string, only: string | undefined): boolean {
  if (!only) return true;
  const rel = toPosix(relative(checkout.root, file));
  const wanted = toPosix(only).replace(/^\.\//, '');
  return rel === wanted || rel.endsWith(`/${wanted}`);
}
