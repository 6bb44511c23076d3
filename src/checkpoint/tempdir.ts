/**
 * The temporary folder `stage` builds in, beside `<out>` so that the final rename stays on one
 * filesystem (and is therefore atomic): `<out>.tmp-verl-critic-patch-<host>-<pid>`.
 *
 * - On an error or SIGINT/SIGTERM/SIGHUP the folder is removed, so `<out>` never half-exists.
 * - A SIGKILL (or a power cut) cannot be caught and leaves the temp folder behind. `<out>` itself is
 *   still absent, and the next `stage` into the same `<out>` removes such leftovers: the host and
 *   pid in the name say whose it is, and a folder is only removed when that process is gone and
 *   the folder holds nothing but what `stage` puts there.
 * - The host is in the name because checkpoints usually sit on storage shared by many nodes: a
 *   pid is only meaningful on the machine that wrote it.
 */
import { renameSync, rmSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { STAGED_STEP_DIR } from './layout.js';

const MARK = '.tmp-verl-critic-patch-';

function hostTag(): string {
  return os.hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'localhost';
}

export function tempPathFor(out: string, pid = process.pid): string {
  return `${out}${MARK}${hostTag()}-${pid}`;
}

/**
 * `<base>.tmp-verl-critic-patch-<host>-<pid>` (or the same with `.removing`, see removeNow) ->
 * { host, pid } when the name belongs to `base`.
 */
export function parseTempName(name: string, base: string): { host: string; pid: number } | null {
  if (!name.startsWith(base + MARK)) return null;
  const match = /^(.+)-(\d+)(?:\.removing)?$/.exec(name.slice(base.length + MARK.length));
  return match ? { host: match[1]!, pid: Number(match[2]) } : null;
}

/** Whether a process exists. EPERM means it exists but belongs to another user. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp folders that an earlier, killed `stage` into the same `<out>` left behind.
 * Returns the removed paths, and the ones left alone (alive owner, other host, unexpected content)
 * so the caller can mention them.
 */
export async function removeStaleTemps(
  out: string,
  alive: (pid: number) => boolean = isProcessAlive,
): Promise<{ removed: string[]; kept: string[] }> {
  const parent = path.dirname(out);
  const base = path.basename(out);
  const removed: string[] = [];
  const kept: string[] = [];
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return { removed, kept };
  }
  for (const name of names) {
    const owner = parseTempName(name, base);
    if (!owner) continue;
    const full = path.join(parent, name);
    const ours = owner.host === hostTag() && (owner.pid === process.pid || !alive(owner.pid));
    if (ours && (await holdsOnlyStagedStep(full))) {
      await rm(full, { recursive: true, force: true, maxRetries: 3 });
      removed.push(full);
    } else {
      kept.push(full);
    }
  }
  return { removed, kept };
}

/** A safety check before a recursive delete: the folder holds at most `global_step_0/`. */
async function holdsOnlyStagedStep(folder: string): Promise<boolean> {
  try {
    const names = await readdir(folder);
    return names.every((n) => n === STAGED_STEP_DIR);
  } catch {
    return false;
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Until the returned function is called, a SIGINT/SIGTERM/SIGHUP removes `folder` and then ends
 * the process with that same signal (so the shell sees 130 for Ctrl-C, as usual). The removal is
 * synchronous because a multi-gigabyte copy in flight cannot be awaited to its end first.
 */
export function removeOnSignal(folder: string, beforeRemove?: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    release();
    try {
      beforeRemove?.(signal);
    } catch {
      // Cleaning up matters more than a message; and a throw here would print a stack trace.
    }
    removeNow(folder);
    process.kill(process.pid, signal);
  };
  const release = () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return release;
}

/**
 * Removes `folder` from a signal handler, while a link or copy may still be running on libuv's
 * thread pool and about to create a file in it (which made a plain recursive delete fail with
 * ENOTEMPTY). Renaming the folder first means no new entry can appear under it by its old path;
 * only then is it deleted. Never throws: if the delete still fails, the `.removing` folder is a
 * leftover that the next `stage` into the same `<out>` removes.
 */
function removeNow(folder: string): void {
  let target = folder;
  try {
    renameSync(folder, `${folder}.removing`);
    target = `${folder}.removing`;
  } catch {
    // Not there yet (signal before the first mkdir), or the rename failed: delete in place.
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      rmSync(target, { recursive: true, force: true, maxRetries: 3, retryDelay: 10 });
      return;
    } catch {
      // Retry: the one in-flight operation finishes quickly.
    }
  }
}
