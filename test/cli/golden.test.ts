/**
 * The golden diffs end to end, through the built CLI, all fixtures in one run of each verb: the
 * CLI prints exactly the goldens (test/python/golden.test.ts checks them against the planner), the
 * printed diff applies with `git apply` and `patch -p1`, `apply` writes what they write, the
 * result parses and compiles with CPython and behaves right when run with stubs (the stub harness),
 * a second apply changes nothing, `check --applied` passes, and `revert` restores every byte.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, git, gitRepo, hasStackTrace, readBytes, runCli, type CliResult } from '../helpers/cli.js';
import { FIXTURE_DIR, GOLDEN_DIR, handGuardedFixtures, patchableFixtures } from '../helpers/fixtures.js';
import { checkWithPython } from '../reliability/batch.js';
import { GIT, PYTHON3, skipFileWithout } from '../helpers/systemPackages.js';

skipFileWithout(GIT, PYTHON3);

const rel = (name: string) => `fixtures/python/${name}`;
const patchable = patchableFixtures.map(rel);
const handGuarded = handGuardedFixtures.map(rel);
const originals = Object.fromEntries([...patchableFixtures, ...handGuardedFixtures].map((name) => [rel(name), readBytes(join(FIXTURE_DIR, name))]));
const filesOf = (paths: string[]) => Object.fromEntries(paths.map((path) => [path, originals[path]!]));

describe('every patchable fixture, one run per verb', () => {
  const goldens = patchableFixtures.map((name) => readFileSync(join(GOLDEN_DIR, `${basename(name, '.py')}.patch`), 'utf8'));
  let diff: CliResult;
  beforeAll(() => {
    diff = runCli(['diff', ...patchable]);
  });

  it('diff prints the golden diffs, in the order of the arguments, and where to apply them', () => {
    expect(diff.stderr).toBe(`apply with: cd ${REPO_ROOT.replace(/\/$/, '')} && git apply <patch file>   (or: patch -p1 < <patch file>)\n`);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toBe(goldens.join(''));
  });

  it('the diff applies with git apply and patch -p1, apply writes the same bytes, and the result runs right', async () => {
    const patchFile = join(gitRepo(), 'all.patch');
    writeFileSync(patchFile, diff.stdout);
    const byGit = gitRepo(filesOf(patchable));
    expect(git(byGit, 'apply', '--check', patchFile).stderr).toBe('');
    expect(git(byGit, 'apply', patchFile).code).toBe(0);
    const byPatch = gitRepo(filesOf(patchable));
    const patched = spawnSync('patch', ['-p1', '--quiet', '--binary', '-i', patchFile], { cwd: byPatch, encoding: 'utf8' });
    expect(patched.status, patched.stderr + patched.stdout).toBe(0);
    const byTool = gitRepo(filesOf(patchable));
    const apply = runCli(['apply', ...patchable], { cwd: byTool });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout.split('\n').filter(Boolean)).toEqual(patchable.map((path) => expect.stringMatching(new RegExp(`^patched ${path} \\(`))));

    for (const path of patchable) {
      const expected = readBytes(join(byGit, path));
      expect(expected.equals(originals[path]!), path).toBe(false);
      expect(readBytes(join(byTool, path)).equals(expected), path).toBe(true);
      expect(readBytes(join(byPatch, path)).equals(expected), path).toBe(true);
    }

    const verdicts = await checkWithPython(patchable.map((path) => ({ id: path, original: originals[path]!, patched: readBytes(join(byTool, path)), stub: true })));
    for (const path of patchable) {
      const verdict = verdicts.get(path)!;
      expect(verdict.patched, path).toEqual({ ast: null, compile: null });
      expect(verdict.stub, path).toEqual({ ok: true, problems: [] });
    }
  });

  it('a second apply changes nothing, check --applied passes, and revert restores every byte', () => {
    const repo = gitRepo(filesOf(patchable));
    expect(runCli(['apply', ...patchable], { cwd: repo }).code).toBe(0);
    const once = Object.fromEntries(patchable.map((path) => [path, readBytes(join(repo, path))]));
    const again = runCli(['apply', ...patchable], { cwd: repo });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(patchable.map((path) => `already patched ${path}\n`).join(''));
    for (const path of patchable) expect(readBytes(join(repo, path)).equals(once[path]!), path).toBe(true);
    expect(runCli(['diff', ...patchable], { cwd: repo }).stdout).toBe('');
    expect(runCli(['check', '--applied', ...patchable], { cwd: repo }).code).toBe(0);

    const revert = runCli(['revert', ...patchable], { cwd: repo });
    expect(revert.code, revert.stderr).toBe(0);
    expect(hasStackTrace(revert.stderr)).toBe(false);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });
});

describe('the hand-guarded fixtures', () => {
  it('are recognised as patched: empty diff, check --applied passes, apply writes nothing', () => {
    const diff = runCli(['diff', ...handGuarded]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toBe('');
    expect(diff.stderr).toBe(handGuarded.map((path) => `${path}: already patched, nothing to change\n`).join(''));
    expect(runCli(['check', '--applied', ...handGuarded]).code).toBe(0);
    const repo = gitRepo(filesOf(handGuarded));
    expect(runCli(['apply', ...handGuarded], { cwd: repo }).code).toBe(0);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });

  it('revert refuses to remove guards this tool did not write (exit 1), and leaves every file', () => {
    const repo = gitRepo(filesOf(handGuarded));
    const revert = runCli(['revert', ...handGuarded], { cwd: repo });
    expect(revert.code).toBe(1);
    const lines = revert.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(handGuarded.length);
    for (const line of lines) expect(line).toMatch(/^verl-critic-patch: fixtures\/python\/hand_guard_\w+\.py:\d+: .*not written by verl-critic-patch/);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });
});
