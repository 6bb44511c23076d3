/**
 * The view of a trainer YAML the planner reads (src/config/plannerView.ts) must change nothing but
 * speed: a plan made on the view is the plan made on the whole file, edits, messages and line
 * numbers alike. Shown on every fixture (both directions, before and after the patch) and on
 * generated YAMLs in every shape the view takes or declines, then damaged; plus what the view
 * itself must be (same length, the kept entries byte for byte) and when there is none.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plannerView } from '../../src/config/plannerView.js';
import { planConfigText, planTrainerConfig } from '../../src/config/trainerYaml.js';
import { applyEdits } from '../../src/edits.js';
import type { Direction } from '../../src/plan.js';
import { PROPERTY_RUNS, PROPERTY_TIMEOUT_MS, SEED } from '../reliability/settings.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/config');
const fixtures = readdirSync(FIXTURES)
  .filter((n) => n.endsWith('.yaml'))
  .map((name) => ({ name, text: readFileSync(join(FIXTURES, name), 'utf8') }));
const PATHS = ['verl/trainer/config/ppo_trainer.yaml', 'verl/trainer/config/_generated_ppo_trainer.yaml'];
const DIRECTIONS: Direction[] = ['patch', 'revert'];
/** Insertions that break YAML in every way the two parsers might judge differently. */
const DAMAGE = fc.constantFrom(
  ...[':', '{', '}', '[', ']', ',', '"', "'", '\t', '  ', '#', '\\q', '? ', '|', '>', '%', '@', '`', '!x '],
  ...[' &a', ' *a', '\n---\n', '\r\n', '\n- ', '\n  ', '\n    x: 1', '\n  resume_mode: a', '\n  load_critic_only: x'],
);

/**
 * The plan through the view, against the plan of the whole text, for every path and direction.
 * The one difference allowed, by design: the whole text has an error outside what the view keeps
 * that only the yaml package's full load finds (a key written twice in another section); the view
 * does not read there, so it plans the trainer section. Returns how often that happened.
 */
function expectSamePlans(text: string): number {
  let outside = 0;
  for (const path of PATHS) {
    for (const direction of DIRECTIONS) {
      const viewed = planTrainerConfig(direction, text, path);
      const whole = planConfigText(direction, text, path);
      if (whole.status === 'malformed' && viewed.status !== 'malformed' && isOutsideView(text, whole.reason)) {
        outside++;
        continue;
      }
      expect(viewed, `${direction} ${path}: ${JSON.stringify(text)}`).toEqual(whole);
    }
  }
  return outside;
}

/** Whether the line an error message names is one the view blanked out. */
function isOutsideView(text: string, reason: string): boolean {
  const line = Number(/\bline (\d+)/.exec(reason)?.[1]);
  const view = plannerView(text);
  if (!line || view === undefined) return false;
  const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
  const [start, end] = [starts[line - 1] ?? text.length, starts[line] ?? text.length];
  return view.slice(start, end) !== text.slice(start, end);
}

/** The text after a patch, so that revert is compared on a text that has our key. */
function patched(text: string, path: string): string {
  const plan = planConfigText('patch', text, path);
  return plan.status === 'change' ? applyEdits(text, plan.edits) : text;
}

/** Top-level entries in the shapes real configs use, and some they rarely do. */
const ENTRY = fc.constantFrom(
  'trainer:\n  # how to resume\n  resume_mode: auto\n  resume_from_path: null\n  nnodes: 1\n',
  'trainer:\n  resume_mode: auto # trailing\n  note: |\n    a block scalar\n\n  tail: >-\n    folded\n',
  'trainer:\n  resume_mode: auto\n  resume_from_path: null\n  load_critic_only: False\n',
  'trainer: {resume_mode: auto}\n',
  'defaults:\n  - ppo_trainer\n  - _self_\n',
  'defaults:\n- /ppo_megatron_trainer@_here_\n',
  'critic:\n  optim:\n    lr: 1e-5\n',
  'actor_rollout_ref: {}\n',
  'data:\n  files: [a,\n    b]\n  text: "two\n    lines"\n',
  'data:\n  script: |\n    trainer:\n      resume_mode: auto\n',
  '# a comment at the top level\n',
  '\n',
  'empty:\n',
  'list:\n  - x: 1\n    y: 2\n  - z\n',
);

describe('the view of a trainer YAML', () => {
  it('gives the plans the whole file gives on generated configs (entries in any order, CRLF, a BOM, no final newline)', () => {
    fc.assert(
      fc.property(fc.array(ENTRY, { minLength: 1, maxLength: 7 }), fc.boolean(), fc.boolean(), fc.boolean(), (entries, crlf, bom, trimEnd) => {
        let text = (bom ? '\uFEFF' : '') + entries.join('');
        if (trimEnd) text = text.replace(/\n$/, '');
        if (crlf) text = text.replace(/\n/g, '\r\n');
        expectSamePlans(text);
        const view = plannerView(text);
        if (view !== undefined) expect(view.length).toBe(text.length);
      }),
      { numRuns: Math.max(200, Math.round(PROPERTY_RUNS / 10)), seed: SEED },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('keeps the length, and the trainer and defaults entries byte for byte, of every fixture with a trainer section', () => {
    const withTrainer = fixtures.filter((f) => f.name !== 'broken.yaml' && /^trainer:/m.test(f.text));
    expect(withTrainer.length).toBeGreaterThan(4);
    for (const { name, text } of withTrainer) {
      const view = plannerView(text);
      expect(view, name).toBeDefined();
      expect(view!.length, name).toBe(text.length);
      for (const key of ['trainer:', 'defaults:']) {
        const start = text.startsWith(key) ? 0 : text.indexOf(`\n${key}`) + 1;
        if (start <= 0 && !text.startsWith(key)) continue;
        const next = text.slice(start + 1).search(/\n[^\s#]/);
        const end = next < 0 ? text.length : start + 1 + next;
        expect(view!.slice(start, end), `${name} ${key}`).toBe(text.slice(start, end));
      }
      // Everything else is gone: the big sections of the generated snapshot are not in the view.
      if (text.includes('\nactor_rollout_ref:\n')) expect(view).not.toMatch(/^ +ppo_mini_batch_size/m);
    }
  });

  it('is not taken where YAML reaches across entries or the structure is not plain', () => {
    const trainer = 'trainer:\n  resume_mode: auto\n  resume_from_path: null\n';
    for (const text of [
      `base: &b\n  x: 1\n${trainer}`,
      `other: *b\n${trainer}`,
      `other: !!str 1\n${trainer}`,
      `%YAML 1.2\n---\n${trainer}`,
      `${trainer}---\nother: 1\n`,
      `${trainer}other: 1\nother: 2\n`,
      `"other": 1\n${trainer}`,
      `? other\n: 1\n${trainer}`,
      `other: [1,\n${trainer}`,
      `- 1\n- 2\n`,
      '',
      '# only a comment\n',
    ]) {
      expect(plannerView(text), JSON.stringify(text)).toBeUndefined();
      expectSamePlans(text);
    }
  });

  it('gives every fixture the plans the whole file gives, before and after the patch', () => {
    for (const { text } of fixtures) {
      expectSamePlans(text);
      for (const path of PATHS) expectSamePlans(patched(text, path));
    }
  });

  it('gives the plans the whole file gives on fixtures with lines cut away and damage inserted', () => {
    const texts = fixtures.map((f) => f.text);
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(fc.record({ at: fc.nat(), insert: DAMAGE }), { maxLength: 3 }),
        fc.boolean(),
        (text, cuts, damages, crlf) => {
          const lines = text.split(/(?<=\n)/);
          for (const cut of cuts) lines.splice(cut % (lines.length || 1), 1);
          let candidate = lines.join('');
          for (const { at, insert } of damages) {
            const where = at % (candidate.length + 1);
            candidate = candidate.slice(0, where) + insert + candidate.slice(where);
          }
          if (crlf) candidate = candidate.replace(/\r?\n/g, '\r\n');
          expectSamePlans(candidate);
        },
      ),
      { numRuns: Math.max(300, Math.round(PROPERTY_RUNS / 6)), seed: SEED },
    );
  }, PROPERTY_TIMEOUT_MS);

  // The one allowed difference, shown on a case made for it rather than left to the generator:
  // whether a seed happens to write a key twice in another section was a matter of luck (a seed
  // that did not failed the run).
  it('plans the trainer section when only a full load finds a key written twice in another section', () => {
    const text = fixtures.find((f) => f.name === 'ppo_trainer.yaml')!.text;
    const data = text.indexOf('\ndata:\n') + '\ndata:\n'.length;
    const twice = `${text.slice(0, data)}  written_twice: 1\n  written_twice: 2\n${text.slice(data)}`;
    expect(planConfigText('patch', twice, PATHS[0]!).status).toBe('malformed');
    expect(expectSamePlans(twice)).toBe(PATHS.length * DIRECTIONS.length);
  });
});
