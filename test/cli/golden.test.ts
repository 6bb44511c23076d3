/**
 * Every patchable fixture, end to end through the built CLI: the diff equals its golden file in
 * patches/, applies with `git apply` and `patch -p1`, equals what `apply` writes byte for byte,
 * parses with Python's ast, behaves right when run with stubs, is stable under a second apply, and
 * reverts to the original bytes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, copyInto, git, gitRepo, hasStackTrace, readBytes, runCli } from '../helpers/cli.js';
import { pythonParses, runStubHarness } from '../helpers/python.js';

const FIXTURES = join(REPO_ROOT, 'fixtures', 'python');
const PATCHES = join(REPO_ROOT, 'patches');
const fixtureNames = readdirSync(FIXTURES).filter((name) => name.endsWith('.py')).sort();
const handGuarded = fixtureNames.filter((name) => name.startsWith('hand_guard_'));
const patchable = fixtureNames.filter((name) => !handGuarded.includes(name));
const update = process.env.UPDATE_GOLDEN === '1';

describe.each(patchable)('fixture %s', (name) => {
  const rel = `fixtures/python/${name}`;
  const goldenPath = join(PATCHES, `${basename(name, '.py')}.patch`);
  const original = readBytes(join(FIXTURES, name));

  it('diff matches the golden patch, applies with git apply and patch -p1, and equals apply', () => {
    const diff = runCli(['diff', rel]);
    expect(diff.stderr).toBe('');
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(new RegExp(`^--- a/${rel}\n\\+\\+\\+ b/${rel}\n@@ `));
    if (update || !existsSync(goldenPath)) writeFileSync(goldenPath, diff.stdout);
    expect(diff.stdout).toBe(readFileSync(goldenPath, 'utf8'));

    const byGit = gitRepo({ [rel]: original });
    const patchFile = join(byGit, '..', `${basename(byGit)}.patch`);
    writeFileSync(patchFile, diff.stdout);
    expect(git(byGit, 'apply', '--check', patchFile).stderr).toBe('');
    expect(git(byGit, 'apply', patchFile).code).toBe(0);

    const byPatch = gitRepo({ [rel]: original });
    const patched = spawnSync('patch', ['-p1', '--quiet', '--binary', '-i', patchFile], { cwd: byPatch, encoding: 'utf8' });
    expect(patched.status, patched.stderr + patched.stdout).toBe(0);

    const byTool = gitRepo({ [rel]: original });
    const apply = runCli(['apply', rel], { cwd: byTool });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/^patched /);

    const expected = readBytes(join(byGit, rel));
    expect(readBytes(join(byTool, rel)).equals(expected)).toBe(true);
    expect(readBytes(join(byPatch, rel)).equals(expected)).toBe(true);
    expect(expected.equals(original)).toBe(false);
  });

  it('the patched file parses with ast and runs right with stubs', () => {
    const repo = gitRepo({ [rel]: original });
    expect(runCli(['apply', rel], { cwd: repo }).code).toBe(0);
    const parsed = pythonParses(join(repo, rel));
    expect(parsed.error ?? '').toBe('');
    expect(parsed.ok).toBe(true);
    const harness = runStubHarness(join(FIXTURES, name), join(repo, rel));
    expect(harness.problems).toEqual([]);
    expect(harness.ok).toBe(true);
  });

  it('a second apply changes nothing, check passes, and revert restores every byte', () => {
    const repo = gitRepo({ [rel]: original });
    expect(runCli(['apply', rel], { cwd: repo }).code).toBe(0);
    const once = readBytes(join(repo, rel));
    const again = runCli(['apply', rel], { cwd: repo });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already patched');
    expect(readBytes(join(repo, rel)).equals(once)).toBe(true);
    expect(runCli(['diff', rel], { cwd: repo }).stdout).toBe('');
    expect(runCli(['check', '--applied', rel], { cwd: repo }).code).toBe(0);

    const revert = runCli(['revert', rel], { cwd: repo });
    expect(revert.code, revert.stderr).toBe(0);
    expect(readBytes(join(repo, rel)).equals(original)).toBe(true);
    expect(hasStackTrace(revert.stderr)).toBe(false);
  });
});

describe.each(handGuarded)('hand-guarded fixture %s', (name) => {
  const rel = `fixtures/python/${name}`;

  it('is recognised as patched: empty diff, check --applied passes, apply writes nothing', () => {
    const original = readBytes(join(FIXTURES, name));
    const diff = runCli(['diff', rel]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toBe('');
    expect(diff.stderr).toContain('already patched');
    expect(runCli(['check', '--applied', rel]).code).toBe(0);
    const repo = gitRepo({ [rel]: original });
    expect(runCli(['apply', rel], { cwd: repo }).code).toBe(0);
    expect(readBytes(join(repo, rel)).equals(original)).toBe(true);
  });

  it('revert refuses to remove a guard this tool did not write, and leaves the file', () => {
    const repo = gitRepo({ [rel]: readBytes(join(FIXTURES, name)) });
    const revert = runCli(['revert', rel], { cwd: repo });
    expect(revert.code).toBe(1);
    expect(revert.stderr).toMatch(/not written by verl-critic-patch/);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });
});

it('every golden patch belongs to a fixture (no stale goldens)', () => {
  const goldens = readdirSync(PATCHES).filter((name) => name.endsWith('.patch'));
  for (const golden of goldens) expect(patchable).toContain(golden.replace(/\.patch$/, '.py'));
});
