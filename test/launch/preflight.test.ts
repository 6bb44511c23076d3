/**
 * preflight end to end over release-shaped checkouts (0.3.0.post1, 0.5, 0.7, 0.9: our own
 * writing, test/helpers/launchShapes.ts), staged critics of the family each saves, model folders
 * and run folders: the clean launch passes, and each launch with exactly one thing wrong fails
 * with a finding naming the key. The config is composed by python/preflight_compose.py through a
 * real OmegaConf (skipped, or failed under CI, without one: omegaconfGate.ts).
 */
import { linkSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { runChecks } from '../../src/launch/checks/index.js';
import { gather } from '../../src/launch/gather.js';
import { saveCritic } from '../helpers/checkpointTrees.js';
import { tempDir } from '../helpers/cli.js';
import { FAMILY, SHAPES, writeModel, writeShapedVerl, writeStagedCritic, type Shape } from '../helpers/launchShapes.js';
import { omegaConfPython } from './omegaconfGate.js';

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface World {
  root: string;
  verl: string;
  warm: string;
  launch: (...overrides: string[]) => string[];
}

/** A checkout of `shape`, a staged critic, an old run sharing its files, the models; cwd = root. */
function world(shape: Shape, options: { v0Patched?: boolean; patched?: boolean } = {}): World {
  const root = tempDir('vcp-preflight-');
  scratch.push(root);
  const verl = writeShapedVerl(join(root, 'verl-checkout'), shape, options);
  const warm = writeStagedCritic(join(root, 'warm'), FAMILY[shape], 8);
  writeModel(join(root, 'models', 'critic'));
  writeModel(join(root, 'models', 'actor'));
  writeModel(join(root, 'models', 'deeper'), { layers: 4 });
  writeModel(join(root, 'models', 'other_family'), { vocab: 151, eos: 7 });
  // The old run: its critic files are the staged ones (stage hard-links them).
  const oldCritic = join(root, 'old_run', 'global_step_40', 'critic');
  mkdirSync(oldCritic, { recursive: true });
  for (const name of readdirSync(join(warm, 'critic')).filter((n) => n.endsWith('.pt'))) linkSync(join(warm, 'critic', name), join(oldCritic, name));
  const base = [
    'trainer.resume_mode=resume_path',
    `trainer.resume_from_path=${warm}`,
    '++trainer.load_critic_only=true',
    'critic.model.path=models/critic',
    'actor_rollout_ref.model.path=models/actor',
    'trainer.experiment_name=run2',
  ];
  const launch = (...overrides: string[]) => {
    // One override replaces the base's of the same key (an override removes it when written `-key`).
    const keyOf = (o: string) => o.replace(/^(\+\+|\+|~|-)/, '').split('=')[0];
    const replaced = base.filter((b) => !overrides.some((o) => keyOf(o) === keyOf(b)));
    return [omegaConfPython!, '-m', 'verl.trainer.main_ppo', ...replaced, ...overrides.filter((o) => !o.startsWith('-'))];
  };
  return { root, verl, warm, launch };
}

async function preflight(w: World, words: string[], strict = false) {
  const gathered = await gather(words, { verl: w.verl, cwd: w.root });
  if (!gathered.facts) return { findings: [gathered.refusal!], verdict: { ok: false } };
  return runChecks(gathered.facts, strict);
}

const errorKeys = (result: { findings: { level: string; key: string }[] }) => result.findings.filter((f) => f.level === 'error').map((f) => f.key);

describe.skipIf(omegaConfPython === null)('preflight on release-shaped checkouts', () => {
  for (const shape of SHAPES) {
    describe(`VeRL ${shape}`, () => {
      const w = world(shape);
      const fsdpSize = shape === '0.9.0' ? 'critic.fsdp.fsdp_size' : 'critic.model.fsdp_config.fsdp_size';
      const trainer = shape === '0.9.0' ? 'verl/trainer/ppo/v1/trainer_base.py' : 'verl/trainer/ppo/ray_trainer.py';

      it('the clean launch will skip the actor and load the critic, naming the files it opens', async () => {
        const result = await preflight(w, w.launch());
        // Only check 8's warning: loading all three kinds inherits the old run's optimizer settings.
        expect(result.findings.filter((f) => f.level !== 'note').map((f) => [f.level, f.check])).toEqual([['warning', 8]]);
        expect(result.verdict).toMatchObject({ ok: true, folder: w.warm, criticFiles: 24, loads: ['model', 'optimizer', 'extra'] });
        expect(result.findings.find((f) => f.check === 9)?.message).toContain('trainer.resume_mode=auto');
      });

      const defects: [string, string[], string][] = [
        ['no flag', ['-trainer.load_critic_only'], 'trainer.load_critic_only'],
        ['the flag false', ['++trainer.load_critic_only=false'], 'trainer.load_critic_only'],
        ['resume_mode auto with an empty run folder', ['trainer.resume_mode=auto'], 'trainer.resume_mode'],
        ['a trailing slash', [`trainer.resume_from_path=${w.warm}/`], 'trainer.resume_from_path'],
        ['a folder that is not there', [`trainer.resume_from_path=${w.root}/nowhere/global_step_0`], 'trainer.resume_from_path'],
        ['a path without global_step_', [`trainer.resume_from_path=${w.root}/warm`], 'trainer.resume_from_path'],
        ['another world size', ['trainer.n_gpus_per_node=4'], 'trainer.n_gpus_per_node'],
        ['another strategy', ['critic.strategy=megatron'], 'critic.strategy'],
        ['a critic model of another architecture', ['critic.model.path=models/deeper'], 'critic.model.path'],
        ["an actor of another model family", ['actor_rollout_ref.model.path=models/other_family'], 'actor_rollout_ref.model.path'],
        ["the old run's folder as the new run's", [`trainer.default_local_dir=${w.root}/old_run`], 'trainer.default_local_dir'],
        ['no critic in the run', ['algorithm.adv_estimator=grpo'], 'algorithm.adv_estimator'],
        ['an override of a key the config lacks', ['trainer.load_critic_onlyy=true'], 'trainer.load_critic_onlyy'],
        ['+ on a key that exists', ['+trainer.resume_mode=resume_path', '-trainer.resume_mode'], 'trainer.resume_mode'],
      ];
      for (const [what, overrides, key] of defects) {
        it(`${what}: an error naming ${key}`, async () => {
          const result = await preflight(w, w.launch(...overrides));
          expect(result.verdict.ok).toBe(false);
          expect(errorKeys(result)).toEqual([key]);
        });
      }

      it(`an unpatched trainer: an error naming ${trainer}`, async () => {
        const unpatched = world(shape, { patched: false });
        const result = await preflight(unpatched, unpatched.launch());
        expect(errorKeys(result)).toEqual([trainer]);
      });

      it(`a relaunch into the run's own folder: an error naming trainer.default_local_dir, with the resume command`, async () => {
        const own = join(w.root, 'checkpoints', 'my_project', 'relaunched');
        saveCritic(join(own, 'global_step_20', 'critic'), { family: FAMILY[shape], worldSize: 8 });
        writeFileSync(join(own, 'latest_checkpointed_iteration.txt'), '20');
        const asWritten = await preflight(w, w.launch('trainer.experiment_name=relaunched'));
        expect(errorKeys(asWritten)).toEqual(['trainer.default_local_dir']);
        expect(asWritten.findings.find((f) => f.check === 7)!.message).toMatch(/starts over at step 0.*trainer\.resume_mode=auto/);
        const auto = await preflight(w, w.launch('trainer.experiment_name=relaunched', 'trainer.resume_mode=auto'));
        expect(errorKeys(auto)).toEqual(['trainer.default_local_dir']);
        expect(auto.findings.find((f) => f.check === 7)!.message).toMatch(/fresh actor at step 20/);
      });

      it(`a set fsdp_size: a warning naming ${fsdpSize}, an error under --strict`, async () => {
        const words = w.launch(`${fsdpSize}=4`);
        const lenient = await preflight(w, words);
        expect(lenient.verdict.ok).toBe(true);
        expect(lenient.findings.filter((f) => f.level === 'warning' && f.check !== 8).map((f) => f.key)).toEqual([fsdpSize]);
        expect((await preflight(w, words, true)).verdict.ok).toBe(false);
      });

      it('check 8 says what the load carries over and which settings it overrides', async () => {
        const all = (await preflight(w, w.launch())).findings.find((f) => f.check === 8)!;
        expect(all.level).toBe('warning');
        expect(all.key).toBe(shape === '0.3.0.post1' ? 'trainer.resume_from_path' : 'critic.checkpoint.load_contents');
        expect(all.message).toMatch(/betas, eps, weight_decay/);
        if (shape !== '0.3.0.post1') {
          const weights = (await preflight(w, w.launch('critic.checkpoint.load_contents=[model]'))).findings.find((f) => f.check === 8)!;
          expect(weights).toMatchObject({ level: 'note', key: 'critic.checkpoint.load_contents' });
          expect(weights.message).toMatch(/none of the new run's critic settings/);
        }
      });

      it('a critic saved without its optimizer state: an error naming what says what the loader opens', async () => {
        const partial = writeStagedCritic(join(w.root, 'partial'), FAMILY[shape], 8, {}, shape === '0.3.0.post1' ? ['model', 'extra'] : ['model', 'extra']);
        const result = await preflight(w, w.launch(`trainer.resume_from_path=${partial}`));
        const key = shape === '0.3.0.post1' ? 'trainer.resume_from_path' : 'critic.checkpoint.load_contents';
        expect(errorKeys(result)).toEqual([key]);
        if (shape !== '0.3.0.post1') {
          const fixed = await preflight(w, w.launch(`trainer.resume_from_path=${partial}`, 'critic.checkpoint.load_contents=[model,extra]'));
          expect(fixed.verdict).toMatchObject({ ok: true, loads: ['model', 'extra'] });
        }
      });
    });
  }

  it('VeRL 0.9 with trainer.use_v1=false runs RayPPOTrainer: its guard is the one checked', async () => {
    const w = world('0.9.0', { v0Patched: false });
    expect((await preflight(w, w.launch())).verdict.ok).toBe(true);
    expect(errorKeys(await preflight(w, w.launch('trainer.use_v1=false')))).toEqual(['verl/trainer/ppo/ray_trainer.py']);
  });

  it("a recipe entry point: its config through its defaults list, and the trainer beside it that loads the actor", async () => {
    const w = world('0.9.0');
    const recipe = join(w.verl, 'recipe', 'mine');
    mkdirSync(join(recipe, 'config'), { recursive: true });
    writeFileSync(join(recipe, 'main_mine.py'), '@hydra.main(config_path="config", config_name="mine_trainer", version_base=None)\ndef main(config):\n    pass\n');
    writeFileSync(join(recipe, 'config', 'mine_trainer.yaml'), 'hydra:\n  searchpath:\n    - pkg://verl.trainer.config\ndefaults:\n  - ppo_trainer\n  - _self_\nmine:\n  knob: 1\n');
    writeFileSync(join(recipe, 'mine_trainer.py'), 'class MineTrainer:\n    def _load_checkpoint(self):\n        self.actor_rollout_wg.load_checkpoint(actor_path)\n');
    const words = [omegaConfPython!, join(recipe, 'main_mine.py'), ...w.launch().slice(3), 'mine.knob=2'];
    expect(errorKeys(await preflight(w, words))).toEqual(['recipe/mine/mine_trainer.py']);
    writeFileSync(join(recipe, 'mine_trainer.py'), 'from verl.trainer.ppo.ray_trainer import RayPPOTrainer\n\nclass MineTrainer(RayPPOTrainer):\n    pass\n');
    const inherited = await preflight(w, words);
    expect(inherited.verdict.ok).toBe(true);
  });

  it('VeRL 0.3.0.post0 takes the folder in resume_mode itself', async () => {
    const w = world('0.3.0.post1');
    writeFileSync(join(w.verl, 'verl', 'version', 'version'), '0.3.0.post0\n');
    expect(errorKeys(await preflight(w, w.launch()))).toEqual(['trainer.resume_mode']);
    const right = await preflight(w, w.launch(`trainer.resume_mode=${w.warm}`, '-trainer.resume_from_path'));
    expect(right.verdict.ok).toBe(true);
  });

  it('a Megatron critic saved with another tensor parallel size: an error naming it (0.7)', async () => {
    const w = world('0.7.1');
    const critic = join(w.root, 'mega', 'global_step_0', 'critic');
    saveCritic(critic, { family: 'megatron-v0.6', tp: 2, pp: 1, dp: 4 });
    writeModel(join(critic, 'huggingface'));
    const words = w.launch(`trainer.resume_from_path=${join(w.root, 'mega', 'global_step_0')}`, 'critic.strategy=megatron');
    expect(errorKeys(await preflight(w, words))).toEqual(['critic.megatron.tensor_model_parallel_size']);
    expect((await preflight(w, [...words, 'critic.megatron.tensor_model_parallel_size=2'])).verdict.ok).toBe(true);
  });
});
