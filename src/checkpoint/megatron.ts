/**
 * What a Megatron critic folder holds, per layout (families.ts says which layout a folder has):
 * which of model / optimizer / extra state were saved, the parallel layout, and the files its
 * loader would open that are not there. Pure: reads a listing (scan.ts), never the disk.
 */
import {
  CKPT_CONTENTS_FILE,
  DIST_METADATA_FILE,
  MCORE_DIRS,
  MCORE_MODEL_FILE,
  MCORE_V03_RNG_FILE,
  MEGATRON_DIR,
  TRANSFORMER_CONFIG_FILE,
  isHfWeightFile,
  parseJsonObject,
  parseMpRankDir,
  parseOptimName,
  parseRngName,
  type MpRank,
  type ParallelRanks,
  type Part,
  type ShardKind,
} from './layout.js';
import type { RoleListing } from './scan.js';

/** Sizes of the parallel dimensions a save was made with; null where the files do not say. */
export interface Parallel {
  tp: number | null;
  pp: number | null;
  cp: number | null;
  ep: number | null;
  dp: number | null;
  worldSize: number | null;
}

export interface MegatronFacts {
  /** null: not knowable (a dist_ckpt/.metadata that cannot be read). */
  contents: Record<ShardKind, boolean | null>;
  parallel: Parallel;
  /** Files the loader opens that are missing, each as one phrase with the part it belongs to; empty when complete. */
  missing: Gap[];
}

export interface Gap {
  part: Part;
  what: string;
}

const NO_PARALLEL: Parallel = { tp: null, pp: null, cp: null, ep: null, dp: null, worldSize: null };

/** Megatron 0.3 and 0.4.0: `model/mp_rank_NN/model.pt`, `optim/distrib_optim_ppP_tpT...pt`, `rng_states/`. */
export function perRankFacts(role: RoleListing, version: '0.3' | '0.4.0'): MegatronFacts {
  const files = new Set(role.tree.files.map((f) => f.relPath));
  const models: MpRank[] = [];
  const optims: ParallelRanks[] = [];
  const rngs: ParallelRanks[] = [];
  let singleRng = false;
  for (const rel of files) {
    const parts = rel.split('/');
    if (parts.length === 3 && parts[0] === MCORE_DIRS.model && parts[2] === MCORE_MODEL_FILE) {
      const mp = parseMpRankDir(parts[1]!);
      if (mp) models.push(mp);
    } else if (parts.length === 2 && parts[0] === MCORE_DIRS.optim) {
      const ranks = parseOptimName(parts[1]!);
      if (ranks) optims.push(ranks);
    } else if (parts.length === 2 && parts[0] === MCORE_DIRS.rng) {
      if (parts[1] === MCORE_V03_RNG_FILE) singleRng = true;
      const ranks = parseRngName(parts[1]!);
      if (ranks) rngs.push(ranks);
    }
  }
  // The optimizer and RNG files name tp and pp too: a model folder lost at the end still shows.
  const tp = sizeOf([...models.map((m) => m.tp), ...optims.map((o) => o.tp), ...rngs.map((r) => r.tp)]);
  const pipelined = models.some((m) => m.pp !== null) || [...optims, ...rngs].some((r) => r.pp > 0);
  const pp = pipelined ? sizeOf([...models.map((m) => m.pp ?? 0), ...optims.map((o) => o.pp), ...rngs.map((r) => r.pp)]) : 1;
  const expert = models.some((m) => m.ep !== null);
  const ep = expert ? sizeOf(models.map((m) => m.ep ?? 0)) : 1;

  const missing: Gap[] = [];
  // VeRL names the folder by tp (2 digits), then pp (3 digits) only when pp > 1, then ep likewise.
  const wantedModels: string[] = [];
  for (let t = 0; t < tp; t++) {
    for (let p = 0; p < pp; p++) {
      for (let e = 0; e < ep; e++) {
        const dir = `mp_rank_${pad(t, 2)}${pipelined ? `_${pad(p, 3)}` : ''}${expert ? `_${pad(e, 3)}` : ''}`;
        wantedModels.push(`${MCORE_DIRS.model}/${dir}/${MCORE_MODEL_FILE}`);
      }
    }
  }
  const goneModels = wantedModels.filter((w) => !files.has(w));
  if (goneModels.length > 0) missing.push({ part: 'model', what: `misses ${listSome(goneModels)}` });

  // The optimizer file of each (pp, tp) is opened by its data-parallel rank 0.
  if (optims.length > 0) {
    const have = new Set(optims.filter((o) => (o.dp ?? 0) === 0).map((o) => `${o.pp}/${o.tp}`));
    const gaps: string[] = [];
    for (let p = 0; p < pp; p++) for (let t = 0; t < tp; t++) if (!have.has(`${p}/${t}`)) gaps.push(`pp ${p} tp ${t}`);
    if (gaps.length > 0) missing.push({ part: 'optimizer', what: `${MCORE_DIRS.optim}/ has no optimizer file for ${listSome(gaps)}` });
  }

  let parallel: Parallel = { ...NO_PARALLEL, tp, pp, ep: expert ? ep : null };
  if (version === '0.4.0' && rngs.length > 0) {
    // Every rank saves and loads its own RNG file, so they name the whole grid, world size included.
    const cp = sizeOf(rngs.map((r) => r.cp ?? 0));
    const dp = sizeOf(rngs.map((r) => r.dp ?? 0));
    const have = new Set(rngs.map((r) => `${r.pp}/${r.tp}/${r.cp}/${r.dp}`));
    const gaps: string[] = [];
    for (let p = 0; p < pp; p++)
      for (let t = 0; t < tp; t++)
        for (let c = 0; c < cp; c++)
          for (let d = 0; d < dp; d++) if (!have.has(`${p}/${t}/${c}/${d}`)) gaps.push(`rng_states_pp${p}_tp${t}_cp${c}_dp${d}.pt`);
    if (gaps.length > 0) missing.push({ part: 'extra', what: `${MCORE_DIRS.rng}/ misses ${listSome(gaps)}` });
    parallel = { ...parallel, cp, dp, worldSize: pp * tp * cp * dp };
  }
  return {
    contents: { model: models.length > 0, optimizer: optims.length > 0, extra: singleRng || rngs.length > 0 },
    parallel: models.length > 0 ? parallel : NO_PARALLEL,
    missing,
  };
}

/** Megatron 0.4.1 to 0.8: one dist_ckpt/ holding every kind that was saved. */
export function singleDistFacts(role: RoleListing): MegatronFacts {
  const missing = distMissing(role, MEGATRON_DIR, 'all');
  const facts = role.distMetadata[MEGATRON_DIR];
  const known = facts !== undefined && facts !== null;
  return {
    contents: { model: known ? true : null, optimizer: known ? facts.optimizer : null, extra: known ? facts.rng : null },
    parallel: transformerParallel(role),
    missing,
  };
}

/** Megatron 0.9: model/ (huggingface/ weights or dist_ckpt/), optimizer/dist_ckpt/, extra/dist_ckpt/. */
export function splitDistFacts(role: RoleListing): MegatronFacts {
  const modelDist = `${MCORE_DIRS.model}/${MEGATRON_DIR}`;
  const optimDist = `${MCORE_DIRS.optimizer}/${MEGATRON_DIR}`;
  const extraDist = `${MCORE_DIRS.extra}/${MEGATRON_DIR}`;
  const hf = `${MCORE_DIRS.model}/huggingface/`;
  const hfWeights = role.tree.files.some((f) => f.relPath.startsWith(hf) && isHfWeightFile(f.relPath));
  const parts: [string, Part][] = [
    [modelDist, 'model'],
    [optimDist, 'optimizer'],
    [extraDist, 'extra'],
  ];
  const missing = parts.flatMap(([dir, part]) => (holdsFiles(role, dir) ? distMissing(role, dir, part) : []));
  const manifest = parseJsonObject(role.jsonTexts[CKPT_CONTENTS_FILE]);
  const worldSize = manifest && Number.isInteger(manifest.world_size) ? (manifest.world_size as number) : null;
  return {
    contents: { model: hfWeights || holdsFiles(role, modelDist), optimizer: holdsFiles(role, optimDist), extra: holdsFiles(role, extraDist) },
    parallel: { ...transformerParallel(role), worldSize },
    missing,
  };
}

/** What the .metadata of `dir` names that is not there (a dist_ckpt/ loads only whole). */
function distMissing(role: RoleListing, dir: string, part: Part): Gap[] {
  const facts = role.distMetadata[dir];
  if (facts === undefined) return [{ part, what: `${dir}/ has no ${DIST_METADATA_FILE}: the save did not finish` }];
  if (facts === null) return [{ part, what: `${dir}/${DIST_METADATA_FILE} cannot be read` }];
  const present = new Set(role.tree.files.map((f) => f.relPath));
  const gone = facts.files.filter((name) => !present.has(`${dir}/${name}`));
  return gone.length > 0 ? [{ part, what: `${dir}/ misses ${listSome(gone)}, named in its ${DIST_METADATA_FILE}` }] : [];
}

function holdsFiles(role: RoleListing, dir: string): boolean {
  return role.tree.files.some((f) => f.relPath.startsWith(`${dir}/`));
}

/** tp / pp / cp / ep from transformer_config.json (Megatron's ModelParallelConfig fields). */
function transformerParallel(role: RoleListing): Parallel {
  const config = parseJsonObject(role.jsonTexts[TRANSFORMER_CONFIG_FILE]);
  if (!config) return NO_PARALLEL;
  const size = (key: string) => (Number.isInteger(config[key]) ? (config[key] as number) : null);
  return {
    ...NO_PARALLEL,
    tp: size('tensor_model_parallel_size'),
    pp: size('pipeline_model_parallel_size'),
    cp: size('context_parallel_size'),
    ep: size('expert_model_parallel_size'),
  };
}

function sizeOf(indices: number[]): number {
  return indices.length === 0 ? 0 : Math.max(...indices) + 1;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The first three of a list and how many more: a 64-rank gap stays one readable phrase. */
function listSome(items: string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}
