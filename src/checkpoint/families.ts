/**
 * The checkpoint families of VeRL's critic, as data. A *layout* is the shape a release's saver
 * writes (recognised from the files alone); a *loader* is what a release's critic loader opens and
 * how a run chooses it. Each layout says which loaders read it; a release (--verl, or the saver's
 * own when none is given) picks the loader. Everything here was read from VeRL's FSDP and Megatron
 * checkpoint managers and its trainer configs at each release tag. Pure.
 */
import {
  CKPT_CONTENTS_FILE,
  FSDP_CONFIG_FILE,
  HF_CONFIG_TOKENIZER_DIR,
  MCORE_DIRS,
  MEGATRON_DIR,
  parseJsonObject,
  parseMpRankDir,
  parseOptimName,
  parseRngName,
  parseShardName,
  type Part,
} from './layout.js';
import { atLeast, type Release } from '../verl/release.js';
import type { RoleListing } from './scan.js';

export type LayoutId =
  | 'fsdp-v0.2'
  | 'fsdp-v0.4.0'
  | 'fsdp-v0.4.1'
  | 'fsdp2'
  | 'megatron-v0.3'
  | 'megatron-v0.4.0'
  | 'megatron-v0.4.1'
  | 'megatron-v0.9';

export type LoaderId = 'fsdp-v0.2' | 'fsdp-v0.4.1' | 'megatron-v0.3' | 'megatron-v0.4.0' | 'megatron-v0.4.1' | 'megatron-v0.6' | 'megatron-v0.9';

export type CheckpointBackend = 'fsdp' | 'megatron';

export interface LayoutFamily {
  id: LayoutId;
  backend: CheckpointBackend;
  /** The shape in a few words, as inspect prints it. */
  label: string;
  /** The releases whose saver writes this shape. */
  savedBy: string;
  /** Is this role folder in this shape? The table is tried in order; the first match wins. */
  matches(role: RoleListing): boolean;
  /** The loaders that open this shape as it is. */
  readBy: readonly LoaderId[];
  /** The loader assumed when no VeRL checkout is given: the one of the releases that save it. */
  assumedLoader: LoaderId;
  /** Releases that save this shape disagree on how a run names its resume folder (0.2 to 0.3.x). */
  resumeFormVaries: boolean;
  /** Which part a path below the role folder (a file, or a folder) belongs to. */
  partOf(relPath: string): Part;
}

export interface CriticLoader {
  id: LoaderId;
  backend: CheckpointBackend;
  /** The releases that load a critic this way. */
  releases: string;
  /**
   * How a run chooses what this loader opens:
   * - `all`: model, optimizer and extra state, always (no option: a missing kind is a crash);
   * - `contents`: `critic.checkpoint.contents`, one list for saving and loading;
   * - `load_contents`: `critic.checkpoint.load_contents` (defaults to `save_contents`);
   * - `save_and_load`: the loader asks dist_ckpt/ for save_contents and load_contents together.
   */
  choice: 'all' | 'contents' | 'load_contents' | 'save_and_load';
  /** What VeRL prints or logs once the critic's weights are in: the line to look for. */
  loadedLine(criticDest: string, worldSize: number | null, role: RoleListing): string;
}

const fsdpShard = (relPath: string): Part => {
  const shard = relPath.includes('/') ? null : parseShardName(relPath);
  return shard ? shard.kind : 'meta';
};

const hasShards = (role: RoleListing) => role.topFiles.some((name) => parseShardName(name) !== null);

function fsdpVersion(role: RoleListing): number | null {
  const config = parseJsonObject(role.jsonTexts[FSDP_CONFIG_FILE]);
  return config && Number.isInteger(config.FSDP_version) ? (config.FSDP_version as number) : null;
}

/** Savers before 0.4.1 always wrote all three kinds; a shard set missing one comes from 0.4.1 on. */
function allKindsSaved(role: RoleListing): boolean {
  const kinds = new Set(role.topFiles.map((name) => parseShardName(name)?.kind));
  return kinds.has('model') && kinds.has('optimizer') && kinds.has('extra');
}

const perRank = (relPath: string): Part => {
  const top = relPath.split('/')[0];
  if (top === MCORE_DIRS.model) return 'model';
  if (top === MCORE_DIRS.optim) return 'optimizer';
  if (top === MCORE_DIRS.rng) return 'extra';
  return 'meta';
};

function hasMpRankModel(role: RoleListing): boolean {
  return role.tree.dirs.some((dir) => {
    const [top, name, ...rest] = dir.split('/');
    return top === MCORE_DIRS.model && rest.length === 0 && name !== undefined && parseMpRankDir(name) !== null;
  });
}

/** 0.4.0 added cp and dp to the optimizer and RNG file names, and hf_config_and_tokenizer/. */
function hasV040Names(role: RoleListing): boolean {
  return (
    role.topDirs.includes(HF_CONFIG_TOKENIZER_DIR) ||
    role.tree.files.some((f) => {
      const [top, name] = f.relPath.split('/');
      if (name === undefined) return false;
      if (top === MCORE_DIRS.rng) return parseRngName(name) !== null;
      return top === MCORE_DIRS.optim && parseOptimName(name)?.dp != null;
    })
  );
}

const FSDP_READERS: readonly LoaderId[] = ['fsdp-v0.2', 'fsdp-v0.4.1'];

export const LAYOUTS: readonly LayoutFamily[] = [
  {
    id: 'megatron-v0.9',
    backend: 'megatron',
    label: 'Megatron, split model/ optimizer/ extra/',
    savedBy: 'VeRL 0.9 and later',
    matches: (role) =>
      role.topFiles.includes(CKPT_CONTENTS_FILE) ||
      role.topDirs.includes(MCORE_DIRS.optimizer) ||
      role.topDirs.includes(MCORE_DIRS.extra) ||
      role.tree.dirs.some((dir) => dir === `${MCORE_DIRS.model}/${MEGATRON_DIR}` || dir === `${MCORE_DIRS.model}/huggingface`),
    readBy: ['megatron-v0.9'],
    assumedLoader: 'megatron-v0.9',
    resumeFormVaries: false,
    partOf: (relPath) => {
      const top = relPath.split('/')[0];
      return top === MCORE_DIRS.model ? 'model' : top === MCORE_DIRS.optimizer ? 'optimizer' : top === MCORE_DIRS.extra ? 'extra' : 'meta';
    },
  },
  {
    id: 'megatron-v0.4.1',
    backend: 'megatron',
    label: 'Megatron dist_ckpt/',
    savedBy: 'VeRL 0.4.1 to 0.8',
    matches: (role) => role.topDirs.includes(MEGATRON_DIR),
    readBy: ['megatron-v0.4.1', 'megatron-v0.6'],
    // 0.6 to 0.8 and 0.4.1 to 0.5 save the same shape; the newer loader is assumed, and the
    // override it needs is explained for the older one (warmStartLaunch.ts).
    assumedLoader: 'megatron-v0.6',
    resumeFormVaries: false,
    partOf: (relPath) => (relPath.split('/')[0] === MEGATRON_DIR ? 'all' : 'meta'),
  },
  {
    id: 'megatron-v0.4.0',
    backend: 'megatron',
    label: 'Megatron per-rank files (model/mp_rank_*, optim/, rng_states/ per rank)',
    savedBy: 'VeRL 0.4.0',
    matches: (role) => hasMpRankModel(role) && hasV040Names(role),
    readBy: ['megatron-v0.4.0'],
    assumedLoader: 'megatron-v0.4.0',
    resumeFormVaries: false,
    partOf: perRank,
  },
  {
    id: 'megatron-v0.3',
    backend: 'megatron',
    label: 'Megatron per-rank files (model/mp_rank_*, optim/, rng_states/rng_states.pt)',
    savedBy: 'VeRL 0.3.x',
    matches: hasMpRankModel,
    readBy: ['megatron-v0.3'],
    assumedLoader: 'megatron-v0.3',
    resumeFormVaries: true,
    partOf: perRank,
  },
  {
    id: 'fsdp2',
    backend: 'fsdp',
    label: 'FSDP2 shards (fsdp_config.json: FSDP_version 2)',
    savedBy: 'VeRL 0.4.1 and later',
    matches: (role) => hasShards(role) && fsdpVersion(role) === 2,
    readBy: FSDP_READERS,
    assumedLoader: 'fsdp-v0.4.1',
    resumeFormVaries: false,
    partOf: fsdpShard,
  },
  {
    id: 'fsdp-v0.4.1',
    backend: 'fsdp',
    label: 'FSDP shards with fsdp_config.json',
    savedBy: 'VeRL 0.4.1 and later',
    matches: (role) => hasShards(role) && (role.topFiles.includes(FSDP_CONFIG_FILE) || !allKindsSaved(role)),
    readBy: FSDP_READERS,
    assumedLoader: 'fsdp-v0.4.1',
    resumeFormVaries: false,
    partOf: fsdpShard,
  },
  {
    id: 'fsdp-v0.4.0',
    backend: 'fsdp',
    label: 'FSDP shards, HF config and tokenizer beside them',
    savedBy: 'VeRL 0.4.0',
    matches: (role) => hasShards(role) && role.topFiles.includes('config.json'),
    readBy: FSDP_READERS,
    assumedLoader: 'fsdp-v0.2',
    resumeFormVaries: false,
    partOf: fsdpShard,
  },
  {
    id: 'fsdp-v0.2',
    backend: 'fsdp',
    label: 'FSDP shards',
    savedBy: 'VeRL 0.2 to 0.3.x',
    matches: hasShards,
    readBy: FSDP_READERS,
    assumedLoader: 'fsdp-v0.2',
    resumeFormVaries: true,
    partOf: fsdpShard,
  },
];

const rank0 = (criticDest: string, worldSize: number | null) => `${criticDest}/model_world_size_${worldSize ?? 'W'}_rank_0.pt`;

export const LOADERS: Record<LoaderId, CriticLoader> = {
  'fsdp-v0.2': {
    id: 'fsdp-v0.2',
    backend: 'fsdp',
    releases: 'VeRL 0.2 to 0.4.0',
    choice: 'all',
    loadedLine: (dest, w) => `[rank-0]: Loading from ${rank0(dest, w)} and ...`,
  },
  'fsdp-v0.4.1': {
    id: 'fsdp-v0.4.1',
    backend: 'fsdp',
    releases: 'VeRL 0.4.1 and later',
    choice: 'load_contents',
    loadedLine: (dest, w) => `[Rank 0] Loaded model from ${rank0(dest, w)}`,
  },
  'megatron-v0.3': {
    id: 'megatron-v0.3',
    backend: 'megatron',
    releases: 'VeRL 0.3.x',
    choice: 'contents',
    loadedLine: (dest) => `Loaded sharded model checkpoint from ${dest}/model`,
  },
  'megatron-v0.4.0': {
    id: 'megatron-v0.4.0',
    backend: 'megatron',
    releases: 'VeRL 0.4.0',
    choice: 'contents',
    loadedLine: (dest) => `Loaded sharded model checkpoint from ${dest}/model`,
  },
  'megatron-v0.4.1': {
    id: 'megatron-v0.4.1',
    backend: 'megatron',
    releases: 'VeRL 0.4.1 to 0.5.x',
    choice: 'save_and_load',
    loadedLine: (dest) => `[Rank 0] Loaded sharded model checkpoint from ${dest}`,
  },
  'megatron-v0.6': {
    id: 'megatron-v0.6',
    backend: 'megatron',
    releases: 'VeRL 0.6 to 0.8',
    choice: 'load_contents',
    loadedLine: (dest) => `[Rank 0] Loaded sharded model checkpoint from ${dest}`,
  },
  'megatron-v0.9': {
    id: 'megatron-v0.9',
    backend: 'megatron',
    releases: 'VeRL 0.9 and later',
    choice: 'load_contents',
    loadedLine: (dest, _w, role) =>
      role.tree.files.some((f) => f.relPath.startsWith(`${MCORE_DIRS.model}/${MEGATRON_DIR}/`))
        ? `[Rank 0] Loaded sharded model checkpoint from ${dest}/model/dist_ckpt`
        : `[Rank 0] Loaded HF model checkpoint from ${dest}/model/huggingface with bridge`,
  },
};

/** The layout of a role folder; null when it matches none (or mixes backends: see report.ts). */
export function layoutOf(role: RoleListing): LayoutFamily | null {
  return LAYOUTS.find((family) => family.matches(role)) ?? null;
}

/**
 * The critic loader of a release for a backend; a string saying why there is none (Megatron
 * critics were not saved before 0.3: the worker's save and load did nothing).
 */
export function loaderOf(release: Release, backend: CheckpointBackend): CriticLoader | string {
  if (backend === 'fsdp') return LOADERS[atLeast(release, '0.4.1') ? 'fsdp-v0.4.1' : 'fsdp-v0.2'];
  if (!atLeast(release, '0.3.0')) {
    return `VeRL ${release.text} does not save or load Megatron critic checkpoints (its critic worker's checkpoint methods do nothing)`;
  }
  if (!atLeast(release, '0.4.0')) return LOADERS['megatron-v0.3'];
  if (!atLeast(release, '0.4.1')) return LOADERS['megatron-v0.4.0'];
  if (!atLeast(release, '0.6.0')) return LOADERS['megatron-v0.4.1'];
  if (!atLeast(release, '0.9.0')) return LOADERS['megatron-v0.6'];
  return LOADERS['megatron-v0.9'];
}
