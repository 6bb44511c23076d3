/**
 * Release-shaped VeRL checkouts for preflight's tests, in our own writing: the files preflight
 * reads (verl/version/version, trainer/main_ppo.py's @hydra.main, the trainers, the trainer
 * config in the shape of each release: the flat ppo_trainer.yaml of 0.3.0.post1, the composed
 * _generated_ppo_trainer.yaml of 0.5, 0.7 and 0.9, with the keys the checks read where each
 * release has them), fake model folders (config.json, tokenizer.json, tokenizer_config.json) and
 * a staged critic of the family the release saves.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { saveCritic, type SaverFamily } from './checkpointTrees.js';

export type Shape = '0.3.0.post1' | '0.5.0' | '0.7.1' | '0.9.0';
export const SHAPES: readonly Shape[] = ['0.3.0.post1', '0.5.0', '0.7.1', '0.9.0'];

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const trainerPy = (cls: string, patched: boolean) =>
  `import os\n\nclass ${cls}:\n    def _load_checkpoint(self):\n        if self.config.trainer.resume_mode == "disable":\n            return 0\n        global_step_folder = self.config.trainer.resume_from_path\n        actor_path = os.path.join(global_step_folder, "actor")\n        critic_path = os.path.join(global_step_folder, "critic")\n        # load actor\n` +
  (patched
    ? `        if not self.config.trainer.get("load_critic_only", False):\n            self.actor_rollout_wg.load_checkpoint(actor_path)\n`
    : `        self.actor_rollout_wg.load_checkpoint(actor_path)\n`) +
  `        if self.use_critic:\n            self.critic_wg.load_checkpoint(critic_path)\n`;

/** The trainer section, in the order and with the keys VeRL's has (a subset). */
function trainerYaml(shape: Shape, patched: boolean): string {
  return [
    'trainer:',
    '  project_name: my_project',
    '  experiment_name: my_run',
    '  nnodes: 1',
    '  n_gpus_per_node: 8',
    '  resume_mode: auto',
    '  resume_from_path: null',
    ...(patched ? ['  load_critic_only: false'] : []),
    '  del_local_ckpt_after_load: false',
    '  default_local_dir: checkpoints/${trainer.project_name}/${trainer.experiment_name}',
    '  max_critic_ckpt_to_keep: null',
    ...(shape === '0.9.0' ? ['  use_v1: true'] : []),
  ].join('\n');
}

function criticYaml(shape: Shape): string {
  const fsdp = shape === '0.9.0' ? ['  fsdp:', '    fsdp_size: -1'] : [];
  const modelFsdp = shape === '0.9.0' ? [] : ['    fsdp_config:', '      fsdp_size: -1'];
  const tokenizer = shape === '0.3.0.post1' ? '${actor_rollout_ref.model.path}' : shape === '0.9.0' ? 'null' : '${oc.select:actor_rollout_ref.model.path,"~/models/deepseek-llm-7b-chat"}';
  const checkpoint = shape === '0.3.0.post1' ? ['    contents: [model, hf_model, optimizer, extra]'] : ['    save_contents: [model, optimizer, extra]', '    load_contents: ${.save_contents}'];
  return [
    'critic:',
    ...(shape === '0.7.1' || shape === '0.9.0' ? ['  enable: null'] : []),
    '  strategy: fsdp',
    ...fsdp,
    '  model:',
    '    path: ~/models/deepseek-llm-7b-chat',
    `    tokenizer_path: ${tokenizer}`,
    ...(shape === '0.3.0.post1' ? [] : ['    lora_rank: 0']),
    ...modelFsdp,
    '  checkpoint:',
    ...checkpoint,
    '  megatron:',
    '    tensor_model_parallel_size: 1',
    '    pipeline_model_parallel_size: 1',
  ].join('\n');
}

function actorYaml(shape: Shape): string {
  // From 0.7 the rollout's name has no default (`???`): every launch sets it.
  const rollout = shape === '0.7.1' || shape === '0.9.0' ? ['  rollout:', '    name: ???'] : [];
  // The actor's checkpoint section: one contents list before 0.4.1, save_contents/load_contents after.
  const checkpoint = shape === '0.3.0.post1' ? ['      contents: [model, hf_model, optimizer, extra]'] : ['      save_contents: [model, optimizer, extra]', '      load_contents: ${.save_contents}'];
  return [
    'actor_rollout_ref:',
    '  model:',
    '    path: ~/models/deepseek-llm-7b-chat',
    ...(shape === '0.9.0' ? ['    tokenizer_path: null'] : []),
    '  actor:',
    '    strategy: fsdp',
    '    checkpoint:',
    ...checkpoint,
    ...rollout,
  ].join('\n');
}

/** The first lines VeRL's scripts/generate_trainer_config.sh writes on a snapshot (our wording around its command). */
export const SNAPSHOT_HEADER = (args: string, name: string) =>
  `# generated via 'scripts/generate_trainer_config.sh'\n# which runs 'python3 scripts/print_cfg.py --cfg job ${args}' to flatten the 'verl/trainer/config/${name}.yaml' config fields into one file.\n`;

/** A VeRL checkout of `shape`, patched (guard and key) unless told otherwise. */
export function writeShapedVerl(dir: string, shape: Shape, options: { patched?: boolean; v0Patched?: boolean } = {}): string {
  const patched = options.patched ?? true;
  put(join(dir, 'verl', 'version', 'version'), `${shape}\n`);
  const main = shape === '0.9.0'
    ? `import hydra\n\n@hydra.main(config_path="config", config_name="ppo_trainer", version_base=None)\ndef main(config):\n    if config.trainer.use_v1:\n        run_ppo(config, TaskRunnerV1)\n    else:\n        run_ppo(config, TaskRunner)\n`
    : `import hydra\n\n@hydra.main(config_path='config', config_name='ppo_trainer', version_base=None)\ndef main(config):\n    run_ppo(config)\n`;
  put(join(dir, 'verl', 'trainer', 'main_ppo.py'), main);
  put(join(dir, 'verl', 'trainer', 'ppo', 'ray_trainer.py'), trainerPy('RayPPOTrainer', options.v0Patched ?? patched));
  if (shape === '0.9.0') put(join(dir, 'verl', 'trainer', 'ppo', 'v1', 'trainer_base.py'), trainerPy('PPOTrainer', patched));
  const body = `${actorYaml(shape)}\n${criticYaml(shape)}\nalgorithm:\n  adv_estimator: gae\n${trainerYaml(shape, patched)}\n`;
  const config = join(dir, 'verl', 'trainer', 'config');
  if (shape === '0.3.0.post1') {
    put(join(config, 'ppo_trainer.yaml'), body);
  } else {
    // The source config picks a config group (Hydra composes it); the snapshot is its composition,
    // headed as VeRL's generator heads it, which the emulation reads.
    const critic = criticYaml(shape).split('\n').slice(1).map((line) => line.slice(2)).join('\n');
    put(join(config, 'critic', 'dp_critic.yaml'), `${critic}\n`);
    put(join(config, 'ppo_trainer.yaml'), `defaults:\n  - critic@critic: dp_critic\n  - _self_\n${actorYaml(shape)}\nalgorithm:\n  adv_estimator: gae\n${trainerYaml(shape, patched)}\n`);
    put(join(config, '_generated_ppo_trainer.yaml'), `${SNAPSHOT_HEADER('', 'ppo_trainer')}${body}`);
  }
  return dir;
}

export interface FakeModel {
  layers?: number;
  vocab?: number;
  eos?: number;
}

/** A Hugging Face model folder: config.json and a BPE tokenizer of `vocab` tokens. */
export function writeModel(dir: string, model: FakeModel = {}): string {
  const vocab = model.vocab ?? 100;
  put(join(dir, 'config.json'), JSON.stringify({ architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', hidden_size: 64, num_hidden_layers: model.layers ?? 2, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 128, vocab_size: vocab }));
  writeTokenizer(dir, vocab, model.eos ?? 2);
  return dir;
}

function writeTokenizer(dir: string, vocab: number, eos: number): void {
  const tokens = Object.fromEntries(Array.from({ length: vocab - 2 }, (_, i) => [`t${i}`, i]));
  const added = [{ id: vocab - 2, content: '<|endoftext|>' }, { id: vocab - 1, content: '<|pad|>' }];
  put(join(dir, 'tokenizer.json'), JSON.stringify({ version: '1.0', added_tokens: added, model: { type: 'BPE', vocab: tokens, merges: [] } }));
  put(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: `t${eos}`, pad_token: '<|pad|>', model_max_length: 4096 }));
}

/** The saver family of each shape's FSDP critic (checkpointTrees.ts). */
export const FAMILY: Record<Shape, SaverFamily> = { '0.3.0.post1': 'fsdp-v0.3', '0.5.0': 'fsdp-v0.4.1', '0.7.1': 'fsdp-v0.4.1', '0.9.0': 'fsdp-v0.4.1' };

/**
 * `<dir>/global_step_0/critic/` as `stage` leaves it, saved by `family` with world size
 * `worldSize`, its huggingface/ holding the old critic's config and tokenizer (a critic of `model`).
 */
export function writeStagedCritic(dir: string, family: SaverFamily, worldSize = 8, model: FakeModel = {}, contents?: ('model' | 'optimizer' | 'extra' | 'hf_model')[]): string {
  const critic = join(dir, 'global_step_0', 'critic');
  saveCritic(critic, { family, worldSize, contents: contents ?? (family === 'fsdp-v0.3' ? ['model', 'hf_model', 'optimizer', 'extra'] : undefined) });
  writeModel(join(critic, 'huggingface'), model);
  put(join(critic, 'huggingface', 'config.json'), JSON.stringify({ architectures: ['Qwen2ForTokenClassification'], model_type: 'qwen2', hidden_size: 64, num_hidden_layers: model.layers ?? 2, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 128, vocab_size: model.vocab ?? 100, num_labels: 1 }));
  return join(dir, 'global_step_0');
}
