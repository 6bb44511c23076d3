/** `stage --verl` runs preflight's checks 1-4 on the launch it prints. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveCritic, type SaverFamily } from '../helpers/checkpointTrees.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeShapedVerl, type Shape } from '../helpers/launchShapes.js';
import { omegaConfPython } from './omegaconfGate.js';

const root = tempDir('vcp-stage-checks-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(omegaConfPython === null)('stage --verl: checks 1-4 of the printed launch', () => {
  const run = join(root, 'run');
  saveCritic(join(run, 'global_step_40', 'critic'), { family: 'fsdp-v0.4.1', worldSize: 8 });

  it('a clean release: no preflight line, exit 0', () => {
    const verl = writeShapedVerl(join(root, 'ok'), '0.9.0');
    const result = runCli(['stage', '--verl', verl, '--world-size', '8', run, join(root, 'warm-ok')], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/preflight:/);
  });

  it("a config whose default runs no critic (adv_estimator grpo): the user's launch chooses it, so a note naming the key, exit 0", () => {
    const verl = writeShapedVerl(join(root, 'grpo'), '0.9.0');
    // The snapshot (the emulation reads it) and its source (Hydra composes it) alike.
    for (const name of ['_generated_ppo_trainer.yaml', 'ppo_trainer.yaml']) {
      const file = join(verl, 'verl', 'trainer', 'config', name);
      writeFileSync(file, readFileSync(file, 'utf8').replace('adv_estimator: gae', 'adv_estimator: grpo'));
    }
    const result = runCli(['stage', '--verl', verl, run, join(root, 'warm-grpo')], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^verl-critic-patch: preflight: note    \[1\] algorithm\.adv_estimator: the config's default, unless your launch sets it: this run has no critic/m);
    expect(result.stderr).not.toMatch(/preflight: error/);
  });

  it('a critic the release cannot load as staged (its optimizer state missing on 0.3): still exit 1', () => {
    const verl = writeShapedVerl(join(root, 'old'), '0.3.0.post1');
    const partial = join(root, 'partial-run');
    saveCritic(join(partial, 'global_step_5', 'critic'), { family: 'fsdp-v0.3', worldSize: 8, contents: ['model', 'extra'] });
    const result = runCli(['stage', '--verl', verl, partial, join(root, 'warm-partial')], { cwd: root });
    expect(result.code).toBe(1);
  });

  it('--allow-unpatched: the guard is not reported again', () => {
    const verl = writeShapedVerl(join(root, 'unpatched'), '0.9.0', { patched: false });
    const result = runCli(['stage', '--allow-unpatched', '--verl', verl, run, join(root, 'warm-unpatched')], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/preflight:/);
  });
});

/**
 * A Megatron critic saved with tp 2 / pp 2: the launch stage prints carries the layout the loader
 * needs, so its own checks pass on every release shape (0.5 and 0.7 read dist_ckpt/ with the saved
 * tp/pp; 0.9 reads the split layout and reshards), instead of checking the config's tp 1 / pp 1.
 */
describe.skipIf(omegaConfPython === null)('stage --verl with a Megatron critic of tp 2 / pp 2', () => {
  const cases: [Shape, SaverFamily][] = [['0.5.0', 'megatron-v0.4.1'], ['0.7.1', 'megatron-v0.6'], ['0.9.0', 'megatron-v0.9']];
  for (const [shape, family] of cases) {
    it(`VeRL ${shape}: stages, prints the layout, exit 0`, () => {
      const verl = writeShapedVerl(join(root, `mega-${shape}`), shape);
      // The Megatron config's snapshot: the same keys, critic.strategy megatron, tp/pp 1 by default.
      const config = join(verl, 'verl', 'trainer', 'config');
      writeFileSync(join(config, '_generated_ppo_megatron_trainer.yaml'), readFileSync(join(config, '_generated_ppo_trainer.yaml'), 'utf8').replace('strategy: fsdp', 'strategy: megatron'));
      const mrun = join(root, `mega-run-${shape}`);
      saveCritic(join(mrun, 'global_step_30', 'critic'), { family, tp: 2, pp: 2, dp: 2 });
      const result = runCli(['stage', '--json', '--verl', verl, mrun, join(root, `warm-mega-${shape}`)], { cwd: root });
      expect(result.stderr).not.toMatch(/preflight: error/);
      expect(result.code).toBe(0);
      const overrides: string[] = JSON.parse(result.stdout).nextCommand.overrides;
      expect(overrides).toContain('critic.strategy=megatron');
      const layout = overrides.filter((o) => o.startsWith('critic.megatron.'));
      expect(layout).toEqual(shape === '0.9.0' ? [] : ['critic.megatron.tensor_model_parallel_size=2', 'critic.megatron.pipeline_model_parallel_size=2']);
      if (shape === '0.7.1') {
        const text = runCli(['stage', '--verl', verl, mrun, join(root, `warm-mega-text-${shape}`)], { cwd: root });
        expect(text.code).toBe(0);
        expect(text.stdout).toContain('(tp 2, pp 2); the overrides above set it: put them after any of your own.');
      }
    });
  }
});
