/**
 * Atomic replacement of a file we read earlier: write a temp file beside it, fsync, copy the
 * mode (and, as root, the owner), re-check that the target still holds the bytes we planned
 * from, then rename over it. A crash leaves either the old file or the new one, never a mix; a
 * stray temp file is named so that nothing mistakes it for a target, and the next write of the
 * same target removes the ones whose process is gone.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, fchownSync, fsyncSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { badInput } from '../errors.js';
import { describeFsError } from './readSource.js';

export const TEMP_MARKER = '.verl-critic-patch-tmp-';

let tempCounter = 0;

function hostTag(): string {
  return hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'localhost';
}

/**
 * Temp name beside the target, `.<name>.verl-critic-patch-tmp-<host>-<pid>-<n>.tmp`: it starts
 * with a dot and ends in .tmp so no scan takes it for code; host and pid say whose it is.
 */
export function tempPathFor(realPath: string, pid = process.pid): string {
  const unique = `${Date.now().toString(36)}${(tempCounter++).toString(36)}`;
  return join(dirname(realPath), `.${basename(realPath)}${TEMP_MARKER}${hostTag()}-${pid}-${unique}.tmp`);
}

/** The host and pid of a temp file of `realPath`, or undefined when the name is not one. */
export function tempOwner(realPath: string, name: string): { host: string; pid: number } | undefined {
  const prefix = `.${basename(realPath)}${TEMP_MARKER}`;
  if (!name.startsWith(prefix) || !name.endsWith('.tmp')) return undefined;
  const match = /^(.+)-(\d+)-[0-9a-z]+\.tmp$/.exec(name.slice(prefix.length));
  return match ? { host: match[1]!, pid: Number(match[2]) } : undefined;
}

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
    let current: Buffer;
    try {
      current = readFileSync(realPath);
    } catch (error) {
      throw badInput(path, `changed on disk while this run was working on it (now: ${describeFsError(error)}); nothing written, run again`);
    }
    if (!current.equals(expected)) {
      throw badInput(path, 'changed on disk while this run was working on it (an editor or git?); nothing written, run again');
    }
    renameSync(temp, realPath);
    syncDirectory(dirname(realPath));
  } catch (error) {
    removeQuietly(temp);
    if (error instanceof Error && error.name === 'ToolError') throw error;
    throw badInput(path, `cannot write: ${describeFsError(error)}`);
  }
}

/**
 * A new file, or one nobody else is editing (`diff --output`): same temp name, full write, fsync
 * and rename as replaceFileAtomically, without the concurrent-edit re-check.
 */
export function writeFileAtomically(path: string, content: string | Buffer): void {
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
  let names: string[];
  try {
    names = readdirSync(dirname(realPath));
  } catch {
    return removed;
  }
  for (const name of names) {
    const owner = tempOwner(realPath, name);
    if (!owner || owner.host !== hostTag() || (owner.pid !== process.pid && isProcessAlive(owner.pid))) continue;
    const full = join(dirname(realPath), name);
    try {
      if (!statSync(full).isFile()) continue;
      unlinkSync(full);
      removed.push(full);
    } catch {
      // Gone already, or not ours to remove: it is ignored by every scan either way.
    }
  }
  return removed;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Test seam, documented in the README ("Reliability"): when VERL_CRITIC_PATCH_TEST_BEFORE_RENAME
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
