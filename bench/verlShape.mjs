/**
 * A checkout shaped like a real VeRL v0.9.0, for `npm run bench` (scripts/bench.mjs): the numbers
 * of such a checkout, with our own text in VeRL's shapes (bench/pythonShape.mjs,
 * bench/yamlShape.mjs). A real v0.9.0 holds:
 *   - 640 `.py` files; 9 of them mention `actor_rollout_wg`; 3 trainers to patch
 *     (`verl/trainer/ppo/ray_trainer.py`, about 1,800 lines, `verl/trainer/ppo/v1/trainer_base.py`,
 *     `verl/trainer/main_ppo_sync.py`); worker modules that define `load_checkpoint`;
 *   - 52 YAMLs in `verl/trainer/config/` (about 8,000 lines): only 6 mention `resume_mode` (four
 *     `_generated_*.yaml` snapshots of about 1,000 lines, `ppo_trainer.yaml` of about 445 lines,
 *     `sft_trainer.yaml`), the others are variants with `defaults:` lists, configs whose
 *     `trainer:` only overrides the cluster size, and many small per-component configs in
 *     subfolders with no trainer block;
 *   - YAMLs elsewhere (examples, experimental recipes, CI workflows) and docs and scripts.
 * Deterministic (seeded), so runs on different machines compare.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rng } from './generate.mjs';
import { actorRolloutUser, libraryModule, realShapedTrainer } from './pythonShape.mjs';
import { componentConfig, generatedSnapshot, sourceConfig } from './yamlShape.mjs';

/** The size of the main trainer, as VeRL's `ray_trainer.py` (1,700 to 1,850 lines in 2026). */
export const REAL_TRAINER_LINES = 1788;
export const PY_FILES = 640;
const PY_LINES = 150_000;

/** The trainers to patch: [path, lines, class]. */
const TRAINERS = [
  ['verl/trainer/ppo/ray_trainer.py', REAL_TRAINER_LINES, 'RayPPOTrainer'],
  ['verl/trainer/ppo/v1/trainer_base.py', 900, 'PPOTrainerBase'],
  ['verl/trainer/main_ppo_sync.py', 650, 'SyncPPOTrainer'],
];

/** Modules that mention `actor_rollout_wg` but hold no actor load to guard: [path, lines]. */
const ACTOR_ROLLOUT_USERS = [
  ['verl/experimental/fully_async_policy/ray_trainer.py', 540],
  ['verl/experimental/fully_async_policy/fully_async_rollouter.py', 790],
  ['verl/experimental/one_step_off_policy/ray_trainer.py', 770],
  ['verl/experimental/vla/rob_ray_trainer.py', 670],
  ['verl/utils/rollout_skip.py', 130],
  ['tests/experimental/agent_loop/agent_utils.py', 90],
];

/** Modules that define or call a `load_checkpoint` of their own (workers, checkpoint managers). */
const WORKERS = [
  ['verl/workers/fsdp_workers.py', 2100],
  ['verl/workers/megatron_workers.py', 1600],
  ['verl/workers/engine_workers.py', 900],
  ['verl/workers/critic/dp_critic.py', 300],
  ['verl/utils/checkpoint/fsdp_checkpoint_manager.py', 420],
  ['verl/utils/checkpoint/megatron_checkpoint_manager.py', 650],
  ['verl/utils/checkpoint/checkpoint_manager.py', 260],
  ['verl/workers/engine/fsdp/transformer_impl.py', 1100],
  ['verl/workers/engine/megatron/transformer_impl.py', 1000],
  ['verl/trainer/fsdp_sft_trainer.py', 850],
];

/** `verl/trainer/config/`: [path, lines, kind]; 52 files, about 8,000 lines. */
const CONFIGS = [
  ['_generated_ppo_trainer.yaml', 1030, 'generated'],
  ['_generated_ppo_megatron_trainer.yaml', 1080, 'generated'],
  ['_generated_ppo_veomni_trainer.yaml', 972, 'generated'],
  ['_generated_ppo_torchtitan_trainer.yaml', 1010, 'generated'],
  ['ppo_trainer.yaml', 445, 'resume+defaults'],
  ['sft_trainer.yaml', 110, 'resume'],
  ['ppo_megatron_trainer.yaml', 230, 'partial+defaults'],
  ['ppo_veomni_trainer.yaml', 120, 'partial+defaults'],
  ['ppo_torchtitan_trainer.yaml', 110, 'partial+defaults'],
  ['sft_trainer_engine.yaml', 90, 'partial+defaults'],
  ['generation.yaml', 62, 'partial'],
  ['evaluation.yaml', 15, 'none'],
  ['reward_manager.yaml', 8, 'none'],
  ['ppo_trainer_agent.yaml', 60, 'none+defaults'],
  ...[
    ['actor', [['actor', 255], ['dp_actor', 50], ['megatron_actor', 30], ['veomni_actor', 25], ['torchtitan_actor', 25]]],
    ['critic', [['critic', 180], ['dp_critic', 75], ['megatron_critic', 105], ['veomni_critic', 40]]],
    ['ref', [['ref', 120], ['dp_ref', 30], ['megatron_ref', 30], ['veomni_ref', 20]]],
    ['rollout', [['rollout', 360], ['agent_loop', 45]]],
    ['data', [['legacy_data', 130]]],
    ['engine', [['fsdp', 65], ['megatron', 90], ['veomni', 70], ['torchtitan', 55]]],
    ['optim', [['fsdp', 50], ['megatron', 50], ['veomni', 40], ['torchtitan', 35]]],
    ['model', [['hf_model', 100], ['model_engine', 40]]],
    ['profiler', [['profiler', 75]]],
    ['npu_profile', [['npu_profile', 35]]],
    ['reward_model', [['reward_model', 110], ['dp_reward_model', 55], ['megatron_reward_model', 75], ['dp_reward_loop', 42], ['megatron_reward_loop', 42]]],
    ['algorithm', [['rollout_correction', 26], ['filter_groups', 12]]],
    ['checkpoint', [['checkpoint', 30]]],
    ['distillation', [['distillation', 60]]],
    ['reward', [['reward', 40]]],
  ].flatMap(([folder, files]) => files.map(([name, lines]) => [`${folder}/${name}.yaml`, lines, 'component'])),
];

/** YAMLs outside the trainer config folder: recipes, examples, tests, CI (a dot folder). */
const OTHER_YAMLS = [
  ...['fully_async_policy', 'one_step_off_policy', 'transfer_queue', 'vla'].map((name) => [`verl/experimental/${name}/config/${name}_trainer.yaml`, 70, 'partial+defaults']),
  ...Array.from({ length: 12 }, (_, i) => [`examples/${['sglang_multiturn', 'gsm8k', 'geo3k', 'ppo_trainer'][i % 4]}/config/example_${i}.yaml`, 25 + ((i * 37) % 60), i % 3 === 0 ? 'partial+defaults' : 'component']),
  ['tests/trainer/config/legacy_ppo_trainer.yaml', 300, 'partial+defaults'],
  ['tests/trainer/config/legacy_ppo_megatron_trainer.yaml', 320, 'partial+defaults'],
  ...Array.from({ length: 30 }, (_, i) => [`.github/workflows/job_${i}.yml`, 60, 'component']),
];

function configText(seed, lines, kind) {
  if (kind === 'generated') return generatedSnapshot({ seed, lines });
  if (kind === 'component') return componentConfig({ seed, lines });
  const [trainer, defaults] = kind.split('+');
  return sourceConfig({ seed, lines, trainer, defaults: defaults === 'defaults' });
}

const PACKAGES = ['models', 'workers', 'utils', 'single_controller', 'third_party', 'trainer', 'experimental', 'tools', 'interactions', 'checkpoint_engine', 'protocol_utils'];

/**
 * Write the checkout under `root`. Returns what it wrote: { pyFiles, pyLines, yamlFiles,
 * configYamls, configLines, resumeModeYamls, actorRolloutFiles, otherFiles, trainers }.
 */
export function makeVerlCheckout(root) {
  const stats = { pyFiles: 0, pyLines: 0, yamlFiles: 0, configYamls: 0, configLines: 0, resumeModeYamls: 0, actorRolloutFiles: 0, otherFiles: 0, trainers: TRAINERS.map(([path]) => path) };
  const write = (rel, text) => {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    const lines = text.split('\n').length - 1;
    if (rel.endsWith('.py')) {
      stats.pyFiles++;
      stats.pyLines += lines;
      if (text.includes('actor_rollout_wg')) stats.actorRolloutFiles++;
    } else if (/\.ya?ml$/.test(rel)) {
      stats.yamlFiles++;
      if (rel.startsWith('verl/trainer/config/')) {
        stats.configYamls++;
        stats.configLines += lines;
        if (text.includes('resume_mode')) stats.resumeModeYamls++;
      }
    } else stats.otherFiles++;
  };
  write('verl/version/version', '0.9.0\n');
  for (const [path, lines, className] of TRAINERS) write(path, realShapedTrainer(lines, { seed: lines, className }));
  ACTOR_ROLLOUT_USERS.forEach(([path, lines], i) => write(path, actorRolloutUser(lines, 100 + i)));
  WORKERS.forEach(([path, lines], i) => write(path, libraryModule(lines, 200 + i, { loadCheckpoint: true })));
  CONFIGS.forEach(([path, lines, kind], i) => write(`verl/trainer/config/${path}`, configText(300 + i, lines, kind)));
  OTHER_YAMLS.forEach(([path, lines, kind], i) => write(path, configText(400 + i, lines, kind)));

  // Docs, launch scripts and the like: files a scan walks past.
  const random = rng(640);
  for (let i = 0; i < 320; i++) {
    const [dir, ext] = [['docs', 'md'], ['docs/advance', 'rst'], ['examples/grpo_trainer', 'sh'], ['examples/ppo_trainer', 'sh'], ['scripts', 'sh']][i % 5];
    write(`${dir}/file_${i}.${ext}`, `# ${dir} ${i}\n${'text of the benchmark checkout\n'.repeat(5 + Math.floor(random() * 60))}`);
  }

  // The rest of the Python files: filler modules (skewed sizes: many small modules, a few large),
  // PER_PACKAGE to a package folder with its `__init__.py`, until there are PY_FILES files of
  // about PY_LINES lines in all.
  const PER_PACKAGE = 8;
  const remaining = PY_FILES - stats.pyFiles;
  const fillers = remaining - Math.ceil(remaining / (PER_PACKAGE + 1));
  // A module comes out about 20 lines longer than asked (its header, its last method).
  const meanLines = (PY_LINES - stats.pyLines) / fillers - 20;
  for (let i = 0; stats.pyFiles < PY_FILES; i++) {
    const group = Math.floor(i / PER_PACKAGE);
    const top = i < fillers * 0.72 ? `verl/${PACKAGES[group % PACKAGES.length]}` : ['tests/unit', 'tests/e2e', 'examples/data_preprocess', 'scripts'][group % 4];
    const dir = `${top}/sub_${group}`;
    if (!existsSync(join(root, dir))) {
      write(`${dir}/__init__.py`, i % 3 === 0 ? '' : `"""Package ${i} of the benchmark checkout."""\n`);
      if (stats.pyFiles >= PY_FILES) break;
    }
    // random() * random() has mean 1/4: sizes from 20 lines to about 4 * meanLines, mean meanLines.
    const size = 20 + Math.floor(random() * random() * 4 * (meanLines - 20));
    write(`${dir}/module_${i}.py`, libraryModule(size, 1000 + i));
  }
  return stats;
}
