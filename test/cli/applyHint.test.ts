/**
 * `diff`'s "apply with: cd DIR && git apply FILE" line works as printed, run from anywhere: FILE is
 * the file the diff went to (stdout redirected to a file, or --output), named from DIR; where the
 * CLI cannot know it (stdout a pipe), the line says so with a placeholder instead of a file name
 * that does not exist.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, filesUnder, gitRepo, runCli, tempDir } from '../helpers/cli.js';
import { GIT, skipFileWithout } from '../helpers/systemPackages.js';

skipFileWithout(GIT);

const EXAMPLE = join(REPO_ROOT, 'fixtures', 'examples', 'verl-0.9');

/** The CLI with its stdout redirected to `file`, as `verl-critic-patch ARGS > FILE` does. */
function runToFile(args: string[], file: string, cwd: string) {
  const fd = openSync(file, 'w');
  try {
    const run = spawnSync(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: run.status, stderr: run.stderr };
  } finally {
    closeSync(fd);
  }
}

/** The `cd … && git apply …` part of the apply line, and its `patch -p1 < …` alternative. */
function applyCommands(stderr: string): { git: string; patch: string } {
  const match = /^apply with: (cd .+? && )(git apply .+?) {3}\(or: (patch -p1 < .+)\)$/m.exec(stderr);
  expect(match, stderr).not.toBeNull();
  return { git: `${match![1]}${match![2]}`, patch: `${match![1]}${match![3]}` };
}

/** Runs `command` with sh from `cwd`, as a user pasting it would. */
function sh(command: string, cwd: string) {
  const run = spawnSync('/bin/sh', ['-c', command], { cwd, encoding: 'utf8' });
  return { code: run.status, output: run.stdout + run.stderr };
}

/** A checkout (a git work tree) in `parent/verl`, below a fresh folder. */
function checkout(parent = tempDir('vcp-hint-')): { root: string; parent: string } {
  const repo = gitRepo(filesUnder(EXAMPLE));
  const root = join(parent, 'verl');
  mkdirSync(parent, { recursive: true });
  spawnSync('mv', [repo, root]);
  return { root, parent };
}

describe("diff's apply line works as printed", () => {
  it('stdout redirected to a file beside the checkout: the file, relative to the folder it cds into', () => {
    const { root, parent } = checkout();
    const { code, stderr } = runToFile(['diff', 'verl'], join(parent, 'load-critic-only.patch'), parent);
    expect(code, stderr).toBe(0);
    const { git, patch } = applyCommands(stderr);
    expect(git).toBe(`cd ${root} && git apply ../load-critic-only.patch`);
    expect(patch).toBe(`cd ${root} && patch -p1 < ../load-critic-only.patch`);
    expect(readFileSync(join(parent, 'load-critic-only.patch'), 'utf8')).toContain('load_critic_only');
    // Pasted from another folder, as printed.
    expect(sh(`${git} --check`, tempDir()).code).toBe(0);
    expect(sh(git, tempDir())).toEqual({ code: 0, output: '' });
    expect(readFileSync(join(root, 'verl', 'trainer', 'ppo', 'ray_trainer.py'), 'utf8')).toContain('load_critic_only');
  });

  it('stdout redirected to a file far from the checkout: an absolute path', () => {
    const { root } = checkout(join(tempDir('vcp-hint-'), 'a', 'b', 'c', 'd', 'e', 'f'));
    const file = join(tempDir('vcp-p-'), 'x.patch');
    const { code, stderr } = runToFile(['diff', root], file, tempDir());
    expect(code, stderr).toBe(0);
    const { git, patch } = applyCommands(stderr);
    expect(git).toBe(`cd ${root} && git apply ${file}`);
    expect(sh(`${git} --check`, tempDir()).code).toBe(0);
    expect(sh(patch.replace('patch -p1', 'patch -p1 --dry-run'), tempDir()).code).toBe(0);
  });

  it('--output, given relative to the folder the command ran in: the file as seen from the checkout', () => {
    const { root, parent } = checkout();
    const { code, stderr } = runCli(['diff', '--output', 'reviews/new/', 'verl'], { cwd: parent });
    expect(code, stderr).toBe(0);
    const { git } = applyCommands(stderr);
    expect(git).toBe(`cd ${root} && git apply ../reviews/new/verl-0.9.0-load-critic-only.patch`);
    expect(sh(`${git} --check`, tempDir()).code).toBe(0);
  });

  it('stdout a pipe: a placeholder, never a file name that does not exist', () => {
    const { root, parent } = checkout();
    const { code, stdout, stderr } = runCli(['diff', 'verl'], { cwd: parent });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('load_critic_only');
    expect(applyCommands(stderr)).toEqual({ git: `cd ${root} && git apply <patch file>`, patch: `cd ${root} && patch -p1 < <patch file>` });
  });
});
