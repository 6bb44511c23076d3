/** The built CLI, spawned asynchronously so that a few cases run at once on a 2-core machine. */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { CLI, REPO_ROOT, type CliResult } from '../helpers/cli.js';

export interface TimedResult extends CliResult {
  ms: number;
  signal: NodeJS.Signals | null;
}

export function runCliAsync(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<TimedResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Run `tasks` with at most `parallel` at a time, keeping their order in the results. */
export async function pool<T>(tasks: ReadonlyArray<() => Promise<T>>, parallel: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, worker));
  return results;
}

/** Is this file name one of our temp files (the name docs/development.md, "Reliability", documents)? */
export function isTempName(name: string): boolean {
  return name.includes('.verl-critic-patch-tmp-');
}

/** Temp files of ours (see src/io/atomicWrite.ts) left in `dir`. */
export function leftoverTemps(dir: string): string[] {
  return readdirSync(dir).filter(isTempName);
}
