/**
 * Scratch folders for tests, removed when their test file is over (test/setupScratch.ts), so that
 * a run of the suite leaves nothing behind in the temp folder (it left hundreds per run).
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new empty folder in the temp folder, removed after this test file. */
export function scratchDir(prefix = 'vcp-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder scratchDir made in this test file (folders a test made unreadable included). */
export function removeScratchDirs(): void {
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A test that took the permissions away (not root): give them back, then remove.
      makeWritable(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function makeWritable(dir: string): void {
  try {
    chmodSync(dir, 0o700);
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) makeWritable(join(dir, entry.name));
  } catch {
    // Best effort: rmSync names what is left.
  }
}
