/**
 * The package's bin is the bundle (scripts/bundle.mjs): dist/bin/verl-critic-patch.cjs, with the
 * `yaml` package in dist/bin/yaml.cjs. The other tests run tsc's output (dist/cli.js); these show
 * the bin behaves exactly like it (same stdout, stderr and exit code on every verb, on success,
 * refusal and bad input), and that a run on one Python file never loads the YAML half.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const BIN = join(REPO_ROOT, pkg.bin['verl-critic-patch']!);
const EXAMPLE = join(REPO_ROOT, 'fixtures', 'examples', 'verl-0.9');
const work = tempDir('vcp-bundle-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the bundled bin', () => {
  it.each([
    [['--version']],
    [['--help']],
    [['diff', '--help']],
    [['diff', 'fixtures/examples/verl-0.9']],
    [['diff', 'fixtures/python/v0_9_keyword_only.py']],
    [['check', '--json', 'fixtures/examples/verl-0.9']],
    [['check', '--format', 'github', 'fixtures/refuse/super_only_subclass.py']],
    [['diff', 'fixtures/refuse/syntax_error_in_method.py']],
    [['diff', 'fixtures/config/no-such-file.yaml']],
    [['diff', '--colour', 'x']],
    [['inspect', 'no/such/run']],
    [['nonsense']],
  ])('answers %j exactly as dist/cli.js does', (args) => {
    const bundled = runCli(args, { entry: BIN });
    const unbundled = runCli(args, { entry: CLI });
    expect(bundled).toEqual(unbundled);
  });

  it('applies and reverts a checkout exactly as dist/cli.js does', () => {
    const results = ['bundled', 'unbundled'].map((name) => {
      const checkout = join(work, name);
      cpSync(EXAMPLE, checkout, { recursive: true });
      const entry = name === 'bundled' ? BIN : CLI;
      const apply = runCli(['apply', checkout], { entry, cwd: work });
      const patched = readFileSync(join(checkout, 'verl/trainer/ppo/ray_trainer.py'), 'utf8');
      const revert = runCli(['revert', '--json', checkout], { entry, cwd: work });
      return { apply: { ...apply, stdout: apply.stdout.replaceAll(name, 'X'), stderr: apply.stderr.replaceAll(name, 'X') }, patched, revert: revert.stdout.replaceAll(name, 'X') };
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.patched).toContain('load_critic_only');
  });

  it('loads the yaml half only when a YAML can be a target', () => {
    // NODE_DEBUG=module logs every module Node.js loads; the YAML half is dist/bin/yaml.cjs.
    const trainerOnly = runCli(['diff', 'fixtures/python/v0_9_keyword_only.py'], { entry: BIN, env: { NODE_DEBUG: 'module' } });
    expect(trainerOnly.code).toBe(0);
    expect(trainerOnly.stderr).not.toContain('yaml.cjs');
    const checkout = runCli(['diff', 'fixtures/examples/verl-0.9'], { entry: BIN, env: { NODE_DEBUG: 'module' } });
    expect(checkout.code).toBe(0);
    expect(checkout.stderr).toContain('yaml.cjs');
  });
});
