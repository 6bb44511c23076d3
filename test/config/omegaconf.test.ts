// What Hydra does with `trainer.load_critic_only=true`: load the YAML with OmegaConf, struct
// mode, merge the override. Before the patch the merge must fail on the missing key; after it,
// the merge succeeds, the file's default reads back as False, the override as True.
// Needs /usr/bin/python3 with omegaconf (Debian: python3-omegaconf): skipped without it, saying
// so, or failed where CI is set (test/helpers/systemPackages.ts).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planText } from '../../src/planner.js';
import { applyEdits } from '../../src/edits.js';
import { omegaConfCheckFile, omegaConfCheckText, type OmegaConfResult } from '../helpers/omegaconf.js';
import { lacks, OMEGACONF } from '../helpers/systemPackages.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/config');
const TRAINER_FIXTURES = ['ppo_trainer.yaml', '_generated_ppo_trainer.yaml', 'ppo_megatron_trainer.yaml', 'crlf_trainer.yaml'];

function patch(text: string, name: string): string {
  const plan = planText('config', 'patch', text, name);
  if (plan.status !== 'change') throw new Error(`expected a change for ${name}, got ${plan.status}`);
  return applyEdits(text, plan.edits);
}

function expectRejected(result: OmegaConfResult): void {
  expect(result.mergeOk).toBe(false);
  expect(result.hasKey).toBe(false);
  expect(result.defaultValue).toBeNull();
  expect(result.error).toMatch(/load_critic_only/);
  expect(result.error).toMatch(/not in struct/);
}

function expectAccepted(result: OmegaConfResult): void {
  expect(result.error).toBeNull();
  expect(result.mergeOk).toBe(true);
  expect(result.hasKey).toBe(true);
  expect(result.defaultValue).toBe(false);
  expect(result.mergedValue).toBe(true);
}

describe.skipIf(lacks(OMEGACONF))('OmegaConf in struct mode, as Hydra loads the trainer YAMLs', () => {
  for (const name of TRAINER_FIXTURES) {
    it(`${name}: the override fails before the patch, works after it, and fails again after revert`, () => {
      const input = readFileSync(join(FIXTURES, name), 'utf8');
      expectRejected(omegaConfCheckFile(join(FIXTURES, name)));

      const output = patch(input, name);
      expectAccepted(omegaConfCheckText(output, name));

      const revert = planText('config', 'revert', output, name);
      expect(revert.status).toBe('change');
      if (revert.status !== 'change') return;
      const back = applyEdits(output, revert.edits);
      expect(back).toBe(input);
      expectRejected(omegaConfCheckText(back, name));
    });
  }

  it('a key added by hand already makes the override work (nothing to add)', () => {
    const result = omegaConfCheckFile(join(FIXTURES, 'hand_added_key.yaml'));
    expect(result.mergeOk).toBe(true);
    expect(result.defaultValue).toBe(true);
    expect(result.mergedValue).toBe(true);
  });

  it('after the patch, an override back to false works as well', () => {
    const output = patch(readFileSync(join(FIXTURES, 'ppo_trainer.yaml'), 'utf8'), 'ppo_trainer.yaml');
    const result = omegaConfCheckText(output, 'ppo_trainer.yaml', 'trainer.load_critic_only=false');
    expect(result.mergeOk).toBe(true);
    expect(result.mergedValue).toBe(false);
  });

  it('the patched key loads in generated shapes too: BOM + CRLF, no final newline, 4-space indentation', () => {
    const base = readFileSync(join(FIXTURES, 'ppo_trainer.yaml'), 'utf8');
    const variants: Array<[string, string]> = [
      ['bom_crlf.yaml', `\uFEFF${base.replace(/\n/g, '\r\n')}`],
      ['no_final_newline.yaml', 'critic:\n    lr: 1\ntrainer:\n    resume_mode: auto\n    resume_from_path: null'],
      ['_generated_no_final_newline.yaml', 'critic:\n  lr: 1\ntrainer:\n  resume_mode: auto\n  resume_from_path:'],
    ];
    for (const [name, text] of variants) {
      expectRejected(omegaConfCheckText(text, name));
      expectAccepted(omegaConfCheckText(patch(text, name), name));
    }
  });
});
