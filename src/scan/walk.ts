/**
 * The files of a folder that a scan looks at: Python and YAML files, and VeRL's one-line version
 * files. What is passed over, and why:
 *
 * - version control, caches and build output (`.git`, `__pycache__`, `build`, `dist`...), and
 *   every other hidden folder;
 * - installed code: virtual environments (any folder holding `pyvenv.cfg`), `site-packages`,
 *   `node_modules`: a project's dependencies are not the project (a site-packages folder named on
 *   the command line is scanned by verl/installed.ts instead);
 * - test suites (`tests`, `test`): their configs and doubles are not what a launch reads;
 * - in a git work tree, whatever git ignores (`git ls-files --others --exclude-standard`), except
 *   in installed code: a package in a virtual environment that git ignores is still the package
 *   (`{ git: false }`, see verl/installed.ts).
 *
 * Paths come back relative to the scanned folder, with `/` separators, sorted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gitRootOf } from '../io/paths.js';

const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', 'venv', 'build', 'dist', 'site-packages', 'dist-packages', 'tests', 'test']);

/** Files a scan may plan: Python, YAML, and `version/version`. */
export function isScanned(path: string): boolean {
  return /\.(py|ya?ml)$/i.test(path) || /(^|\/)version\/version$/.test(path);
}

/** Is a folder passed over for its name alone? */
function skipsName(name: string): boolean {
  return name.startsWith('.') || SKIPPED_DIRS.has(name);
}

/** Is a folder of this name, at this place, passed over? */
function skipsFolder(dir: string, name: string): boolean {
  return skipsName(name) || existsSync(join(dir, name, 'pyvenv.cfg'));
}

export function listFolder(root: string, options: { git?: boolean } = {}): string[] {
  const listing = options.git === false ? undefined : gitListing(root);
  return (listing ?? walkListing(root)).filter(isScanned).sort();
}

/** Every file below `root`, following symlinked files but not symlinked folders (no loops). */
function walkListing(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // an unreadable folder holds nothing we could patch
    }
    for (const entry of entries) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skipsFolder(dir, entry.name)) walk(join(dir, entry.name), relPath);
      } else if (entry.isFile() || (entry.isSymbolicLink() && isRegularFile(join(dir, entry.name)))) {
        // A symlinked trainer is a target too; apply writes the file it points to.
        found.push(relPath);
      }
    }
  };
  walk(root, '');
  return found;
}

/**
 * In a git work tree: the files git tracks or would track (untracked, not ignored) below `root`,
 * minus the folders a scan passes over. Undefined outside git, or where git cannot be run.
 */
function gitListing(root: string): string[] | undefined {
  if (!gitRootOf(root)) return undefined;
  // Without --full-name, git prints the paths relative to `root` (its -C folder).
  const run = spawnSync('git', ['-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error || run.status !== 0) return undefined;
  const files = new Set<string>();
  const passedOver = new Map<string, boolean>();
  for (const rel of run.stdout.split('\0')) {
    // Only the few scanned files are stat'ed, and each folder is judged once.
    if (rel && isScanned(rel) && !passesOverPath(root, rel, passedOver) && isRegularFile(join(root, rel))) files.add(rel);
  }
  return [...files];
}

/** Is a file at `rel` (relative to a scanned folder) below a folder a scan passes over by its name? */
export function isBelowSkippedFolder(rel: string): boolean {
  return rel.split('/').slice(0, -1).some(skipsName);
}

/** Does any folder on the way from `root` to `rel` get passed over? `known`: folders judged so far. */
function passesOverPath(root: string, rel: string, known: Map<string, boolean>): boolean {
  const slash = rel.lastIndexOf('/');
  if (slash === -1) return false;
  const folder = rel.slice(0, slash);
  let verdict = known.get(folder);
  if (verdict === undefined) {
    const parentSlash = folder.lastIndexOf('/');
    const name = folder.slice(parentSlash + 1);
    verdict = passesOverPath(root, folder, known) || skipsFolder(join(root, folder.slice(0, Math.max(parentSlash, 0))), name);
    known.set(folder, verdict);
  }
  return verdict;
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
