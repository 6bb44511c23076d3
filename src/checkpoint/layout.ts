/**
 * Names VeRL uses on disk for checkpoints, as its FSDP and Megatron checkpoint managers and its
 * trainer's save and resume code write and read them, and the small parsers for them. Pure: no
 * filesystem access here, so every rule is testable on strings.
 *
 *   {default_local_dir}/latest_checkpointed_iteration.txt      holds N (what resume_mode=auto reads)
 *   {default_local_dir}/global_step_{N}/actor/ critic/ data.pt
 *   FSDP:     {role}/model|optim|extra_state_world_size_{W}_rank_{r}.pt, fsdp_config.json, huggingface/
 *   Megatron: {role}/dist_ckpt/, huggingface/
 */

export const TRACKER_FILE = 'latest_checkpointed_iteration.txt';
export const DATA_FILE = 'data.pt';
export const FSDP_CONFIG_FILE = 'fsdp_config.json';
export const HF_DIR = 'huggingface';
export const MEGATRON_DIR = 'dist_ckpt';
/** The step folder a staged critic lives in: VeRL turns the number after `global_step_` into global_steps. */
export const STAGED_STEP_DIR = 'global_step_0';

export type Role = 'actor' | 'critic';
export const ROLES: readonly Role[] = ['actor', 'critic'];

/** What a shard file holds, in the words of `checkpoint.save_contents` (model, optimizer, extra). */
export type ShardKind = 'model' | 'optimizer' | 'extra';
export const SHARD_KINDS: readonly ShardKind[] = ['model', 'optimizer', 'extra'];

const STEP_DIR_RE = /^global_step_(\d+)$/;
const SHARD_RE = /^(model|optim|extra_state)_world_size_(\d+)_rank_(\d+)\.pt$/;
const SHARD_PREFIX_TO_KIND: Record<string, ShardKind> = {
  model: 'model',
  optim: 'optimizer',
  extra_state: 'extra',
};

/** `global_step_120` -> 120; anything else -> null. Leading zeros parse as VeRL's int() would. */
export function parseStepDirName(name: string): number | null {
  const match = STEP_DIR_RE.exec(name);
  return match ? Number(match[1]) : null;
}

export interface ShardName {
  kind: ShardKind;
  worldSize: number;
  rank: number;
}

/** `optim_world_size_8_rank_3.pt` -> { kind: 'optimizer', worldSize: 8, rank: 3 }; else null. */
export function parseShardName(name: string): ShardName | null {
  const match = SHARD_RE.exec(name);
  if (!match) return null;
  const kind = SHARD_PREFIX_TO_KIND[match[1]!];
  if (!kind) return null;
  return { kind, worldSize: Number(match[2]), rank: Number(match[3]) };
}

/**
 * The tracker file's content as VeRL reads it (`int(f.read().strip())`): an integer, optionally
 * surrounded by whitespace. Returns null when VeRL's int() would fail.
 */
export function parseTracker(text: string): number | null {
  const trimmed = text.trim();
  return /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : null;
}

/** Hugging Face weight files, to tell a config-and-tokenizer-only `huggingface/` from one with weights. */
export function isHfWeightFile(name: string): boolean {
  return /\.(safetensors|bin|pt|pth|gguf)$/i.test(name) && !/^training_args\.bin$/i.test(name);
}

/** How the step to use was chosen from a run folder; see chooseLatestStep. */
export type LatestStepSource = 'tracker' | 'highest' | 'none';

/**
 * The step a run folder resumes from. VeRL writes the tracker file last, after the actor, critic
 * and data.pt are saved, so the tracker names the newest complete save; a higher `global_step_*`
 * folder without a tracker update is most likely a save that crashed half-way. So: the tracker's
 * step when its folder exists, else the highest folder (what is left to use at all).
 */
export function chooseLatestStep(
  trackerStep: number | null,
  steps: readonly number[],
): { step: number | null; source: LatestStepSource } {
  if (trackerStep !== null && steps.includes(trackerStep)) return { step: trackerStep, source: 'tracker' };
  if (steps.length === 0) return { step: null, source: 'none' };
  return { step: Math.max(...steps), source: 'highest' };
}
