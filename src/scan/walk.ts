/**
 * The files of a folder that a scan looks at: Python and YAML files, and VeRL's one-line version
 * files. What is passed over, and why:
 *
 * - version control, caches and build output (`.git`, `__pycache__`, `build`, `dist`...), and
 *   every other hidden folder;
 * - installed code: virtual environments (any folder holding `pyvenv.cfg`), `site-packages`,
 *   `node_modules`: a project's dependencies are not the project (a site-packages folder named on
 *   the command line is scanned by scan/installed.ts instead);
 * - test suites (`tests`, `test`): their configs and doubles are not what a launch reads;
 * - in a git work tree, whatever git ignores (`git ls-files --others --exclude-standard`).
 *
 * Paths come back relative to the scanned folder, with `/` separators, sorted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gitRootOf, toPosix } from '../io/paths.js';

const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', 'venv', 'build', 'dist', 'site-packages', 'dist-packages', 'tests', 'test']);

/** Files a scan may plan: Python, YAML, and `version/version`. */
export function isScanned(path: string): boolean {
  return /\.(py|ya?ml)$/i.test(path) || /(^|\/)version\/version$/.test(path);
}

/** Is a folder of this name, at this place, passed over? */
function skipsFolder(dir: string, name: string): boolean {
  return name.startsWith('.') || SKIPPED_DIRS.has(name) || existsSync(join(dir, name, 'pyvenv.cfg'));
}

export function listFolder(root: string): string[] {
  return (gitListing(root) ?? walkListing(root)).filter(isScanned).sort();
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
  const run = spawnSync('git', ['-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--full-name', '--', '.'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error || run.status !== 0) return undefined;
  const prefix = gitPrefix(root);
  if (prefix === undefined) return undefined;
  const files = new Set<string>();
  for (const full of run.stdout.split('\0')) {
    if (!full.startsWith(prefix)) continue;
    const rel = full.slice(prefix.length);
    if (rel && !passesOverPath(root, rel) && isRegularFile(join(root, rel))) files.add(rel);
  }
  return [...files];
}

/** Where `root` sits inside its work tree (`sub/dir/`), as git prints paths with --full-name. */
function gitPrefix(root: string): string | undefined {
  const run = spawnSync('git', ['-C', root, 'rev-parse', '--show-prefix'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return undefined;
  return toPosix(run.stdout.trim());
}

/** Is a file at `rel` (relative to a scanned folder) below a folder a scan passes over by its name? */
export function isBelowSkippedFolder(rel: string): boolean {
  return rel.split('/').slice(0, -1).some((name) => name.startsWith('.') || SKIPPED_DIRS.has(name));
}

/** Does any folder on the way from `root` to `rel` get passed over? */
function passesOverPath(root: string, rel: string): boolean {
  const parts = rel.split('/');
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    if (skipsFolder(dir, part)) return true;
    dir = join(dir, part);
  }
  return false;
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
