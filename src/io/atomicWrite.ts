/**
 * Atomic replacement of one file we read earlier: write a temp file beside it (named by
 * io/temp.ts), fsync, copy the mode (and, as root, the owner), re-check that the target still
 * holds the bytes we planned from, then rename over it. A crash leaves either the old file or the
 * new one, never a mix; the next write of the same target removes temp files whose process is gone.
 * A run of several files is made all or nothing by io/commit.ts.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, closeSync, constants, fchownSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { badInput, ToolError } from '../errors.js';
import { describeFsError, errnoCode } from './fsErrors.js';
import { tempPathFor, tempsOf } from './temp.js';

/**
 * Why `path` cannot be replaced, checked before a run writes its first file: the file and its
 * folder must exist, be writable, and not be marked read-only. The mode bits are checked as well
 * as access(2), because root may write anything: a file or folder with no write bit at all
 * (chmod a-w) is taken as the owner's "do not touch", even for root.
 */
export function checkWritable(path: string): void {
  let realPath: string;
  try {
    realPath = realpathSync(path);
  } catch (error) {
    throw badInput(path, `cannot write: ${describeFsError(error)}`);
  }
  const folder = dirname(realPath);
  const stat = statOrThrow(path, realPath);
  if (!stat.isFile()) throw badInput(path, 'cannot write: not a regular file');
  if ((stat.mode & 0o222) === 0) {
    throw badInput(path, `read-only file (mode ${octal(stat.mode)}); make it writable (chmod u+w) to patch it`);
  }
  accessOrThrow(path, realPath, 'cannot write');
  const folderStat = statOrThrow(path, folder);
  if ((folderStat.mode & 0o222) === 0) {
    throw badInput(path, `its folder ${folder} is read-only (mode ${octal(folderStat.mode)}), and the atomic write creates a temp file there`);
  }
  accessOrThrow(path, folder, `cannot write in its folder ${folder}`);
}

export function replaceFileAtomically(path: string, expected: Buffer, content: Buffer): void {
  checkWritable(path);
  // Write through a symlink to the file it points to, keeping the link itself.
  let realPath: string;
  let stat: ReturnType<typeof statSync>;
  try {
    realPath = realpathSync(path);
    stat = statSync(realPath);
  } catch (error) {
    throw badInput(path, `cannot write: ${describeFsError(error)}`);
  }
  const mode = stat.mode & 0o7777;
  removeStaleTemps(realPath);
  const temp = tempPathFor(realPath);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeAllBytes(fd, content);
      keepOwner(fd, stat.uid, stat.gid);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, mode);
    runTestHook(realPath);
    checkUnchanged(path, expected, realPath);
    renameSync(temp, realPath);
    syncDirectory(dirname(realPath));
  } catch (error) {
    removeQuietly(temp);
    if (error instanceof ToolError) throw error;
    throw badInput(path, `cannot write: ${describeFsError(error)}`);
  }
}

/**
 * That `path` still holds `expected`, the bytes a run planned from; else the one message for a file
 * that an editor, git or another run changed (or removed) meanwhile. `realPath`: the file a
 * symlink resolved to, when that is what will be replaced.
 */
export function checkUnchanged(path: string, expected: Buffer, realPath = path): void {
  let current: Buffer;
  try {
    current = readFileSync(realPath);
  } catch (error) {
    throw badInput(path, `changed on disk while this run was working on it (now: ${describeFsError(error)}); nothing written, run again`);
  }
  if (!current.equals(expected)) {
    throw badInput(path, 'changed on disk while this run was working on it (an editor or git?); nothing written, run again');
  }
}

/**
 * A new file, or one nobody else is editing (`diff --output`): same temp name, full write, fsync
 * and rename as replaceFileAtomically, without the concurrent-edit re-check.
 */
export function writeFileAtomically(path: string, content: string | Buffer): void {
  removeStaleTemps(path);
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeAllBytes(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    syncDirectory(dirname(path));
  } catch (error) {
    removeQuietly(temp);
    throw badInput(path, `cannot write: ${describeFsError(error)}`);
  }
}

/**
 * writeFileAtomically into a folder that may not exist yet (`diff -o patches/`, `-o a/b/x.patch`):
 * the missing folders above `path` are made first, as `mkdir -p` does. Returns the file's folder
 * when this call made it (for the user to be told), else undefined. A parent that is a file is
 * bad input, naming it; when the write fails, the folders made for it are removed again, so a
 * failed run leaves the tree as it was.
 */
export function writeFileCreatingFolders(path: string, content: string | Buffer): string | undefined {
  const folder = dirname(path);
  let created: string | undefined;
  try {
    created = mkdirSync(folder, { recursive: true });
  } catch (error) {
    const code = errnoCode(error);
    const file = code === 'ENOTDIR' || code === 'EEXIST' ? nearestNonFolder(folder) : undefined;
    throw badInput(path, `cannot write: ${file === undefined ? describeFsError(error) : `${file} is a file, not a folder`}`);
  }
  try {
    writeFileAtomically(path, content);
  } catch (error) {
    if (created !== undefined) removeEmptyFolders(folder, created);
    throw error;
  }
  return created === undefined ? undefined : folder;
}

/** The closest of `folder` and its parents that exists and is not a folder. */
function nearestNonFolder(folder: string): string | undefined {
  for (let at = folder; ; at = dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) return at;
    } catch {
      // missing (or not reachable): look further up
    }
    if (dirname(at) === at) return undefined;
  }
}

/** Remove `folder` and its parents up to `top`, those mkdir made, while they are empty. */
function removeEmptyFolders(folder: string, top: string): void {
  const last = resolve(top);
  for (let at = resolve(folder); ; at = dirname(at)) {
    try {
      rmdirSync(at);
    } catch {
      return; // not empty (someone else's files) or already gone: leave it
    }
    if (at === last || dirname(at) === at) return;
  }
}

/** writeSync may write less than asked; loop until every byte is in the temp file. */
function writeAllBytes(fd: number, content: Buffer): void {
  let offset = 0;
  while (offset < content.length) offset += writeSync(fd, content, offset, content.length - offset);
}

/** As root, the new file keeps the owner of the one it replaces (others cannot chown, nor need to). */
function keepOwner(fd: number, uid: number, gid: number): void {
  if (process.getuid?.() !== 0) return;
  try {
    fchownSync(fd, uid, gid);
  } catch {
    // A file system without owners (FAT, some network mounts): nothing to keep.
  }
}

/**
 * Remove temp files of this target left by a run that was killed (SIGKILL, power cut): same host,
 * and their process is gone. A temp file of a live run, or of another host, is left alone.
 */
export function removeStaleTemps(realPath: string): string[] {
  const removed: string[] = [];
  for (const temp of tempsOf(realPath)) {
    if (!temp.stale) continue;
    try {
      if (!statSync(temp.path).isFile()) continue;
      unlinkSync(temp.path);
      removed.push(temp.path);
    } catch {
      // Gone already, or not ours to remove: it is ignored by every scan either way.
    }
  }
  return removed;
}

/**
 * Test seam, documented in docs/development.md ("Reliability"): when VERL_CRITIC_PATCH_TEST_BEFORE_RENAME
 * is set, that shell command runs after the temp file is written and before the target is
 * re-checked and replaced, with VCP_TARGET naming the target. Tests use it to play an editor or
 * `git checkout` saving the file between this run's read and its write, or a write failing midway.
 */
function runTestHook(realPath: string): void {
  const command = process.env.VERL_CRITIC_PATCH_TEST_BEFORE_RENAME;
  if (!command) return;
  spawnSync(command, { shell: true, stdio: 'ignore', env: { ...process.env, VCP_TARGET: realPath } });
}

function statOrThrow(path: string, which: string) {
  try {
    return statSync(which);
  } catch (error) {
    throw badInput(path, `cannot write: ${describeFsError(error)}`);
  }
}

function accessOrThrow(path: string, which: string, what: string): void {
  try {
    accessSync(which, constants.W_OK);
  } catch (error) {
    throw badInput(path, `${what}: ${describeFsError(error)}`);
  }
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every file system lets a directory be fsynced; the rename itself is still atomic.
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
