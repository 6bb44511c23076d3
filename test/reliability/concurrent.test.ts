/**
 * Concurrent edits: when a file changes between this tool's read and its write (an editor saves,
 * a `git checkout` runs), `apply` aborts with exit 2, keeps the other writer's content, and puts
 * back every file of the run it had already written.
 *
 * The other writer acts through a tiny documented test seam (src/io/atomicWrite.ts): the shell
 * command in VERL_CRITIC_PATCH_TEST_BEFORE_RENAME runs after the temp file is written and before
 * the target is re-checked and replaced, with VCP_TARGET naming the target. That puts the edit
 * deterministically in the worst place, the last moment before the rename, which a race against a
 * real process would hit only by luck. (What remains is the microseconds between that re-check
 * and the rename: docs/development.md, "Reliability".)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { git, gitRepo, hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { FIXTURE_DIR } from './cases.js';
import { leftoverTemps } from './cliAsync.js';
import { SEED, reportFigures } from './settings.js';
import { GIT, skipFileWithout } from '../helpers/systemPackages.js';

skipFileWithout(GIT);

const HOOK = 'VERL_CRITIC_PATCH_TEST_BEFORE_RENAME';
const FIXTURES = ['v0_9_keyword_only.py', 'v2025_04_three_line.py', 'crlf.py', 'tabs.py', 'bom.py'];
const source = (name: string) => readFileSync(join(FIXTURE_DIR, name));
const CHANGED = /changed on disk while this run was working on it/;

function applyWithHook(cwd: string, args: string[], hook: string, env: Record<string, string> = {}) {
  const result = runCli(['apply', ...args], { cwd, env: { [HOOK]: hook, ...env } });
  expect(hasStackTrace(result.stderr)).toBe(false);
  return result;
}

describe('the file changes between our read and our write', () => {
  it('an editor saves in place: exit 2, the editor\'s content stays', () => {
    const dir = tempDir('vcp-conc-');
    const file = join(dir, 'trainer.py');
    writeFileSync(file, source('v0_9_keyword_only.py'));
    const result = applyWithHook(dir, ['trainer.py'], `printf '# saved by an editor\\n' >> "$VCP_TARGET"`);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(CHANGED);
    expect(readFileSync(file).equals(Buffer.concat([source('v0_9_keyword_only.py'), Buffer.from('# saved by an editor\n')]))).toBe(true);
    expect(leftoverTemps(dir)).toEqual([]);
  });

  it('an editor saves by rename (write a copy, rename it over): exit 2, the editor\'s file stays', () => {
    const dir = tempDir('vcp-conc-');
    const file = join(dir, 'trainer.py');
    writeFileSync(file, source('v0_9_keyword_only.py'));
    const theirs = Buffer.from('# the editor\'s version\n');
    writeFileSync(join(dir, 'theirs'), theirs);
    const result = applyWithHook(dir, ['trainer.py'], `cp theirs "$VCP_TARGET.swp" && mv "$VCP_TARGET.swp" "$VCP_TARGET"`);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(CHANGED);
    expect(readFileSync(file).equals(theirs)).toBe(true);
    expect(leftoverTemps(dir)).toEqual([]);
  });

  it('a git checkout restores the committed version: exit 2, git\'s version stays', () => {
    const committed = source('v0_9_keyword_only.py');
    const repo = gitRepo({ 'trainer.py': committed });
    const edited = Buffer.concat([committed, Buffer.from('# local edit\n')]);
    writeFileSync(join(repo, 'trainer.py'), edited);
    const result = applyWithHook(repo, ['trainer.py'], 'git checkout -q -- trainer.py');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(CHANGED);
    expect(readFileSync(join(repo, 'trainer.py')).equals(committed)).toBe(true);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });

  it('the file is deleted meanwhile (a checkout of a branch without it): exit 2, it stays deleted', () => {
    const dir = tempDir('vcp-conc-');
    writeFileSync(join(dir, 'trainer.py'), source('v0_9_keyword_only.py'));
    const result = applyWithHook(dir, ['trainer.py'], 'rm -f "$VCP_TARGET"');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/changed on disk while this run was working on it \(now: no such file or directory\)/);
    expect(existsSync(join(dir, 'trainer.py'))).toBe(false);
    expect(leftoverTemps(dir)).toEqual([]);
  });

  it('the same bytes written again (an editor saving without changes) is not a change: apply goes on', () => {
    const dir = tempDir('vcp-conc-');
    writeFileSync(join(dir, 'trainer.py'), source('v0_9_keyword_only.py'));
    const result = applyWithHook(dir, ['trainer.py'], `cp "$VCP_TARGET" "$VCP_TARGET.bak" && mv "$VCP_TARGET.bak" "$VCP_TARGET"`);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'trainer.py'), 'utf8')).toContain('load_critic_only');
  });

  type Kind = 'append' | 'rename' | 'delete' | 'read-only';
  it('generated: several files, another writer edits one of them during the run; earlier writes are rolled back', () => {
    let runs = 0;
    fc.assert(
      fc.property(
          fc.integer({ min: 1, max: 4 }).chain((n) =>
            fc.record({
              n: fc.constant(n),
              trigger: fc.nat({ max: n - 1 }),
              victimOffset: fc.nat({ max: n - 1 }),
              kind: fc.constantFrom<Kind>('append', 'rename', 'delete', 'read-only'),
            }),
          ),
          ({ n, trigger, victimOffset, kind }) => {
            const victim = Math.min(n - 1, trigger + victimOffset);
            if (kind === 'read-only' && victim === trigger) kind = 'append'; // see below
            const dir = tempDir('vcp-conc-');
            const names = Array.from({ length: n }, (_, i) => `t${i}.py`);
            const originals = names.map((name, i) => {
              const bytes = source(FIXTURES[i % FIXTURES.length]!);
              writeFileSync(join(dir, name), bytes);
              return bytes;
            });
            const theirs = Buffer.from('# the other writer\'s version\n');
            writeFileSync(join(dir, 'theirs'), theirs);
            const act = {
              append: `printf '# edited\\n' >> "${names[victim]}"`,
              rename: `cp theirs "${names[victim]}.new" && mv "${names[victim]}.new" "${names[victim]}"`,
              delete: `rm -f "${names[victim]}"`,
              // Made read-only before its own turn, it fails the check every write starts with. (At
              // its own last moment a chmod does not change the bytes, so it is not a conflict.)
              'read-only': `chmod 444 "${names[victim]}"`,
            }[kind];
            // Once only: the hook also runs when the rollback rewrites the trigger file.
            const hook = `[ "$(basename "$VCP_TARGET")" = "${names[trigger]}" ] && [ ! -e fired ] && { touch fired; ${act}; }; true`;
            const result = applyWithHook(dir, names, hook);
            runs++;
            expect(result.code, result.stderr).toBe(2);
            expect(result.stderr).toContain('every file of this run was left as it was');
            names.forEach((name, i) => {
              const path = join(dir, name);
              if (i !== victim) return expect(readFileSync(path).equals(originals[i]!), `${name} restored`).toBe(true);
              if (kind === 'delete') return expect(existsSync(path)).toBe(false);
              if (kind === 'rename') return expect(readFileSync(path).equals(theirs)).toBe(true);
              if (kind === 'append') return expect(readFileSync(path).equals(Buffer.concat([originals[i]!, Buffer.from('# edited\n')]))).toBe(true);
              expect(readFileSync(path).equals(originals[i]!)).toBe(true);
              expect(lstatSync(path).mode & 0o777).toBe(0o444);
            });
            expect(leftoverTemps(dir)).toEqual([]);
            spawnSync('rm', ['-rf', dir]);
          },
      ),
      { numRuns: 24, seed: SEED },
    );
    reportFigures('concurrent edits', { runs });
  }, 300_000);
});
