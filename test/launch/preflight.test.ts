/**
 * preflight end to end over release-shaped checkouts (0.3.0.post1, 0.5, 0.7, 0.9: our own
 * writing, test/helpers/launchShapes.ts), staged critics of the family each saves, model folders
 * and run folders: the clean launch passes, and each launch with exactly one thing wrong fails
 * with a finding naming the key. The config is composed by python/preflight_compose.py through a
 * real OmegaConf (skipped, or failed under CI, without one: omegaconfGate.ts).
 */
import { linkSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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
          // The weights alone override none of the new run's settings: check 8 has nothing to say.
          const weights = await preflight(w, w.launch('critic.checkpoint.load_contents=[model]'));
          expect(weights.verdict.ok).toBe(true);
          expect(weights.findings.filter((f) => f.check === 8)).toEqual([]);
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

/**
 * The run's whole life (issue 26): the first launch (stage's line) passes; the same script
 * relaunched after the run saved its own steps fails naming the fix (check 7); the later resume
 * (resume_mode=auto, no flag, no resume path, no partial load_contents) passes; a resume path that
 * is not a staged step-0 folder fails naming what VeRL would restore and the stage command.
 */
describe.skipIf(omegaConfPython === null)("preflight over the run's whole life", () => {
  for (const shape of SHAPES) {
    describe(`VeRL ${shape}`, () => {
      const w = world(shape);
      const family = FAMILY[shape];
      // The new run after its first saves: steps 10 and 20, the tracker naming 20.
      const own = join(w.root, 'checkpoints', 'my_project', 'life');
      for (const step of [10, 20]) {
        saveCritic(join(own, `global_step_${step}`, 'critic'), { family, worldSize: 8 });
        saveCritic(join(own, `global_step_${step}`, 'actor'), { family, worldSize: 8 });
        writeFileSync(join(own, `global_step_${step}`, 'data.pt'), 'dataloader');
      }
      writeFileSync(join(own, 'latest_checkpointed_iteration.txt'), '20');
      const resume = (...extra: string[]) => w.launch('trainer.experiment_name=life', 'trainer.resume_mode=auto', '-trainer.load_critic_only', '-trainer.resume_from_path', ...extra);
      const partial = shape === '0.3.0.post1' ? [] : ['critic.checkpoint.load_contents=[model]'];

      it('the first launch passes; relaunched as written after its own saves, it fails naming the resume', async () => {
        expect((await preflight(w, w.launch('trainer.experiment_name=first', ...partial))).verdict.ok).toBe(true);
        const again = await preflight(w, w.launch('trainer.experiment_name=life', ...partial));
        expect(errorKeys(again)).toEqual(['trainer.default_local_dir']);
        expect(again.findings.find((f) => f.check === 7)!.message).toMatch(/trainer\.resume_mode=auto and without trainer\.load_critic_only, trainer\.resume_from_path/);
      });

      it('the later resume (auto, no flag, no resume path): ok, resuming its own step 20', async () => {
        const result = await preflight(w, resume());
        expect(result.findings.filter((f) => f.level !== 'note')).toEqual([]);
        expect(result.verdict).toMatchObject({ ok: true, resumes: { step: 20, folder: join(own, 'global_step_20') } });
      });

      it('the later resume from its own step named as a resume path, without the flag: ok', async () => {
        const words = w.launch('trainer.experiment_name=life', '-trainer.load_critic_only', `trainer.resume_from_path=${join(own, 'global_step_10')}`);
        expect((await preflight(w, words)).verdict).toMatchObject({ ok: true, resumes: { step: 10 } });
        // With the flag still set: a fresh actor at step 10, check 7.
        const flagged = w.launch('trainer.experiment_name=life', `trainer.resume_from_path=${join(own, 'global_step_10')}`);
        expect(errorKeys(await preflight(w, flagged))).toEqual(['trainer.default_local_dir']);
      });

      if (shape !== '0.3.0.post1') {
        it('the later resume keeping the warm start\'s load_contents=[model]: an error naming it', async () => {
          const result = await preflight(w, resume('critic.checkpoint.load_contents=[model]'));
          expect(errorKeys(result)).toEqual(['critic.checkpoint.load_contents']);
          expect(result.findings[0]!.message).toMatch(/optimizer and extra state start over/);
        });
      }

      it('a later resume whose folder has no tracker: auto trains from scratch, an error naming trainer.resume_mode', async () => {
        const bare = join(w.root, 'checkpoints', 'my_project', 'bare');
        saveCritic(join(bare, 'global_step_5', 'critic'), { family, worldSize: 8 });
        saveCritic(join(bare, 'global_step_5', 'actor'), { family, worldSize: 8 });
        const result = await preflight(w, w.launch('trainer.experiment_name=bare', 'trainer.resume_mode=auto', '-trainer.load_critic_only', '-trainer.resume_from_path'));
        expect(errorKeys(result)).toEqual(['trainer.resume_mode']);
        expect(result.findings[0]!.message).toMatch(/latest_checkpointed_iteration\.txt.*trainer\.resume_from_path=.*global_step_5/);
      });

      it('auto without the flag on a folder holding only a staged global_step_0 (no actor/): not a resume, an error', async () => {
        const inPlace = join(w.root, 'checkpoints', 'my_project', 'inplace');
        writeStagedCritic(inPlace, family, 8);
        const result = await preflight(w, w.launch('trainer.experiment_name=inplace', 'trainer.resume_mode=auto', '-trainer.load_critic_only', '-trainer.resume_from_path'));
        expect(result.verdict).toMatchObject({ ok: false, resumes: null });
        expect(errorKeys(result)).toContain('trainer.load_critic_only');
      });

      const wrongPaths: [string, (dir: string) => void, RegExp][] = [
        ["the old run's step 200 (actor/, data.pt)", (dir) => {
          saveCritic(join(dir, 'critic'), { family, worldSize: 8 });
          saveCritic(join(dir, 'actor'), { family, worldSize: 8 });
          writeFileSync(join(dir, 'data.pt'), 'dataloader');
        }, /global_steps=200.*data\.pt/],
        ['a step-5 folder holding critic/ alone', (dir) => saveCritic(join(dir, 'critic'), { family, worldSize: 8 }), /global_steps=5 /],
        ['a step-0 folder with data.pt', (dir) => {
          saveCritic(join(dir, 'critic'), { family, worldSize: 8 });
          writeFileSync(join(dir, 'data.pt'), 'dataloader');
        }, /dataloader position from data\.pt/],
        ['a step-0 folder with transfer_queue/', (dir) => {
          saveCritic(join(dir, 'critic'), { family, worldSize: 8 });
          mkdirSync(join(dir, 'transfer_queue'));
        }, /transfer_queue\/, the old actor's in-flight prompts/],
      ];
      for (const [what, make, restores] of wrongPaths) {
        it(`a resume path to ${what}: an error naming what VeRL would restore and the stage command`, async () => {
          const step = what.includes('200') ? 200 : what.includes('step-5') ? 5 : 0;
          const dir = join(w.root, 'wrong', what.replace(/\W+/g, '-'), `global_step_${step}`);
          make(dir);
          writeModel(join(dir, 'critic', 'huggingface'));
          const result = await preflight(w, w.launch(`trainer.resume_from_path=${dir}`));
          expect(errorKeys(result)).toEqual(['trainer.resume_from_path']);
          const message = result.findings.find((f) => f.level === 'error')!.message;
          expect(message).toMatch(restores);
          expect(message).toContain(`verl-critic-patch stage --verl ${w.verl} ${dir} <new folder>`);
        });
      }
    });
  }

  it('an unpatched VeRL: the fix named is apply on that VeRL as typed, not Hydra\'s +key', async () => {
    const unpatched = world('0.9.0', { patched: false });
    const plain = await preflight(unpatched, unpatched.launch('trainer.load_critic_only=true', '-trainer.load_critic_only'));
    expect(plain.findings).toHaveLength(1);
    expect(plain.findings[0]).toMatchObject({ level: 'error', key: 'trainer.load_critic_only' });
    expect(plain.findings[0]!.message).toContain(`verl-critic-patch apply ${unpatched.verl}`);
    expect(plain.findings[0]!.message).not.toMatch(/\+trainer\.load_critic_only/);
    const plusPlus = await preflight(unpatched, unpatched.launch());
    expect(plusPlus.findings.find((f) => f.level === 'error')!.message).toContain(`verl-critic-patch apply ${unpatched.verl}`);
  });
});

/** Check 6 compares what both sides state, and only that. */
describe.skipIf(omegaConfPython === null)('preflight check 6: the tokenizer, field by field', () => {
  const w = world('0.7.1');
  const withCritic = (make: (huggingface: string) => void) => {
    const dir = writeStagedCritic(join(w.root, `tok-${Math.random().toString(36).slice(2)}`), FAMILY['0.7.1'], 8);
    make(join(dir, 'critic', 'huggingface'));
    return dir;
  };

  const qwen2 = (vocab: number) => ({ architectures: ['Qwen2ForTokenClassification'], model_type: 'qwen2', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 128, vocab_size: vocab });
  /** critic.model.path of the saved critic's architecture (check 5 compares vocab_size too). */
  const criticModel = (vocab: number) => {
    const dir = join(w.root, 'models', `critic-${vocab}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(qwen2(vocab)));
    return dir;
  };

  it("no tokenizer.json in the saved critic's huggingface/: its unknown eos id is not a difference", async () => {
    const dir = withCritic((hf) => rmSync(join(hf, 'tokenizer.json')));
    const result = await preflight(w, w.launch(`trainer.resume_from_path=${dir}`));
    expect(result.findings.filter((f) => f.check === 6 && f.level !== 'note')).toEqual([]);
    expect(result.verdict.ok).toBe(true);
  });

  it('an actor of vocab 128256, bos/eos 128000/128001 against a critic of vocab 151936, neither with tokenizer.json: an error', async () => {
    const dir = withCritic((hf) => {
      rmSync(join(hf, 'tokenizer.json'));
      writeFileSync(join(hf, 'config.json'), JSON.stringify({ ...qwen2(151936), bos_token_id: 151643, eos_token_id: 151645 }));
    });
    const llama = join(w.root, 'models', 'llama');
    mkdirSync(llama, { recursive: true });
    writeFileSync(join(llama, 'config.json'), JSON.stringify({ model_type: 'llama', vocab_size: 128256, bos_token_id: 128000, eos_token_id: 128001 }));
    const result = await preflight(w, w.launch(`trainer.resume_from_path=${dir}`, `actor_rollout_ref.model.path=${llama}`, `critic.model.path=${criticModel(151936)}`));
    expect(errorKeys(result)).toEqual(['actor_rollout_ref.model.path']);
    expect(result.findings[0]!.message).toMatch(/config\.json vocab_size 128256 here, 151936 the critic's/);
  });

  it("padded embeddings of one family: config.json vocab_size differs, len(tokenizer) agrees: ok, with a note", async () => {
    const dir = withCritic((hf) => {
      const config = JSON.parse(readFileSync(join(hf, 'config.json'), 'utf8'));
      writeFileSync(join(hf, 'config.json'), JSON.stringify({ ...config, vocab_size: 128 }));
    });
    const result = await preflight(w, w.launch(`trainer.resume_from_path=${dir}`, `critic.model.path=${criticModel(128)}`));
    expect(result.verdict.ok).toBe(true);
    expect(result.findings.find((f) => f.check === 6)).toMatchObject({ level: 'note' });
  });
});
