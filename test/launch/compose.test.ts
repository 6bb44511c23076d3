/**
 * python/preflight_compose.py through composeConfig: Hydra's override rules in struct mode, the
 * defaults list of a recipe's config, interpolations resolved after the overrides. Needs a Python
 * with OmegaConf (omegaconfGate.ts).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeConfig, isRefusal, type Composed } from '../../src/launch/compose.js';
import { tempDir } from '../helpers/cli.js';
import { SNAPSHOT_HEADER, writeShapedVerl } from '../helpers/launchShapes.js';
import { omegaConfPython } from './omegaconfGate.js';

const root = tempDir('vcp-compose-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const verl = writeShapedVerl(join(root, 'checkout'), '0.5.0');
const configDir = join(verl, 'verl', 'trainer', 'config');
const snapshot = join(configDir, '_generated_ppo_trainer.yaml');

/** The emulation, whatever the Python has (the Hydra oracle, hydraOracle.test.ts, compares it with Hydra). */
function compose(overrides: string[], where = { configDir, configName: 'ppo_trainer' }) {
  return composeConfig({ ...where, configDirs: [], searchpath: [configDir], verlPackage: join(verl, 'verl'), overrides, composer: 'emulation' }, omegaConfPython);
}
const composed = (overrides: string[], where?: { configDir: string; configName: string }) => {
  const result = compose(overrides, where);
  if (isRefusal(result)) throw new Error(result.error);
  return result as Composed;
};

describe.skipIf(omegaConfPython === null)('composing a launch config with OmegaConf', () => {
  it('resolves interpolations after the overrides, as the run would read them', () => {
    const { values } = composed(['trainer.experiment_name=run2', 'actor_rollout_ref.model.path=/m/actor']);
    expect(values['trainer.default_local_dir']).toBe('checkpoints/my_project/run2');
    expect(values['critic.checkpoint.load_contents']).toEqual(['model', 'optimizer', 'extra']);
    expect(composed(['critic.checkpoint.save_contents=[model]']).values['critic.checkpoint.load_contents']).toEqual(['model']);
  });

  it("types values as Hydra's grammar does: null, booleans, numbers, lists, quoted strings", () => {
    const { values } = composed(['trainer.nnodes=2', 'trainer.load_critic_only=True', "trainer.resume_from_path='/a b/global_step_0'", 'critic.model.path=null']);
    expect(values).toMatchObject({ 'trainer.nnodes': 2, 'trainer.load_critic_only': true, 'trainer.resume_from_path': '/a b/global_step_0', 'critic.model.path': null });
  });

  it('refuses what Hydra refuses, naming the key: an unknown key, + on an existing key, ~ of a missing key', () => {
    expect(compose(['trainer.no_such_key=1'])).toMatchObject({ key: 'trainer.no_such_key', error: expect.stringContaining('not in struct') });
    expect(compose(['+trainer.nnodes=2'])).toMatchObject({ key: 'trainer.nnodes', error: expect.stringContaining('already') });
    expect(compose(['~trainer.no_such_key'])).toMatchObject({ key: 'trainer.no_such_key' });
  });

  it('adds with + and ++, deletes with ~, and ignores hydra.* overrides', () => {
    const result = composed(['+trainer.extra_key=1', '++critic.enable=true', '~trainer.load_critic_only', 'hydra.run.dir=/tmp/x']);
    expect(result.values['critic.enable']).toBe(true);
    expect(result.absent).toContain('trainer.load_critic_only');
  });

  it("composes a recipe's config through its defaults list, taking VeRL's snapshot for ppo_trainer", () => {
    const recipe = join(root, 'recipe', 'config');
    mkdirSync(recipe, { recursive: true });
    writeFileSync(join(recipe, 'my_recipe.yaml'), 'hydra:\n  searchpath:\n    - pkg://verl.trainer.config\ndefaults:\n  - ppo_trainer\n  - _self_\ntrainer:\n  nnodes: 4\nmy_recipe:\n  knob: 1\n');
    const result = composed([], { configDir: recipe, configName: 'my_recipe' });
    expect(result.files).toEqual([join(recipe, 'my_recipe.yaml'), snapshot]);
    expect(result.values['trainer.nnodes']).toBe(4);
    expect(result.values['trainer.resume_mode']).toBe('auto');
  });

  it('cannot pick config groups VeRL ships no snapshot of: an error without a key (bad input), naming the entry', () => {
    const groups = join(root, 'groups');
    mkdirSync(groups, { recursive: true });
    writeFileSync(join(groups, 'grouped.yaml'), 'defaults:\n  - critic@critic: dp_critic\n  - _self_\ntrainer:\n  nnodes: 1\n');
    const result = compose([], { configDir: groups, configName: 'grouped' });
    expect(result).toMatchObject({ key: null, error: expect.stringContaining('critic@critic') });
  });

  it('overrides a `???` (MISSING) value with a plain k=v, as Hydra does: the key is declared', () => {
    const v07 = writeShapedVerl(join(root, 'checkout-0.7'), '0.7.1');
    const dir = join(v07, 'verl', 'trainer', 'config');
    const request = { configDir: dir, configName: 'ppo_trainer', configDirs: [], searchpath: [dir], verlPackage: join(v07, 'verl'), composer: 'emulation' as const };
    const result = composeConfig({ ...request, overrides: ['actor_rollout_ref.rollout.name=vllm', 'trainer.load_critic_only=true'] }, omegaConfPython);
    expect(isRefusal(result) ? result.error : result.values['trainer.load_critic_only']).toBe(true);
    // Hydra counts a ??? (or null) value as free for + and as nothing to delete for ~.
    expect(isRefusal(composeConfig({ ...request, overrides: ['+actor_rollout_ref.rollout.name=vllm'] }, omegaConfPython))).toBe(false);
    expect(composeConfig({ ...request, overrides: ['~actor_rollout_ref.rollout.name'] }, omegaConfPython)).toMatchObject({ key: 'actor_rollout_ref.rollout.name', error: expect.stringContaining('does not exist') });
    expect(composeConfig({ ...request, overrides: ['+trainer.resume_from_path=/w/global_step_0'] }, omegaConfPython)).toMatchObject({ values: { 'trainer.resume_from_path': '/w/global_step_0' } });
  });

  it("takes the snapshot VeRL flattened for the launch's group choice (model_engine=megatron), and the plain one for the default choice", () => {
    const engines = join(root, 'engines');
    mkdirSync(engines, { recursive: true });
    writeFileSync(join(engines, 'ppo_trainer.yaml'), 'defaults:\n  - model_engine: dp\n  - critic@critic: ${model_engine}_critic\n  - _self_\ntrainer:\n  nnodes: 1\n');
    writeFileSync(join(engines, '_generated_ppo_trainer.yaml'), `${SNAPSHOT_HEADER('', 'ppo_trainer')}critic:\n  strategy: fsdp\ntrainer:\n  nnodes: 1\n`);
    writeFileSync(join(engines, '_generated_ppo_megatron_trainer.yaml'), `${SNAPSHOT_HEADER('model_engine=megatron', 'ppo_trainer')}critic:\n  strategy: megatron\ntrainer:\n  nnodes: 1\n`);
    const where = { configDir: engines, configName: 'ppo_trainer' };
    expect(composed(['model_engine=megatron'], where)).toMatchObject({ values: { 'critic.strategy': 'megatron' }, files: [join(engines, '_generated_ppo_megatron_trainer.yaml')] });
    expect(composed(['model_engine=dp'], where).values['critic.strategy']).toBe('fsdp');
    expect(composed([], where).values['critic.strategy']).toBe('fsdp');
    expect(compose(['model_engine=veomni'], where)).toMatchObject({ key: null, error: expect.stringContaining('needs Hydra') });
  });

  it('says it was the emulation, with OmegaConf\'s version and the Python', () => {
    expect(composed([]).composer).toMatchObject({ name: 'emulation', version: expect.stringMatching(/^2\./), python: omegaConfPython });
  });
});
