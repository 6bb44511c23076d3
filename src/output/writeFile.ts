/**
 * Writing a new output file (`diff --output`) atomically: a temp file beside it, fsync, rename.
 * A reader (or a crash) sees the old file or the whole new one, never half a patch.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { badInput } from '../errors.js';
import { describeFsError } from '../io/readSource.js';

export function writeFileAtomically(path: string, content: string): void {
  const temp = join(dirname(path), `.${basename(path)}.verl-critic-patch-tmp-${process.pid}-${Date.now().toString(36)}.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // no temp file was created, or it is already gone
    }
    throw badInput(path, `cannot write: ${describeFsError(error)}`);
  }
}
