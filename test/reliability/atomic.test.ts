/**
 * A run is all or nothing: every target is checked before the first is written, a write that
 * fails midway puts back the files already written, and (defence in depth) when python3 cannot
 * compile a written Python file the whole run is rolled back. --no-verify skips the compile; no
 * usable python3 is reported, not an error.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, filesUnder, git, gitRepo, hasStackTrace, runCli, tempDir, writeFile, type CliResult } from '../helpers/cli.js';
import { FIXTURE_DIR } from './cases.js';
import { leftoverTemps } from './cliAsync.js';
import { CHATTR, chattrProblem, GIT, lacks, PYTHON3, skipBecause, skipFileWithout } from '../helpers/systemPackages.js';

skipFileWithout(GIT);

const HOOK = 'VERL_CRITIC_PATCH_TEST_BEFORE_RENAME';
const EXAMPLE = join(REPO_ROOT, 'fixtures', 'examples', 'verl-0.9');
const fixture = (name: string) => readFileSync(join(FIXTURE_DIR, name));

/** A checkout whose apply writes four files: three trainers and the trainer YAML. */
function checkout(extra: Record<string, Buffer | string> = {}): string {
  const files: Record<string, Buffer | string> = filesUnder(EXAMPLE);
  files['recipe/spin/spin_trainer.py'] = fixture('v2025_04_three_line.py');
  files['verl/trainer/main_ppo_sync.py'] = fixture('crlf.py');
  return gitRepo({ ...files, ...extra });
}

/** Files the run changed, per git (untracked leftovers excluded). */
const changed = (repo: string) => git(repo, 'diff', '--name-only').stdout.trim().split('\n').filter(Boolean);

/** The files apply writes in this checkout, in the order it writes them. */
function written(repo: string): string[] {
  const log = join(tempDir('vcp-order-'), 'written.order');
  const apply = runCli(['apply', '.'], { cwd: repo, env: { [HOOK]: `echo "$VCP_TARGET" >> "${log}"` } });
  expect(apply.code, apply.stderr).toBe(0);
  const root = realpathSync(repo);
  const files = readFileSync(log, 'utf8').trim().split('\n').map((path) => relative(root, path));
  expect([...files].sort()).toEqual(changed(repo));
  git(repo, 'checkout', '-q', '--', '.');
  return files;
}

function clean(result: CliResult): void {
  expect(hasStackTrace(result.stderr)).toBe(false);
  expect(result.stderr).not.toMatch(/internal error/);
}

const chattr = !lacks(CHATTR) && !skipBecause('the chattr +i rename test', chattrProblem(tempDir('vcp-probe-')));

describe('all or nothing', () => {
  it('a checkout whose apply writes five files (the fixture for the tests below)', () => {
    expect(written(checkout()).sort()).toEqual([
      'recipe/spin/spin_trainer.py',
      'verl/trainer/config/_generated_ppo_trainer.yaml',
      'verl/trainer/config/ppo_trainer.yaml',
      'verl/trainer/main_ppo_sync.py',
      'verl/trainer/ppo/ray_trainer.py',
    ]);
  });

  it('one target cannot be written (read-only): refused before the first write, nothing changes', () => {
    const repo = checkout();
    chmodSync(join(repo, 'recipe/spin/spin_trainer.py'), 0o444);
    const log = join(repo, '..', `${repo.split('/').pop()}.writes`);
    const apply = runCli(['apply', '.'], { cwd: repo, env: { [HOOK]: `echo "$VCP_TARGET" >> "${log}"` } });
    clean(apply);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toMatch(/spin_trainer\.py: read-only file \(mode 0444\)/);
    expect(existsSync(log)).toBe(false); // not one temp file was even written
    expect(changed(repo)).toEqual([]);
  });

  it('a write that fails midway, at every position: the files already written are put back', () => {
    const positions = written(checkout()).length;
    for (let k = 1; k <= positions; k++) {
      const repo = checkout();
      // The k-th write meets another writer: the file it is about to replace has changed.
      const hook = `n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ $n -eq ${k} ] && printf '# other writer\\n' >> "$VCP_TARGET"; true`;
      const apply = runCli(['apply', '.'], { cwd: repo, env: { [HOOK]: hook } });
      clean(apply);
      expect(apply.code, `k=${k}`).toBe(2);
      expect(apply.stderr).toMatch(/changed on disk while this run was working on it.*every file of this run was left as it was/);
      // Only the other writer's change remains.
      expect(changed(repo), `k=${k}`).toHaveLength(1);
      expect(git(repo, 'diff').stdout).toMatch(/^\+# other writer$/m);
      expect(git(repo, 'diff').stdout).not.toMatch(/load_critic_only/);
    }
  });

  it.skipIf(!chattr)('a rename that fails midway (the folder became immutable): rolled back, the leftover is removed by the next run', () => {
    const repo = checkout();
    // The second write makes its own folder immutable: its rename then fails.
    const second = written(checkout())[1]!;
    const folder = join(repo, second, '..');
    const hook = `n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ $n -eq 2 ] && chattr +i "$(dirname "$VCP_TARGET")"; true`;
    try {
      const apply = runCli(['apply', '.'], { cwd: repo, env: { [HOOK]: hook } });
      clean(apply);
      expect(apply.code).toBe(2);
      expect(apply.stderr).toMatch(/cannot write: permission denied; every file of this run was left as it was/);
      expect(changed(repo)).toEqual([]);
    } finally {
      spawnSync('chattr', ['-i', folder]);
    }
    // The temp file could not be removed inside the immutable folder; the next run removes it.
    const leftovers = leftoverTemps(folder);
    const next = runCli(['apply', '.'], { cwd: repo });
    expect(next.code, next.stderr).toBe(0);
    expect(leftoverTemps(folder)).toEqual([]);
    expect(leftovers.length).toBeLessThanOrEqual(1);
  });

  it('when rolling back fails too, the message says which file still differs and does not claim otherwise', () => {
    const repo = checkout();
    const first = written(checkout())[0]!;
    // At the second write: that file changes (so the run stops) and so does the first, already
    // written file (so putting it back would destroy the other writer's edit: it is left alone).
    const hook = `n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ $n -eq 2 ] && { printf '# x\\n' >> "$VCP_TARGET"; printf '# y\\n' >> "${join(repo, first)}"; }; true`;
    const apply = runCli(['apply', '.'], { cwd: repo, env: { [HOOK]: hook } });
    clean(apply);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toMatch(new RegExp(`rolling back failed for ${first.replace(/[.]/g, '\\.')} \\(changed on disk`));
    expect(apply.stderr).not.toMatch(/left as it was/);
    expect(readFileSync(join(repo, first), 'utf8')).toMatch(/load_critic_only[\s\S]*# y\n$/);
  });
});

describe('python3 compiles what apply wrote', () => {
  function fakePython(): string {
    // Speaks src/io/python3.ts's protocol ("-" is standard input); "does not compile" any file
    // holding the marker (with FAKE_ONLY_PATCHED=1, only once it also holds the guard: then the
    // original compiles).
    const dir = tempDir('vcp-fakepy-');
    writeFileSync(
      join(dir, 'python3'),
      `#!/bin/sh
shift 4
echo '{"python": "3.99-fake"}'
for f in "$@"; do
  if grep -q VCP_DOES_NOT_COMPILE "$f" && { [ -z "$FAKE_ONLY_PATCHED" ] || grep -q load_critic_only "$f"; }; then
    echo '{"ok": false, "syntax": true, "line": 7, "type": "SyntaxError", "text": "fake"}'
  else
    echo '{"ok": true}'
  fi
done
`,
    );
    chmodSync(join(dir, 'python3'), 0o755);
    return dir;
  }
  const withPath = (dir: string) => ({ PATH: `${dir}:${process.env.PATH}` });
  const marked = () => Buffer.concat([fixture('v2025_04_three_line.py'), Buffer.from('# VCP_DOES_NOT_COMPILE\n')]);

  it('a patched file that does not compile (the original does): the whole checkout run is rolled back, exit 1', () => {
    const repo = checkout({ 'recipe/spin/spin_trainer.py': marked() });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'marked');
    const apply = runCli(['apply', '.'], { cwd: repo, env: { ...withPath(fakePython()), FAKE_ONLY_PATCHED: '1' } });
    clean(apply);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/spin_trainer\.py: internal check failed: python3 3\.99-fake cannot compile the patched file \(line 7: SyntaxError: fake\), so the run was rolled back; every file of this run was left as it was/);
    expect(changed(repo)).toEqual([]);
  });

  it('an input python3 cannot compile either: exit 2 before anything is written, as diff and check say', () => {
    const repo = checkout({ 'recipe/spin/spin_trainer.py': marked() });
    const env = withPath(fakePython());
    const reason = /spin_trainer\.py:7: Python syntax error: fake \(SyntaxError, python3 3\.99-fake\); if VeRL runs on another Python, name it in place of the path \(--python PY: the verl it imports, judged by it\), or --no-verify skips this check/;
    const apply = runCli(['apply', '.'], { cwd: repo, env });
    clean(apply);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toMatch(reason);
    expect(changed(repo)).toEqual([]);
    for (const verb of ['diff', 'check']) {
      const run = runCli([verb, '.'], { cwd: repo, env });
      expect(run.code, verb).toBe(2);
      expect(run.stderr).toMatch(reason);
    }
  });

  it.skipIf(lacks(PYTHON3)).each([
    ['a Python 2 print statement', 'print "resumed"\n', /Missing parentheses in call to 'print'/],
    ['a duplicate argument (ast.parse accepts it, the compiler does not)', 'def helper(a, a):\n    return a\n', /duplicate argument 'a' in function definition/],
  ])('real python3: %s, which tree-sitter accepts, is caught and rolled back', (_name, tail, message) => {
    const dir = tempDir('vcp-verify-');
    const original = Buffer.concat([fixture('v0_9_keyword_only.py'), Buffer.from(tail)]);
    writeFile(join(dir, 'trainer.py'), original);
    const apply = runCli(['apply', 'trainer.py'], { cwd: dir });
    clean(apply);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toMatch(/trainer\.py:\d+: Python syntax error: .* \(SyntaxError, python3 [\d.]+\); /);
    expect(apply.stderr).toMatch(message);
    expect(readFileSync(join(dir, 'trainer.py')).equals(original)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['trainer.py']); // no temp file, no __pycache__

    const unverified = runCli(['apply', '--no-verify', '--json', 'trainer.py'], { cwd: dir });
    expect(unverified.code, unverified.stderr).toBe(0);
    expect(JSON.parse(unverified.stdout).verify).toEqual({ status: 'skipped', reason: '--no-verify' });
    expect(readFileSync(join(dir, 'trainer.py'), 'utf8')).toContain('load_critic_only');
  });

  it.skipIf(lacks(PYTHON3))('a normal apply compiles every Python file it wrote, writes no __pycache__, and says so in --json', () => {
    const repo = checkout();
    const apply = runCli(['apply', '--json', '.'], { cwd: repo });
    expect(apply.code, apply.stderr).toBe(0);
    expect(JSON.parse(apply.stdout).verify).toMatchObject({ status: 'compiled', files: 3 });
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all').stdout).not.toMatch(/__pycache__|\.pyc|verl-critic-patch-tmp/);
  });

  it('no python3 on PATH, or one that does not run: the files are written and the missing check is reported', () => {
    // runCli starts node by its absolute path: PATH only decides which python3 there is.
    const empty = tempDir('vcp-nopy-');
    const broken = tempDir('vcp-brokenpy-');
    writeFileSync(join(broken, 'python3'), '#!/bin/sh\necho "pyenv: python3: command not found" >&2\nexit 127\n');
    chmodSync(join(broken, 'python3'), 0o755);
    for (const [path, reason] of [
      [empty, /not verified: no python3 on PATH, so the written files were not compiled/],
      [broken, /not verified: python3 on PATH did not run \(exit 127: pyenv: python3: command not found\)/],
    ] as const) {
      const dir = tempDir('vcp-verify-');
      writeFile(join(dir, 'trainer.py'), fixture('v0_9_keyword_only.py'));
      const apply = runCli(['apply', 'trainer.py'], { cwd: dir, env: { PATH: path } });
      clean(apply);
      expect(apply.code, apply.stderr).toBe(0);
      expect(apply.stderr).toMatch(reason);
      expect(readFileSync(join(dir, 'trainer.py'), 'utf8')).toContain('load_critic_only');
      const json = runCli(['revert', 'trainer.py'], { cwd: dir, env: { PATH: path } });
      expect(json.code).toBe(0);
      const again = runCli(['apply', '--json', 'trainer.py'], { cwd: dir, env: { PATH: path } });
      expect(JSON.parse(again.stdout).verify.status).toBe('unavailable');
    }
  });
});
