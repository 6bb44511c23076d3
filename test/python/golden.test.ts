/**
 * Every fixture through the pure planner, in-process, as input/output pairs (jscodeshift's
 * defineTest, LibCST's assertCodemod): the patch plan's diff equals its golden file in patches/,
 * the patched text plans as unchanged, and the revert plan gives back the input byte for byte.
 * Hand-guarded fixtures plan as unchanged and refuse a revert. test/cli/golden.test.ts shows that
 * the built CLI prints these same diffs and that they apply with git and patch.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/diffText.js';
import { applyEdits } from '../../src/edits.js';
import { decodeText } from '../../src/io/readSource.js';
import type { Plan } from '../../src/plan.js';
import { planText } from '../../src/planner.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { FIXTURE_DIR, GOLDEN_DIR, handGuardedFixtures, patchableFixtures } from '../helpers/fixtures.js';

const update = process.env.UPDATE_GOLDEN === '1';

function planFixture(name: string, direction: 'patch' | 'revert', text: string): Plan {
  return planText('trainer', direction, text, `fixtures/python/${name}`);
}

/** The text a change plan's edits give; the text the plan carries (made by its self-check) is the same. */
function applyChange(text: string, plan: Plan): string {
  if (plan.status !== 'change') throw new Error(`expected a change, got ${plan.status}: ${'reason' in plan ? plan.reason : plan.summary}`);
  const after = applyEdits(text, plan.edits);
  expect(plan.after).toBe(after);
  return after;
}

describe.each(patchableFixtures)('fixture %s', (name) => {
  const bytes = readFileSync(join(FIXTURE_DIR, name));
  const text = decodeText(name, bytes);
  const goldenPath = join(GOLDEN_DIR, `${basename(name, '.py')}.patch`);

  it('plans the golden diff', () => {
    const after = applyChange(text, planFixture(name, 'patch', text));
    const diff = unifiedDiff(`fixtures/python/${name}`, text, after).text;
    if (update || !existsSync(goldenPath)) writeFileSync(goldenPath, diff);
    expect(diff).toBe(readFileSync(goldenPath, 'utf8'));
  });

  it('plans nothing more for the patched text, and reverts it byte for byte', () => {
    const plan = planFixture(name, 'patch', text);
    const after = applyChange(text, plan);
    const again = planFixture(name, 'patch', after);
    expect(again.status).toBe('unchanged');
    if (plan.status === 'change' && again.status === 'unchanged') {
      expect(again.actorLoads.map((load) => load.method)).toEqual(plan.actorLoads.map((load) => load.method));
      expect(again.actorLoads.every((load) => load.guarded)).toBe(true);
    }
    expect(Buffer.from(applyChange(after, planFixture(name, 'revert', after)), 'utf8').equals(bytes)).toBe(true);
    expect(planFixture(name, 'revert', text).status).toBe('unchanged');
  });
});

describe.each(handGuardedFixtures)('hand-guarded fixture %s', (name) => {
  const text = readFileSync(join(FIXTURE_DIR, name), 'utf8');

  it('plans as unchanged, every load guarded', () => {
    const plan = planFixture(name, 'patch', text);
    expect(plan.status).toBe('unchanged');
    if (plan.status === 'unchanged') expect(plan.actorLoads.every((load) => load.guarded)).toBe(true);
  });

  it('refuses a revert of a guard this tool did not write', () => {
    expect(planFixture(name, 'revert', text)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/not written by verl-critic-patch/) });
  });
});

it('every golden patch belongs to a fixture (no stale goldens)', () => {
  const goldens = readdirSync(GOLDEN_DIR).filter((name) => name.endsWith('.patch'));
  expect(goldens.sort()).toEqual(patchableFixtures.map((name) => `${basename(name, '.py')}.patch`).sort());
  expect(existsSync(join(REPO_ROOT, 'patches', 'README.md'))).toBe(true);
});
