/** Paths as a reviewer and `git apply` see them. */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** The nearest folder at or above `dir` that holds `.git` (a folder, or a file in worktrees). */
export function gitRootOf(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(resolve(current, '.git'))) return current;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * The path used in `--- a/PATH` headers: relative to the git work tree holding the file, so the
 * diff applies with `git apply` / `patch -p1` from that root; outside git, relative to the
 * current directory.
 */
export function diffPathFor(file: string): string {
  const absolute = resolve(file);
  const base = gitRootOf(dirname(absolute)) ?? process.cwd();
  return toPosix(relative(base, absolute));
}

/** The file a path names, through symlinks (or the path itself, resolved, when it cannot be followed). */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Is `path` the folder `dir` or below it? */
export function isWithin(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return !rel.startsWith('..') && !isAbsolute(rel);
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Is `path` a folder (following links)? false when it is anything else or missing. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
