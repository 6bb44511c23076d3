/**
 * Atomic replacement of a file we read earlier: write a temp file beside it, fsync, copy the
 * mode, re-check that the target still holds the bytes we planned from, then rename over it.
 * A crash leaves either the old file or the new one, never a mix; a stray temp file is named
 * so that nothing mistakes it for a target (and it is removed on the next failure path).
 */
import { closeSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { badInput } from '../errors.js';
import { describeFsError } from './readSource.js';

export const TEMP_MARKER = '.verl-critic-patch-tmp-';

/** Temp name beside the target; starts with a dot and ends in .tmp so no scan takes it for code. */
export function tempPathFor(realPath: string): string {
  return join(dirname(realPath), `.${basename(realPath)}${TEMP_MARKER}${process.pid}-${Date.now().toString(36)}.tmp`);
}

export function replaceFileAtomically(path: string, expected: Buffer, content: Buffer): void {
  // Write through a symlink to the file it points to, keeping the link itself.
  let realPath: string;
  let mode: number;
  try {
    realPath = realpathSync(path);
    mode = statSync(realPath).mode & 0o7777;
  } catch (error) {
    throw badInput(path, `cannot write: ${describeFsError(error)}`);
  }
  const temp = tempPathFor(realPath);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, mode);
    if (!readFileSync(realPath).equals(expected)) {
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
