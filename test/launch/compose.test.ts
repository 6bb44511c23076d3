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
import { writeShapedVerl } from '../helpers/launchShapes.js';
import { omegaConfPython } from './omegaconfGate.js';

const root = tempDir('vcp-compose-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const verl = writeShapedVerl(join(root, 'checkout'), '0.5.0');
const configDir = join(verl, 'verl', 'trainer', 'config');
const snapshot = join(configDir, '_generated_ppo_trainer.yaml');

function compose(overrides: string[], config = snapshot) {
  return composeConfig({ config, searchpath: [configDir], overrides }, omegaConfPython);
}
const composed = (overrides: string[], config?: string) => {
  const result = compose(overrides, config);
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
    const result = composed([], join(recipe, 'my_recipe.yaml'));
    expect(result.files).toEqual([join(recipe, 'my_recipe.yaml'), snapshot]);
    expect(result.values['trainer.nnodes']).toBe(4);
    expect(result.values['trainer.resume_mode']).toBe('auto');
  });

  it('cannot pick config groups: an error without a key (bad input), naming the entry', () => {
    const result = compose([], join(configDir, 'ppo_trainer.yaml'));
    expect(result).toMatchObject({ key: null, error: expect.stringContaining('critic@critic') });
  });
});
