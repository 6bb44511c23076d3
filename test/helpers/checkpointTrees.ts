/**
 * Fake VeRL checkpoint trees for the inspect/stage tests: FSDP shard names for any world size,
 * a Megatron-style dist_ckpt/ tree, the tracker file, data.pt, and a small huggingface/ folder.
 * File contents are a few deterministic bytes derived from the file name, so a staged copy can be
 * compared with its source byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  return mkdtempSync(join(tmpdir(), prefix));
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
    const files = spec.distcpFiles ?? 4;
    put(join(dir, 'dist_ckpt', '.metadata'), fileBytes('metadata', 32));
    put(join(dir, 'dist_ckpt', 'common.pt'), fileBytes('common', 32));
    for (let i = 0; i < files; i++) put(join(dir, 'dist_ckpt', `__${i}_0.distcp`), fileBytes(`distcp${i}`, 64));
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
