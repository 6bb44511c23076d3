/**
 * A patch verb given only paths (`diff PATH...`) runs without commander (src/cli.ts, PATHS_ONLY),
 * with the options each verb declares as what commander would hand it. These show that those are
 * commander's own values, that such a run answers exactly as the same command line parsed by
 * commander does, and that it does skip commander.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Command } from 'commander';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { applyDefaults, registerApply } from '../../src/commands/apply.js';
import { checkDefaults, registerCheck } from '../../src/commands/check.js';
import { diffDefaults, registerDiff } from '../../src/commands/diff.js';
import { registerRevert, revertDefaults } from '../../src/commands/revert.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const work = tempDir('vcp-paths-only-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const VERBS = [
  ['diff', registerDiff, diffDefaults],
  ['apply', registerApply, applyDefaults],
  ['check', registerCheck, checkDefaults],
  ['revert', registerRevert, revertDefaults],
] as const;

/** `--format text` is the default: with it, the same run goes through commander. */
const throughCommander = (verb: string, paths: string[]) => [verb, '--format', 'text', ...paths];

describe('a patch verb given only paths', () => {
  it.each(VERBS)("%s gets exactly the options commander gives it", (verb, register, defaults) => {
    const program = new Command();
    register(program);
    const command = program.commands.find((c) => c.name() === verb)!;
    // Before parsing, a command's option values are its defaults: what a command line without options leaves.
    expect(defaults()).toEqual(command.opts());
  });

  it.each([
    ['diff', 'fixtures/examples/verl-0.9'],
    ['diff', 'fixtures/python/semicolon_joined.py', 'fixtures/python/tabs.py'],
    ['diff', 'fixtures/refuse/syntax_error_in_method.py'],
    ['diff', 'no/such/file.py'],
    ['check', 'fixtures/examples/verl-0.9'],
    ['check', 'fixtures/refuse/super_only_subclass.py', 'fixtures/python/bom.py'],
    ['revert', 'fixtures/python/crlf.py'],
  ])('%s %s… answers exactly as the command line parsed by commander', (verb, ...paths) => {
    expect(runCli([verb, ...paths])).toEqual(runCli(throughCommander(verb, paths)));
  });

  it('apply and revert write exactly as through commander', () => {
    const results = ['paths-only', 'commander'].map((name) => {
      const checkout = join(work, name);
      cpSync(join(REPO_ROOT, 'fixtures', 'examples', 'verl-0.9'), checkout, { recursive: true });
      const args = (verb: string) => (name === 'paths-only' ? [verb, checkout] : throughCommander(verb, [checkout]));
      const apply = runCli(args('apply'));
      const patched = readFileSync(join(checkout, 'verl/trainer/ppo/ray_trainer.py'), 'utf8');
      const revert = runCli(args('revert'));
      const strip = (r: { code: number; stdout: string; stderr: string }) => ({ ...r, stdout: r.stdout.replaceAll(checkout, 'X'), stderr: r.stderr.replaceAll(checkout, 'X') });
      return { apply: strip(apply), patched, revert: strip(revert) };
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.patched).toContain('load_critic_only');
  });

  it('answers as through commander whatever the paths are spelled like', () => {
    // Names commander could read as something else (`help`, a verb, spaces, an empty string) are paths too.
    const path = fc.oneof(fc.constantFrom('help', 'diff', '', ' ', 'fixtures/python/tabs.py', 'fixtures', '.', 'a b', '--'), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.constantFrom('diff', 'check'), fc.array(path, { minLength: 1, maxLength: 2 }), (verb, paths) => {
        // Inside the checkout only: a random `/` or `..` would scan the machine, whose temp folder
        // other test files change while the two runs read it (and it takes minutes).
        fc.pre(paths.every((p) => !p.startsWith('-') && !p.includes('\0') && !isAbsolute(p) && !p.split(/[\\/]/).includes('..')));
        expect(runCli([verb, ...paths])).toEqual(runCli(throughCommander(verb, paths)));
      }),
      { numRuns: 12 },
    );
  });

  it('does not load commander (and does when there is an option)', () => {
    // NODE_DEBUG=module logs every module Node.js loads; tsc's output loads commander as a module.
    const pathsOnly = runCli(['diff', 'fixtures/python/tabs.py'], { env: { NODE_DEBUG: 'module' } });
    expect(pathsOnly.code).toBe(0);
    expect(pathsOnly.stderr).not.toMatch(/commander/);
    const withOption = runCli(['diff', '--quiet', 'fixtures/python/tabs.py'], { env: { NODE_DEBUG: 'module' } });
    expect(withOption.stderr).toMatch(/commander/);
  });
});
