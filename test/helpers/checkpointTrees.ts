/**
 * Fake VeRL checkpoint trees for the inspect/stage tests: FSDP shard names for any world size,
 * a Megatron-style dist_ckpt/ tree, the tracker file, data.pt, and a small huggingface/ folder.
 * File contents are a few deterministic bytes derived from the file name, so a staged copy can be
 * compared with its source byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { scratchDir } from './scratch.js';
import { dirname, join, relative } from 'node:path';

export type Kind = 'model' | 'optimizer' | 'extra';
const PREFIX: Record<Kind, string> = { model: 'model', optimizer: 'optim', extra: 'extra_state' };

export interface FsdpRoleSpec {
  backend?: 'fsdp';
  worldSize: number;
  /** Which kinds are saved (checkpoint.save_contents); all three by default. */
  kinds?: Kind[];
  /** Ranks to leave out, per kind (e.g. { optimizer: [3] }). */
  missing?: Partial<Record<Kind, number[]>>;
  /** Shards of another world size written into the same folder (a second run's save). */
  alsoWorldSize?: number;
  /** fsdp_config.json: true writes the right world size, a number writes that one, false none. */
  fsdpConfig?: boolean | number | string;
  huggingface?: boolean | 'weights';
  /** Bytes per shard file (default 64). */
  shardBytes?: number;
}

export interface MegatronRoleSpec {
  backend: 'megatron';
  huggingface?: boolean | 'weights';
  /** Number of .distcp files (default 4). */
  distcpFiles?: number;
}

export type RoleSpec = FsdpRoleSpec | MegatronRoleSpec;

export interface StepSpec {
  actor?: RoleSpec;
  critic?: RoleSpec;
  /** Name of the critic folder on disk (default `critic`), e.g. `Critic`. */
  criticName?: string;
  dataPt?: boolean;
}

export function scratch(prefix = 'vcp-ckpt-'): string {
  return scratchDir(prefix);
}

export function fileBytes(name: string, size: number): Buffer {
  return Buffer.alloc(size, createHash('sha256').update(name).digest());
}

function put(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

export function writeRole(dir: string, spec: RoleSpec): void {
  mkdirSync(dir, { recursive: true });
  if (spec.backend === 'megatron') {
    writeDistCkpt(join(dir, 'dist_ckpt'), spec.distcpFiles ?? 4, ['model', 'optimizer', 'extra']);
  } else {
    writeShards(dir, spec.worldSize, spec.kinds ?? ['model', 'optimizer', 'extra'], spec.missing ?? {}, spec.shardBytes ?? 64);
    if (spec.alsoWorldSize !== undefined) {
      writeShards(dir, spec.alsoWorldSize, spec.kinds ?? ['model', 'optimizer', 'extra'], {}, spec.shardBytes ?? 64);
    }
    const config = spec.fsdpConfig ?? true;
    if (typeof config === 'string') put(join(dir, 'fsdp_config.json'), config);
    else if (config !== false) {
      const worldSize = config === true ? spec.worldSize : config;
      put(join(dir, 'fsdp_config.json'), JSON.stringify({ FSDP_version: 1, world_size: worldSize }));
    }
  }
  if (spec.huggingface) writeHuggingface(join(dir, 'huggingface'), spec.huggingface === 'weights');
}

function writeShards(dir: string, worldSize: number, kinds: Kind[], missing: Partial<Record<Kind, number[]>>, size: number) {
  for (const kind of kinds) {
    for (let rank = 0; rank < worldSize; rank++) {
      if (missing[kind]?.includes(rank)) continue;
      const name = `${PREFIX[kind]}_world_size_${worldSize}_rank_${rank}.pt`;
      put(join(dir, name), fileBytes(name, size));
    }
  }
}

export function writeHuggingface(dir: string, weights: boolean): void {
  put(join(dir, 'config.json'), JSON.stringify({ architectures: ['Qwen2ForTokenClassification'], num_labels: 1 }));
  put(join(dir, 'tokenizer_config.json'), '{"model_max_length": 4096}');
  put(join(dir, 'generation_config.json'), '{}');
  if (weights) put(join(dir, 'model.safetensors'), fileBytes('weights', 128));
}

export function writeStep(dir: string, spec: StepSpec): string {
  mkdirSync(dir, { recursive: true });
  if (spec.actor) writeRole(join(dir, 'actor'), spec.actor);
  if (spec.critic) writeRole(join(dir, spec.criticName ?? 'critic'), spec.critic);
  if (spec.dataPt ?? true) put(join(dir, 'data.pt'), fileBytes('data', 48));
  return dir;
}

export interface RunSpec {
  steps: Record<number, StepSpec>;
  /** Tracker content: a number or raw text; null for no tracker. Defaults to the highest step. */
  tracker?: number | string | null;
}

/** A run folder (trainer.default_local_dir) with global_step_N folders and the tracker file. */
export function writeRun(dir: string, spec: RunSpec): string {
  mkdirSync(dir, { recursive: true });
  const numbers = Object.keys(spec.steps).map(Number);
  for (const n of numbers) writeStep(join(dir, `global_step_${n}`), spec.steps[n]!);
  const tracker = spec.tracker === undefined ? (numbers.length ? Math.max(...numbers) : null) : spec.tracker;
  if (tracker !== null) put(join(dir, 'latest_checkpointed_iteration.txt'), String(tracker));
  return dir;
}

/** A typical finished FSDP PPO run: three saves, actor and critic of world size `worldSize`. */
export function typicalRun(dir: string, worldSize = 4): string {
  const step: StepSpec = {
    actor: { worldSize, huggingface: true },
    critic: { worldSize, huggingface: true },
  };
  return writeRun(dir, { steps: { 40: step, 80: step, 120: step } });
}

/** What inspect says of a typicalRun's run folder. */
export const TYPICAL_RUN_REPORT = {
  tracker: { present: true, step: 120, raw: '120' },
  steps: [40, 80, 120],
  highestStep: 120,
  latestStep: 120,
  latestFrom: 'tracker',
};

export interface FileFact {
  size: number;
  sha256: string;
  mtimeMs: number;
  mode: number;
  ino: number;
}

/** Every file below `root` with what "untouched" means: bytes, mtime and mode (not ctime: links change it). */
export function snapshotTree(root: string): Record<string, FileFact> {
  const facts: Record<string, FileFact> = {};
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        facts[`${relative(root, full)}/`] = { size: 0, sha256: '', mtimeMs: statSync(full).mtimeMs, mode: statSync(full).mode, ino: 0 };
        visit(full);
      } else {
        const info = statSync(full);
        facts[relative(root, full)] = {
          size: info.size,
          sha256: createHash('sha256').update(readFileSync(full)).digest('hex'),
          mtimeMs: info.mtimeMs,
          mode: info.mode,
          ino: info.ino,
        };
      }
    }
  };
  visit(root);
  return facts;
}

/** Relative paths of every file below `root`, sorted. */
export function listFiles(root: string): string[] {
  return Object.keys(snapshotTree(root))
    .filter((p) => !p.endsWith('/'))
    .sort();
}

/**
 * A Megatron dist_checkpointing folder as torch's FileSystemWriter and Megatron write it: one
 * `__R_0.distcp` per rank, `.metadata` (a pickle: here, bytes holding the strings a real one holds,
 * the keys of what was saved and the shard file names), Megatron's `metadata.json` and `common.pt`.
 */
export function writeDistCkpt(dir: string, ranks: number, kinds: readonly Kind[]): void {
  mkdirSync(dir, { recursive: true });
  const keys = [
    ...(kinds.includes('model') ? ['decoder.layers.self_attention.linear_qkv.weight', 'embedding.word_embeddings.weight', 'output_layer.weight'] : []),
    ...(kinds.includes('optimizer') ? ['optimizer.distributed.dp_group_idx_0.gbuf_idx_0.dtype_(torch.bfloat16, torch.bfloat16).bucket_idx_0.exp_avg'] : []),
    ...(kinds.includes('extra') ? ['rng_state'] : []),
  ];
  const files = Array.from({ length: ranks }, (_, r) => `__${r}_0.distcp`);
  const pickled = Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), ...[...keys, ...files].map((k) => Buffer.from(`\x8c${String.fromCharCode(k.length)}${k}\x94`, 'latin1')), Buffer.from('.')]);
  put(join(dir, '.metadata'), pickled);
  put(join(dir, 'metadata.json'), '{"sharded_backend": "torch_dist", "sharded_backend_version": 1, "common_backend": "torch", "common_backend_version": 1}');
  put(join(dir, 'common.pt'), fileBytes(`${dir}common`, 32));
  for (const file of files) put(join(dir, file), fileBytes(`${dir}${file}`, 64));
}

/** The saver families whose exact file names tests reproduce (VeRL's checkpoint managers at each tag). */
export const SAVER_FAMILIES = [
  'fsdp-v0.2', 'fsdp-v0.3', 'fsdp-v0.4.0', 'fsdp-v0.4.1', 'fsdp2',
  'megatron-v0.3', 'megatron-v0.4.0', 'megatron-v0.4.1', 'megatron-v0.6', 'megatron-v0.9',
] as const;

export type SaverFamily = (typeof SAVER_FAMILIES)[number];

export type Content = Kind | 'hf_model';

export interface SaveSpec {
  family: SaverFamily;
  /** What the saver was told to save (checkpoint.contents / save_contents); default: the release's default. */
  contents?: Content[];
  /** FSDP: the world size. Megatron: tp x pp x dp. */
  tp?: number;
  pp?: number;
  dp?: number;
  worldSize?: number;
  /** 0.9 Megatron: model weights through Megatron-Bridge as HF files (the default), or as dist_ckpt shards. */
  bridge?: boolean;
}

/** Each release's default contents: 0.3 saved hf_model by default, 0.4.0 on did not. */
export function defaultContents(family: SaverFamily): Content[] {
  return family === 'fsdp-v0.3' || family === 'megatron-v0.3' ? ['model', 'hf_model', 'optimizer', 'extra'] : ['model', 'optimizer', 'extra'];
}

const TOKENIZER = ['tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.json'];

function hfConfigAndTokenizer(dir: string): void {
  put(join(dir, 'config.json'), JSON.stringify({ architectures: ['Qwen2ForTokenClassification'], num_labels: 1 }));
  for (const name of TOKENIZER) put(join(dir, name), `{"${name}": true}`);
}

/**
 * Writes the critic folder `dir` exactly as the family's saver names its files: the shards of
 * every rank, and the config, tokenizer and bookkeeping files beside them. Contents are a few
 * bytes each; names are what matters.
 */
export function saveCritic(dir: string, spec: SaveSpec): void {
  mkdirSync(dir, { recursive: true });
  const contents = spec.contents ?? defaultContents(spec.family);
  const kinds = (['model', 'optimizer', 'extra'] as Kind[]).filter((k) => contents.includes(k));
  const hfModel = contents.includes('hf_model');
  const tp = spec.tp ?? 2;
  const pp = spec.pp ?? 1;
  const dp = spec.dp ?? 2;
  const world = spec.worldSize ?? tp * pp * dp;
  switch (spec.family) {
    case 'fsdp-v0.2':
    case 'fsdp-v0.3':
      writeShards(dir, world, kinds, {}, 32);
      // 0.2 always, 0.3 with hf_model: config and tokenizer (no weights) in huggingface/.
      if (spec.family === 'fsdp-v0.2' || hfModel) hfConfigAndTokenizer(join(dir, 'huggingface'));
      return;
    case 'fsdp-v0.4.0':
      writeShards(dir, world, kinds, {}, 32);
      hfConfigAndTokenizer(dir);
      if (hfModel) {
        hfConfigAndTokenizer(join(dir, 'huggingface'));
        put(join(dir, 'huggingface', 'model.safetensors'), fileBytes(`${dir}hf`, 64));
      }
      return;
    case 'fsdp-v0.4.1':
    case 'fsdp2':
      writeShards(dir, world, kinds, {}, 32);
      hfConfigAndTokenizer(join(dir, 'huggingface'));
      if (hfModel) put(join(dir, 'huggingface', 'model.safetensors'), fileBytes(`${dir}hf`, 64));
      put(join(dir, 'fsdp_config.json'), JSON.stringify({ FSDP_version: spec.family === 'fsdp2' ? 2 : 1, world_size: world }, null, 4));
      return;
    case 'megatron-v0.3':
    case 'megatron-v0.4.0': {
      const v040 = spec.family === 'megatron-v0.4.0';
      const mp = (t: number, p: number) => `mp_rank_${String(t).padStart(2, '0')}${pp > 1 ? `_${String(p).padStart(3, '0')}` : ''}`;
      for (let t = 0; t < tp; t++) {
        for (let p = 0; p < pp; p++) {
          if (kinds.includes('model')) put(join(dir, 'model', mp(t, p), 'model.pt'), fileBytes(`${dir}${mp(t, p)}`, 32));
          if (kinds.includes('optimizer')) {
            const name = v040 ? `distrib_optim_pp${p}_tp${t}_cp0_dp0.pt` : `distrib_optim_pp${p}_tp${t}.pt`;
            put(join(dir, 'optim', name), fileBytes(`${dir}${name}`, 32));
          }
          if (kinds.includes('extra') && v040) {
            for (let d = 0; d < dp; d++) put(join(dir, 'rng_states', `rng_states_pp${p}_tp${t}_cp0_dp${d}.pt`), fileBytes(`${dir}rng${p}${t}${d}`, 16));
          }
        }
      }
      if (kinds.includes('extra') && !v040) put(join(dir, 'rng_states', 'rng_states.pt'), fileBytes(`${dir}rng`, 16));
      if (kinds.includes('model')) {
        if (v040) hfConfigAndTokenizer(join(dir, 'hf_config_and_tokenizer'));
        else for (const name of TOKENIZER) put(join(dir, 'huggingface', name), `{"${name}": true}`);
      }
      if (hfModel) {
        put(join(dir, 'huggingface', 'config.json'), '{"architectures": ["Qwen2ForCausalLM"]}');
        put(join(dir, 'huggingface', 'model.safetensors'), fileBytes(`${dir}hf`, 64));
      }
      return;
    }
    case 'megatron-v0.4.1':
    case 'megatron-v0.6':
      writeDistCkpt(join(dir, 'dist_ckpt'), world, kinds);
      if (kinds.includes('model')) hfConfigAndTokenizer(join(dir, 'huggingface'));
      if (kinds.includes('extra')) put(join(dir, 'transformer_config.json'), transformerConfig(tp, pp));
      return;
    case 'megatron-v0.9': {
      const bridge = spec.bridge ?? true;
      for (const sub of ['model/huggingface', 'model/dist_ckpt', 'optimizer/dist_ckpt', 'extra/dist_ckpt']) mkdirSync(join(dir, sub), { recursive: true });
      if (kinds.includes('model')) {
        if (bridge) {
          hfConfigAndTokenizer(join(dir, 'model', 'huggingface'));
          const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
          for (const name of shards) put(join(dir, 'model', 'huggingface', name), fileBytes(`${dir}${name}`, 64));
          put(join(dir, 'model', 'huggingface', 'model.safetensors.index.json'), JSON.stringify({ weight_map: { 'score.weight': shards[1] } }));
        } else {
          writeDistCkpt(join(dir, 'model', 'dist_ckpt'), world, ['model']);
        }
      }
      if (kinds.includes('optimizer')) writeDistCkpt(join(dir, 'optimizer', 'dist_ckpt'), world, ['optimizer']);
      if (kinds.includes('extra')) {
        writeDistCkpt(join(dir, 'extra', 'dist_ckpt'), world, ['extra']);
        put(join(dir, 'transformer_config.json'), transformerConfig(tp, pp));
      }
      const contentsEntries: Record<string, unknown> = {};
      if (kinds.includes('model')) contentsEntries.model = { path: bridge ? 'model/huggingface' : 'model/dist_ckpt', format: bridge ? 'huggingface' : 'megatron_dist_checkpoint' };
      if (kinds.includes('optimizer')) contentsEntries.optimizer = { path: 'optimizer/dist_ckpt', format: 'megatron_dist_checkpoint' };
      if (kinds.includes('optimizer')) contentsEntries.lr_scheduler = { path: 'optimizer/dist_ckpt', format: 'megatron_dist_checkpoint', key: 'lr_scheduler' };
      if (kinds.includes('extra')) contentsEntries.rng_state = { path: 'extra/dist_ckpt', format: 'megatron_dist_checkpoint', key: 'rng_state' };
      if (kinds.includes('extra')) contentsEntries.transformer_config = { path: 'transformer_config.json', format: 'json' };
      const directories: Record<string, string> = {};
      if (kinds.includes('optimizer')) directories['optimizer/dist_ckpt'] = 'optimizer shards';
      if (kinds.includes('extra')) directories['extra/dist_ckpt'] = 'rng shards';
      put(
        join(dir, 'ckpt_contents.json'),
        JSON.stringify({ schema_version: 2, framework: 'megatron', role: 'critic', world_size: world, save_contents: contents, contents: contentsEntries, directories }, null, 2),
      );
      return;
    }
  }
}

function transformerConfig(tp: number, pp: number): string {
  return JSON.stringify({ num_layers: 2, hidden_size: 64, tensor_model_parallel_size: tp, pipeline_model_parallel_size: pp, context_parallel_size: 1, expert_model_parallel_size: 1 }, null, 2);
}

/**
 * A VeRL checkout as far as `stage --verl` reads one: verl/version/version, the trainer YAMLs
 * (the trainer section, critic.checkpoint with the keys the release has), and ray_trainer.py.
 */
export function writeVerlCheckout(dir: string, version: string, options: { patched?: boolean } = {}): string {
  const key = (v: string) => v.split(/[.]/).slice(0, 3).map((n) => Number.parseInt(n, 10) || 0);
  const [, minor, patch] = key(version);
  const atLeast041 = minor! > 4 || (minor === 4 && patch! >= 1);
  const checkpoint = minor === 2 ? '' : atLeast041 ? '    save_contents: [model, optimizer, extra]\n    load_contents: ${critic.checkpoint.save_contents}\n' : '    contents: [model, optimizer, extra]\n';
  const trainer = `trainer:\n  resume_mode: auto\n  resume_from_path: null\n${options.patched ? '  load_critic_only: False\n' : ''}  default_local_dir: checkpoints\n`;
  const critic = `critic:\n  strategy: fsdp\n${checkpoint ? `  checkpoint:\n${checkpoint}` : ''}`;
  // The actor's section as each release has it (its strategy is the config's backend).
  const actorCheckpoint = checkpoint.replace(/^    /gm, '      ').replace('critic.checkpoint', 'actor_rollout_ref.actor.checkpoint');
  const actor = (strategy: string) => `actor_rollout_ref:\n  actor:\n    strategy: ${strategy}\n${actorCheckpoint ? `    checkpoint:\n${actorCheckpoint}` : ''}`;
  put(join(dir, 'verl', 'version', 'version'), `${version}\n`);
  // The entry point stage's preflight checks follow to the config (src/launch/entry.ts).
  put(join(dir, 'verl', 'trainer', 'main_ppo.py'), `@hydra.main(config_path="config", config_name="ppo_trainer", version_base=None)\ndef main(config):\n    pass\n`);
  for (const name of ['ppo_trainer', 'ppo_megatron_trainer']) {
    put(join(dir, 'verl', 'trainer', 'config', `${name}.yaml`), `${actor(name === 'ppo_trainer' ? 'fsdp' : 'megatron')}${critic}${trainer}`);
  }
  put(
    join(dir, 'verl', 'trainer', 'ppo', 'ray_trainer.py'),
    `class RayPPOTrainer:\n    def _load_checkpoint(self):\n        ${options.patched ? 'if not self.config.trainer.get("load_critic_only", False):\n            ' : ''}self.actor_rollout_wg.load_checkpoint(actor_path)\n`,
  );
  return dir;
}
