/**
 * The stub-execution harness must be able both to pass and to fail: fixtures parse, a fixture
 * run against itself passes only where the guard is already there, a correct hand-made patch
 * passes, and wrong patches (critic guarded instead of actor, actor load dropped) fail.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pythonParses, runStubHarness, type StubHarnessReport } from '../helpers/python.js';
import { PYTHON3, skipFileWithout } from '../helpers/systemPackages.js';
import { scratchDir } from '../helpers/scratch.js';

skipFileWithout(PYTHON3);

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(REPO_ROOT, 'fixtures', 'python');
const REFUSE = join(REPO_ROOT, 'fixtures', 'refuse');
const fixtureNames = readdirSync(FIXTURES).filter((name) => name.endsWith('.py')).sort();
const handGuarded = fixtureNames.filter((name) => name.startsWith('hand_guard_'));
const unguarded = fixtureNames.filter((name) => !handGuarded.includes(name));

const scratch = scratchDir('vcp-harness-');
function scratchFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}
const report = (raw: unknown) => raw as StubHarnessReport;
const withCheck = (problems: string[], letter: string) => problems.filter((p) => p.includes(`(${letter})`));

// Pieces of v2025_04_three_line.py that the hand-made variants below rewrite.
const THREE_LINE = join(FIXTURES, 'v2025_04_three_line.py');
const threeLineText = readFileSync(THREE_LINE, 'utf8');
const ACTOR_LOAD = [
  '        self.actor_rollout_wg.load_checkpoint(',
  '            actor_path, del_local_after_load=self.config.trainer.del_local_ckpt_after_load',
  '        )',
  '',
].join('\n');
const CRITIC_LOAD = [
  '        if self.use_critic:',
  '            self.critic_wg.load_checkpoint(',
  '                critic_path, del_local_after_load=self.config.trainer.del_local_ckpt_after_load',
  '            )',
  '',
].join('\n');
const GUARD = '        if not self.config.trainer.get("load_critic_only", False):\n';
const indent = (block: string) =>
  block
    .split('\n')
    .map((line) => (line ? `    ${line}` : line))
    .join('\n');
function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one occurrence of:\n${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

describe('fixtures', () => {
  it('finds the expected fixture set', () => {
    expect(fixtureNames.length).toBeGreaterThanOrEqual(31);
    expect(handGuarded).toHaveLength(4);
  });

  it.each(fixtureNames)('%s parses with ast', (name) => {
    const result = pythonParses(join(FIXTURES, name));
    expect(result.error ?? '').toBe('');
    expect(result.ok).toBe(true);
  });

  it.each(['syntax_error_in_method.py', 'binary.py'])('refusal fixture %s does not parse', (name) => {
    const result = pythonParses(join(REFUSE, name));
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/SyntaxError/);
  });
});

describe('a fixture run against itself', () => {
  it.each(handGuarded)('%s (already guarded) passes every check', (name) => {
    const path = join(FIXTURES, name);
    const result = runStubHarness(path, path);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    const raw = report(result.raw);
    expect(raw.checks).toEqual({ a: true, b: true, c: true, d: true, e: true });
    for (const cls of raw.classes) expect(cls.real_actor_loads).toBeGreaterThan(0);
  });

  it.each(unguarded)('%s (unguarded) holds (a) but fails (b): the flag does nothing', (name) => {
    const path = join(FIXTURES, name);
    const result = runStubHarness(path, path);
    const raw = report(result.raw);
    expect(result.ok).toBe(false);
    expect(raw.classes.length).toBeGreaterThan(0);
    expect(raw.checks.a).toBe(true);
    expect(raw.checks.d).toBe(true);
    expect(raw.checks.e).toBe(true);
    expect(raw.checks.b).toBe(false);
    expect(withCheck(result.problems, 'a')).toEqual([]);
    expect(withCheck(result.problems, 'd')).toEqual([]);
    expect(withCheck(result.problems, 'b').length).toBeGreaterThan(0);
    // Nothing but (b) and its companion (c) may be wrong.
    expect(result.problems.filter((p) => !p.includes('(b)') && !p.includes('(c)'))).toEqual([]);
  });
});

describe('hand-made patches of v2025_04_three_line.py', () => {
  it('a correct guard (with an else that mentions load_critic_only) passes', () => {
    const patched = replaceOnce(
      threeLineText,
      ACTOR_LOAD,
      GUARD + indent(ACTOR_LOAD) + '        else:\n            print("load_critic_only=True: the actor keeps its initial weights")\n',
    );
    const result = runStubHarness(THREE_LINE, scratchFile('correct.py', patched));
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('the same guard without any message fails (c) only', () => {
    const patched = replaceOnce(threeLineText, ACTOR_LOAD, GUARD + indent(ACTOR_LOAD));
    const result = runStubHarness(THREE_LINE, scratchFile('silent.py', patched));
    expect(result.ok).toBe(false);
    expect(report(result.raw).checks).toEqual({ a: true, b: true, c: false, d: true, e: true });
  });

  it('guarding the critic load instead of the actor load fails (b)', () => {
    const patched = replaceOnce(
      threeLineText,
      CRITIC_LOAD,
      GUARD + indent(CRITIC_LOAD) + '        else:\n            print("load_critic_only=True: critic skipped")\n',
    );
    const result = runStubHarness(THREE_LINE, scratchFile('critic_guarded.py', patched));
    expect(result.ok).toBe(false);
    expect(report(result.raw).checks.a).toBe(true);
    expect(report(result.raw).checks.b).toBe(false);
    expect(withCheck(result.problems, 'b').join('\n')).toContain('critic_wg.load_checkpoint');
  });

  it('dropping the actor load unconditionally fails (a)', () => {
    const patched = replaceOnce(threeLineText, ACTOR_LOAD, '        print("load_critic_only: actor load removed")\n');
    const result = runStubHarness(THREE_LINE, scratchFile('dropped.py', patched));
    expect(result.ok).toBe(false);
    expect(report(result.raw).checks.a).toBe(false);
    expect(withCheck(result.problems, 'a').join('\n')).toContain('actor_rollout_wg.load_checkpoint');
  });

  it('a patched file that does not parse is a verdict (not ok), not a harness failure', () => {
    const patched = replaceOnce(threeLineText, ACTOR_LOAD, '        if not self.config.trainer.get("load_critic_only", False)\n' + indent(ACTOR_LOAD));
    const result = runStubHarness(THREE_LINE, scratchFile('broken.py', patched));
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/PATCHED .* cannot be imported: SyntaxError/);
  });
});

describe('harness failures', () => {
  it('throw instead of passing for a verdict', () => {
    expect(() => runStubHarness(join(scratch, 'missing.py'), THREE_LINE)).toThrow(/stub harness failed \(exit 3\)/);
  });
});
