/**
 * The YAML text test a checkout scan runs before parsing (src/config/textTest.ts) may only ever
 * let too much through: a text it fails must be one the planner, in either direction, calls no
 * target or cannot parse. Shown on every fixture and on generated YAMLs that hide or spell the two
 * keys in every way YAML allows (quotes, escapes, explicit keys, tags, flow style, aliases, merge
 * keys, later documents, comments, CRLF, a BOM), with the words then erased or the text damaged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayHoldTrainerSection } from '../../src/config/textTest.js';
import type { Plan } from '../../src/plan.js';
import { planText } from '../../src/planner.js';
import { PROPERTY_RUNS, PROPERTY_TIMEOUT_MS, SEED } from '../reliability/settings.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/config');
const PATHS = ['verl/trainer/config/ppo_trainer.yaml', 'verl/trainer/config/_generated_ppo_trainer.yaml'];

/** What the planner says of `text`, in both directions and both kinds of file. */
function verdicts(text: string): string[] {
  const word = (plan: Plan) => (plan.status === 'refused' && plan.notATarget ? 'not-a-target' : plan.status);
  return PATHS.flatMap((path) => (['patch', 'revert'] as const).map((direction) => word(planText('config', direction, text, path))));
}

/** The property: a text the test fails is, to the planner, nothing to act on. */
function expectSound(text: string): void {
  // A scan tests the file's bytes: the same answer as for the text.
  expect(mayHoldTrainerSection(Buffer.from(text, 'utf8'))).toBe(mayHoldTrainerSection(text));
  if (mayHoldTrainerSection(text)) return;
  for (const verdict of verdicts(text)) expect(['not-a-target', 'malformed'], JSON.stringify(text)).toContain(verdict);
}

/** Ways YAML spells a key: only the escaped ones do without the key's characters. */
function spellings(word: string): string[] {
  const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');
  const at = Math.floor(word.length / 2);
  const [head, mid, tail] = [word.slice(0, at), word[at]!, word.slice(at + 1)];
  return [
    word,
    `"${word}"`,
    `'${word}'`,
    `!!str ${word}`,
    `"${head}\\x${hex(mid)}${tail}"`,
    `"${head}\\u00${hex(mid)}${tail}"`,
    `"${head}\\U000000${hex(mid)}${tail}"`,
  ];
}

const keyOf = (word: string) => fc.constantFrom(...spellings(word));

/** The trainer section in the shapes the planner reads (and one it must not: nested, or in a later document). */
const section = fc
  .record({
    shape: fc.constantFrom('block', 'flow', 'alias', 'merge', 'explicit', 'nested', 'second-document'),
    trainer: keyOf('trainer'),
    resume: keyOf('resume_mode'),
    fromPath: fc.boolean(),
  })
  .map(({ shape, trainer, resume, fromPath }) => {
    const rest = fromPath ? '\n  resume_from_path: null' : '';
    switch (shape) {
      case 'block':
        return `${trainer}:\n  # how to resume\n  ${resume}: auto${rest}\n  nnodes: 1\n`;
      case 'flow':
        return `${trainer}: {${resume}: auto, nnodes: 1}\n`;
      case 'alias':
        return `base: &b\n  ${resume}: auto${rest}\n${trainer}: *b\n`;
      case 'merge':
        return `base: &b\n  ${resume}: auto\n${trainer}:\n  <<: *b\n  nnodes: 1\n`;
      case 'explicit':
        return `? ${trainer}\n:\n  ? ${resume}\n  : auto${rest}\n`;
      case 'nested':
        return `outer:\n  ${trainer}:\n    ${resume}: auto\n`;
      default:
        return `data: 1\n---\n${trainer}:\n  ${resume}: auto\n`;
    }
  });

const comment = fc.constantFrom('', '# trainer settings\n', '# resume_mode: auto\n', '# a comment with a backslash \\ in it\n', '# ünïcödé 🙂\n');

/** Whole texts: a BOM, a header, comments, other sections, the trainer section, line endings. */
const document = fc
  .record({
    bom: fc.boolean(),
    header: fc.constantFrom('', '---\n', '%YAML 1.2\n---\n'),
    before: comment,
    other: fc.constantFrom('', 'data:\n  train_batch_size: 8\n', 'defaults:\n  - ppo_trainer\n  - _self_\n', 'x: "a\\tb"\n'),
    section,
    after: comment,
    crlf: fc.boolean(),
  })
  .map(({ bom, header, before, other, section, after, crlf }) => {
    const text = `${bom ? '\uFEFF' : ''}${header}${before}${other}${section}${after}`;
    return crlf ? text.replace(/\n/g, '\r\n') : text;
  });

/** Every literal `trainer` and/or `resume_mode` replaced by another word (escaped spellings stay). */
const erase = fc.record({ trainer: fc.boolean(), resume: fc.boolean(), by: fc.constantFrom('runner', 'x', 'resume', '') });
const eraseWords = (text: string, { trainer, resume, by }: { trainer: boolean; resume: boolean; by: string }) => {
  let out = text;
  if (trainer) out = out.split('trainer').join(by);
  if (resume) out = out.split('resume_mode').join(by);
  return out;
};

/** Damage: cut the text at a point, or insert a stray character there. */
const damage = fc.option(fc.record({ at: fc.nat(), insert: fc.constantFrom('', ':', '{', '"', '\t', '  ', '\n- ') }));
const damaged = (text: string, cut: { at: number; insert: string } | null) => {
  if (!cut) return text;
  const at = cut.at % (text.length + 1);
  return cut.insert === '' ? text.slice(0, at) : text.slice(0, at) + cut.insert + text.slice(at);
};

describe('the YAML text test a scan runs before parsing', () => {
  it('passes every fixture the planner acts on, and is sound on all of them', () => {
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.yaml'))) {
      const text = readFileSync(join(FIXTURES, name), 'utf8');
      expectSound(text);
      if (verdicts(text).some((v) => v !== 'not-a-target' && v !== 'malformed')) expect(mayHoldTrainerSection(text), name).toBe(true);
    }
  });

  it('passes keys spelled without their characters (escapes), which the planner does read as the keys', () => {
    for (const [trainer, resume] of [
      ['"tr\\x61iner"', 'resume_mode'],
      ['trainer', '"resume\\u005fmode"'],
      ['? "trai\\\n  ner"\n', '? resume_mode\n'],
    ] as const) {
      // A PPO config (critic:) whose trainer section is spelled with escapes.
      const text = `critic: {}\n${trainer.startsWith('?') ? `${trainer}:\n  ${resume}  : auto\n` : `${trainer}:\n  ${resume}: auto\n  resume_from_path: null\n`}`;
      // A target to the planner: changed, or (the line-continued key) refused as a shape it will not edit.
      for (const verdict of verdicts(text)) expect(['not-a-target', 'malformed'], text).not.toContain(verdict);
      expect(mayHoldTrainerSection(text), text).toBe(true);
    }
  });

  it('fails only texts the planner calls no target or cannot parse (generated YAMLs, erased words, damage)', () => {
    let failed = 0;
    fc.assert(
      fc.property(document, erase, damage, (text, words, cut) => {
        const candidate = damaged(eraseWords(text, words), cut);
        if (!mayHoldTrainerSection(candidate)) failed++;
        expectSound(candidate);
      }),
      { numRuns: Math.max(300, Math.round(PROPERTY_RUNS / 3)), seed: SEED },
    );
    // The generator does reach the case that matters: texts the test fails.
    expect(failed).toBeGreaterThan(0);
  }, PROPERTY_TIMEOUT_MS);

  it('fails only texts the planner calls no target or cannot parse (fixtures with lines and words cut away)', () => {
    const texts = readdirSync(FIXTURES)
      .filter((n) => n.endsWith('.yaml'))
      .map((n) => readFileSync(join(FIXTURES, n), 'utf8'));
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.array(fc.nat(), { maxLength: 4 }), erase, (text, cuts, words) => {
        const lines = text.split(/(?<=\n)/);
        for (const cut of cuts) lines.splice(cut % (lines.length || 1), 1);
        expectSound(eraseWords(lines.join(''), words));
      }),
      { numRuns: Math.max(300, Math.round(PROPERTY_RUNS / 3)), seed: SEED },
    );
  }, PROPERTY_TIMEOUT_MS);
});
