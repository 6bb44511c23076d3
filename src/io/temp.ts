/**
 * Temp names for crash-safe writes, one scheme for a file (apply, revert, diff --output) and a
 * folder (stage): a sibling of the target, so that the final rename stays on one filesystem and is
 * atomic:
 *
 *     .<name>.verl-critic-patch-tmp-<host>-<pid>.tmp
 *
 * It starts with a dot and ends in .tmp, so no scan takes it for a trainer or a config. Host and
 * pid say whose it is: a later run removes the leftovers of a run that was killed (SIGKILL, power
 * cut), and leaves alone those of a live run or of another host (checkpoints and checkouts often
 * sit on storage that many nodes share, and a pid means something only on its own machine).
 */
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

export const TEMP_MARKER = '.verl-critic-patch-tmp-';
/** What a temp folder is renamed to while it is deleted (see checkpoint/stage.ts). */
export const REMOVING_SUFFIX = '.removing';

/** This machine, as written into temp names: letters, digits, `.` and `-` kept, anything else `_`. */
export function hostTag(): string {
  return hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'localhost';
}

/** The temp path for `target` (a file or folder path) of process `pid`. */
export function tempPathFor(target: string, pid = process.pid): string {
  return join(dirname(target), `.${basename(target)}${TEMP_MARKER}${hostTag()}-${pid}.tmp`);
}

/** The host and pid in a temp name of `target` (with or without REMOVING_SUFFIX), or undefined. */
export function tempOwner(target: string, name: string): { host: string; pid: number } | undefined {
  const prefix = `.${basename(target)}${TEMP_MARKER}`;
  if (!name.startsWith(prefix)) return undefined;
  const match = /^(.+)-(\d+)\.tmp(?:\.removing)?$/.exec(name.slice(prefix.length));
  return match ? { host: match[1]!, pid: Number(match[2]) } : undefined;
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

export interface TempEntry {
  path: string;
  /** Left by a run that is over: this host, and this process or a dead one. */
  stale: boolean;
}

/** The temp files or folders of `target` beside it, each marked stale or not. */
export function tempsOf(target: string, alive: (pid: number) => boolean = isProcessAlive): TempEntry[] {
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return []; // an unreadable folder: nothing we could clean up there anyway
  }
  const host = hostTag();
  return names.flatMap((name) => {
    const owner = tempOwner(target, name);
    if (!owner) return [];
    const stale = owner.host === host && (owner.pid === process.pid || !alive(owner.pid));
    return [{ path: join(dirname(target), name), stale }];
  });
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Until the returned function is called, a SIGINT/SIGTERM/SIGHUP removes the temp folder `folder`
 * and then ends the process with that same signal (so the shell sees 130 for Ctrl-C, as usual).
 * The removal is synchronous because a multi-gigabyte copy in flight cannot be awaited to its end.
 */
export function removeOnSignal(folder: string, beforeRemove?: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    release();
    try {
      beforeRemove?.(signal);
    } catch {
      // Cleaning up matters more than a message; and a throw here would print a stack trace.
    }
    removeFolderNow(folder);
    process.kill(process.pid, signal);
  };
  const release = () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return release;
}

/**
 * Removes a temp folder while a link or copy may still be running on libuv's thread pool and be
 * about to create a file in it (which made a plain recursive delete fail with ENOTEMPTY). Renaming
 * the folder first means no new entry can appear under it by its old path; only then is it
 * deleted. Never throws: if the delete still fails, the `.removing` folder is a leftover that a
 * later sweep of stale temps removes.
 */
export function removeFolderNow(folder: string): void {
  let target = folder;
  try {
    renameSync(folder, `${folder}${REMOVING_SUFFIX}`);
    target = `${folder}${REMOVING_SUFFIX}`;
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
