/**
 * Every refusal path: the exit code docs/reference.md documents, one line on stderr naming the file and
 * the reason, no stack trace, nothing on stdout, and the file left exactly as it was.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, gitRepo, hasStackTrace, readBytes, runCli, tempDir, writeFile } from '../helpers/cli.js';
import { GIT, lacks } from '../helpers/systemPackages.js';

const REFUSE = join(REPO_ROOT, 'fixtures', 'refuse');

/** fixture -> [exit code, what the one-line reason must say] */
const CASES: Record<string, [number, RegExp]> = {
  'v0_1_no_load_checkpoint.py': [1, /predates checkpoint resume \(added in v0\.2, Feb 2025\)/],
  'no_real_actor_load.py': [1, /has no actor checkpoint load/],
  'super_only_subclass.py': [1, /only calls super\(\)\._load_checkpoint\(\); patch the file of the parent class/],
  'easyr1_renamed.py': [1, /EasyR1-style trainer/],
  'inherits_from_sync_base.py': [1, /RemoteBackendPPO inherits `_load_checkpoint` from `PPOTrainerSync`: patch the file that defines it/],
  'untraced_group_load.py': [1, /cannot tell which checkpoint self\.actor_update_wg\.load_checkpoint\(folder\) loads/],
  'syntax_error_in_method.py': [2, /Python syntax error: '\(' was never closed/],
  'non_utf8.py': [2, /not valid UTF-8 text/],
  'binary.py': [2, /binary content/],
};

describe.each(Object.entries(CASES))('refused fixture %s', (name, [exitCode, reason]) => {
  const rel = `fixtures/refuse/${name}`;

  it.skipIf(lacks(GIT)).each(['diff', 'apply', 'check', 'revert'])('%s exits with the documented code and one line', (verb) => {
    const original = readBytes(join(REFUSE, name));
    const repo = gitRepo({ [rel]: original });
    const result = runCli([verb, rel], { cwd: repo });
    expect(result.code).toBe(exitCode);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^verl-critic-patch: ${rel.replace(/\./g, '\\.')}(:\\d+)?: `));
    expect(lines[0]).toMatch(reason);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(readBytes(join(repo, rel)).equals(original)).toBe(true);
  });

  it('--json reports the refusal as one JSON document with the same exit code', () => {
    const result = runCli(['check', '--json', rel]);
    expect(result.code).toBe(exitCode);
    const report = JSON.parse(result.stdout);
    expect(report.exitCode).toBe(exitCode);
    expect(report.targets[0].status).toBe(exitCode === 1 ? 'refused' : 'error');
    expect(report.targets[0].reason).toMatch(reason);
  });
});

it('a syntax error is located the way Python locates it (line of the unclosed parenthesis)', () => {
  const result = runCli(['check', '--json', 'fixtures/refuse/syntax_error_in_method.py']);
  expect(JSON.parse(result.stdout).targets[0].line).toBe(18);
  expect(runCli(['check', 'fixtures/refuse/syntax_error_in_method.py']).stderr).toMatch(/syntax_error_in_method\.py:18: /);
});

it('a lone CR is refused at the line it ends, CRLF and LF lines before it counted once each', () => {
  const path = join(tempDir(), 'lone_cr.py');
  writeFile(path, 'a = 1\r\nb = 2\n# c\rd = 3\n');
  const result = runCli(['check', path]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`${path}: line 3 ends with a lone CR`);
});

describe('bad input and usage', () => {
  const cases: [string, string[], RegExp][] = [
    ['a missing path', ['diff', 'no/such/file.py'], /^verl-critic-patch: no\/such\/file\.py: no such file or directory$/],
    ['a folder that holds nothing of VeRL at all', ['diff', 'docs'], /^verl-critic-patch: docs: holds no VeRL copy .* and no trainer that calls self\.actor_rollout_wg\.load_checkpoint/],
    ['no target at all', ['diff'], /missing required argument/],
    ['an unknown verb', ['frobnicate', 'x.py'], /unknown command/],
    ['an unknown option', ['diff', '--frob', 'x.py'], /unknown option/],
  ];
  it.each(cases)('%s exits 2 with one clear line', (_label, args, message) => {
    const result = runCli(args);
    expect(result.code).toBe(2);
    // Notes about what was scanned may come first; the error is one line of its own.
    expect(result.stderr.split('\n').filter((line) => line.startsWith('verl-critic-patch:') || line.startsWith('error:'))).toEqual([expect.stringMatching(message)]);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('an empty file is refused as predating checkpoint resume, and stays empty', () => {
    const dir = tempDir();
    writeFile(join(dir, 'empty.py'), '');
    const result = runCli(['apply', 'empty.py'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(readBytes(join(dir, 'empty.py')).length).toBe(0);
  });

  it('a FIFO is refused without being opened', () => {
    const dir = tempDir();
    const made = spawnSync('mkfifo', [join(dir, 'pipe.py')]);
    expect(made.status).toBe(0);
    const result = runCli(['apply', 'pipe.py'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pipe\.py: not a regular file/);
  });

  it.skipIf(lacks(GIT))('a checkout with no trainer that loads an actor exits 1 and names the checkout', () => {
    const repo = gitRepo({ 'verl/trainer/ppo/ray_trainer.py': 'class RayPPOTrainer:\n    def fit(self):\n        pass\n', 'verl/version/version': '0.1\n' });
    const result = runCli(['check', '.'], { cwd: repo });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ray_trainer\.py: no _load_checkpoint method: this VeRL predates checkpoint resume/);
  });
});
