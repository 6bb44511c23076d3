/** Running the built CLI the way users do, and scratch folders for it to work in. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './scratch.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI (tsc's output unless `entry` names another, such as the bundled bin) in a child process. */
export function runCli(args: string[], options: { cwd?: string; input?: string; env?: Record<string, string>; entry?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [options.entry ?? CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A scratch folder, removed after the test file (helpers/scratch.ts). */
export function tempDir(prefix = 'vcp-'): string {
  return scratchDir(prefix);
}

export function git(cwd: string, ...args: string[]): CliResult {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A fresh git work tree with one commit, so `git apply` and root-relative diff paths work. */
export function gitRepo(files: Record<string, string | Buffer> = {}): string {
  const dir = tempDir('vcp-repo-');
  git(dir, 'init', '-q');
  git(dir, 'config', 'user.email', 'tests@example.invalid');
  git(dir, 'config', 'user.name', 'tests');
  git(dir, 'config', 'core.autocrlf', 'false');
  for (const [path, content] of Object.entries(files)) writeFile(join(dir, path), content);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'fixture', '--allow-empty');
  return dir;
}

export function writeFile(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

export function copyInto(source: string, destination: string): void {
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(source, destination);
}

export const readBytes = (path: string): Buffer => readFileSync(path);

/** Every file below `dir` (not following links), by path relative to it: what gitRepo() takes. */
export function filesUnder(dir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path);
    }
  };
  walk(dir);
  return files;
}

/** A stack trace in CLI output is a bug whatever the exit code. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+\(.+:\d+:\d+\)|^\s+at .+:\d+:\d+$/m.test(text);
}
