/**
 * Names VeRL uses on disk for checkpoints, as its FSDP and Megatron checkpoint managers and its
 * trainer's save and resume code write and read them, and the small parsers for them. Pure: no
 * filesystem access here, so every rule is testable on strings.
 *
 *   {default_local_dir}/latest_checkpointed_iteration.txt      holds N (what resume_mode=auto reads)
 *   {default_local_dir}/global_step_{N}/actor/ critic/ data.pt
 *   FSDP:     {role}/model|optim|extra_state_world_size_{W}_rank_{r}.pt, fsdp_config.json, huggingface/
 *   Megatron: {role}/model/mp_rank_TT[_PPP]/model.pt, optim/, rng_states/   (0.3, 0.4.0)
 *             {role}/dist_ckpt/, huggingface/, transformer_config.json     (0.4.1 to 0.8)
 *             {role}/model/{huggingface,dist_ckpt}/, optimizer/dist_ckpt/, extra/dist_ckpt/,
 *             transformer_config.json, ckpt_contents.json                  (0.9)
 * Which release writes which shape, and what its loader opens, is in families.ts.
 */

export const TRACKER_FILE = 'latest_checkpointed_iteration.txt';
export const DATA_FILE = 'data.pt';
export const FSDP_CONFIG_FILE = 'fsdp_config.json';
export const HF_DIR = 'huggingface';
export const MEGATRON_DIR = 'dist_ckpt';
/** Megatron's TransformerConfig as JSON (0.4.1 on, written with the extra state): tp/pp/cp sizes. */
export const TRANSFORMER_CONFIG_FILE = 'transformer_config.json';
/** The 0.9 Megatron manifest, written last by rank 0: save_contents, world_size, where each part is. */
export const CKPT_CONTENTS_FILE = 'ckpt_contents.json';
/** torch.distributed.checkpoint's index of a dist_ckpt/ folder: every key and the file holding it. */
export const DIST_METADATA_FILE = '.metadata';
/** Megatron 0.4.0 writes the HF config and tokenizer here instead of huggingface/. */
export const HF_CONFIG_TOKENIZER_DIR = 'hf_config_and_tokenizer';
/** Megatron sub-folders: model/ (0.3, 0.4.0, 0.9), optim/ and rng_states/ (0.3, 0.4.0), optimizer/ and extra/ (0.9). */
export const MCORE_DIRS = { model: 'model', optim: 'optim', rng: 'rng_states', optimizer: 'optimizer', extra: 'extra' } as const;
export const MCORE_MODEL_FILE = 'model.pt';
/** The step folder a staged critic lives in: VeRL turns the number after `global_step_` into global_steps. */
export const STAGED_STEP_DIR = 'global_step_0';

export type Role = 'actor' | 'critic';
export const ROLES: readonly Role[] = ['actor', 'critic'];

/** What a shard file holds, in the words of `checkpoint.save_contents` (model, optimizer, extra). */
export type ShardKind = 'model' | 'optimizer' | 'extra';
export const SHARD_KINDS: readonly ShardKind[] = ['model', 'optimizer', 'extra'];

/** Where a file of a critic folder belongs: one content kind, all of them at once, or metadata. */
export type Part = ShardKind | 'all' | 'meta';

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

/** `mp_rank_01` -> tp 1; `mp_rank_01_002` -> tp 1, pp 2; a third number is the expert-parallel rank. */
export interface MpRank {
  tp: number;
  pp: number | null;
  ep: number | null;
}

const MP_RANK_RE = /^mp_rank_(\d{2,})(?:_(\d{3,}))?(?:_(\d{3,}))?$/;

export function parseMpRankDir(name: string): MpRank | null {
  const match = MP_RANK_RE.exec(name);
  if (!match) return null;
  return { tp: Number(match[1]), pp: match[2] === undefined ? null : Number(match[2]), ep: match[3] === undefined ? null : Number(match[3]) };
}

/** A Megatron 0.3 / 0.4.0 per-rank file name: the parallel ranks it names (cp and dp only from 0.4.0 on). */
export interface ParallelRanks {
  pp: number;
  tp: number;
  cp: number | null;
  dp: number | null;
}

const OPTIM_RE = /^distrib_optim_pp(\d+)_tp(\d+)(?:_cp(\d+)_dp(\d+))?\.pt$/;
const RNG_RE = /^rng_states_pp(\d+)_tp(\d+)_cp(\d+)_dp(\d+)\.pt$/;
/** The one RNG file of Megatron 0.3 (every rank writes the same state there). */
export const MCORE_V03_RNG_FILE = 'rng_states.pt';

function ranksOf(match: RegExpExecArray | null): ParallelRanks | null {
  if (!match) return null;
  const at = (i: number) => (match[i] === undefined ? null : Number(match[i]));
  return { pp: Number(match[1]), tp: Number(match[2]), cp: at(3), dp: at(4) };
}

/** `distrib_optim_pp0_tp1.pt` (0.3) or `distrib_optim_pp0_tp1_cp0_dp0.pt` (0.4.0); else null. */
export function parseOptimName(name: string): ParallelRanks | null {
  return ranksOf(OPTIM_RE.exec(name));
}

/** `rng_states_pp0_tp1_cp0_dp3.pt` (0.4.0: one per rank); else null. */
export function parseRngName(name: string): ParallelRanks | null {
  return ranksOf(RNG_RE.exec(name));
}

/**
 * What a dist_ckpt/.metadata says, read from its bytes without unpickling: torch pickles every
 * key and every shard file name as a plain string. Megatron prefixes optimizer keys with
 * `optimizer.` and keeps the RNG state under `rng_state`; model keys have no common prefix.
 */
export interface DistMetadataFacts {
  /** The `__R_I.distcp` files the index points into. */
  files: string[];
  optimizer: boolean;
  rng: boolean;
}

export function readDistMetadata(bytes: Uint8Array): DistMetadataFacts {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const files = [...new Set(text.match(/__\d+_\d+\.distcp/g) ?? [])].sort();
  return { files, optimizer: text.includes('optimizer.'), rng: text.includes('rng_state') };
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

/** A JSON file's text parsed to an object (fsdp_config.json, the 0.9 manifest, transformer_config.json); anything else: null. */
export function parseJsonObject(text: string | null | undefined): Record<string, unknown> | null {
  if (typeof text !== 'string') return null;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
