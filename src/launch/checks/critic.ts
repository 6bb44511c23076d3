/**
 * Checks 3 and 4: the staged critic is in a layout this release's critic loader reads, it holds
 * every file the loader opens under the composed `load_contents` / `contents`, and the new run's
 * world size, fsdp_size, Megatron parallel sizes and strategy are those it was saved with. Uses
 * the checkpoint families of src/checkpoint/ (the same tables `stage` decides by). Pure.
 */
import { layoutOf, loaderOf, type CriticLoader, type LayoutFamily } from '../../checkpoint/families.js';
import { SHARD_KINDS, type ShardKind } from '../../checkpoint/layout.js';
import { atLeast } from '../../verl/release.js';
import type { ComposedKey } from '../compose.js';
import { finding, type Finding, type PreflightFacts, type StagedCritic } from '../facts.js';
import { folderKey } from './resume.js';

export interface CriticLoad {
  loader: CriticLoader;
  layout: LayoutFamily;
  /** The kinds the loader opens, and the key that says so (null: the loader opens all, no option). */
  kinds: ShardKind[];
  key: ComposedKey | null;
  /** Files below critic/ the loader opens. */
  files: number;
}

const asKinds = (value: unknown): ShardKind[] | null =>
  Array.isArray(value) ? SHARD_KINDS.filter((kind) => value.includes(kind)) : null;

/**
 * What the release's loader opens, from the composed config (families.ts `choice`):
 * `contents` (Megatron 0.3-0.4.0), `load_contents` (its default is `${.save_contents}`,
 * v0.5.0:verl/trainer/config/_generated_ppo_trainer.yaml, resolved by the composition), both lists
 * for Megatron 0.4.1-0.5.x, all three kinds before 0.4.1 (FSDP).
 */
function loadKinds(loader: CriticLoader, values: PreflightFacts['values']): { kinds: ShardKind[]; key: ComposedKey | null } {
  switch (loader.choice) {
    case 'all':
      return { kinds: [...SHARD_KINDS], key: null };
    case 'contents':
      return { kinds: asKinds(values['critic.checkpoint.contents']) ?? [...SHARD_KINDS], key: 'critic.checkpoint.contents' };
    case 'load_contents':
      return { kinds: asKinds(values['critic.checkpoint.load_contents']) ?? [...SHARD_KINDS], key: 'critic.checkpoint.load_contents' };
    case 'save_and_load': {
      const load = asKinds(values['critic.checkpoint.load_contents']) ?? [...SHARD_KINDS];
      const save = asKinds(values['critic.checkpoint.save_contents']) ?? [...SHARD_KINDS];
      const wider = save.some((kind) => !load.includes(kind));
      return { kinds: SHARD_KINDS.filter((k) => load.includes(k) || save.includes(k)), key: wider ? 'critic.checkpoint.save_contents' : 'critic.checkpoint.load_contents' };
    }
  }
}

/** Check 3. Returns the load (for the verdict's file count) when the loader reads this layout. */
export function checkLoadable(facts: PreflightFacts): { findings: Finding[]; load: CriticLoad | null } {
  const staged = facts.staged;
  if (!staged?.listing || !staged.report) return { findings: [], load: null };
  const layout = layoutOf(staged.listing);
  const where = `${staged.folder}/critic`;
  const folder = folderKey(facts.release);
  if (!layout) return { findings: [finding('error', 3, folder, `${where} is in no layout any VeRL release saves: nothing would load it`)], load: null };
  const loader = loaderOf(facts.release, layout.backend);
  if (typeof loader === 'string') return { findings: [finding('error', 3, 'critic.strategy', loader)], load: null };
  if (!layout.readBy.includes(loader.id)) {
    const migrate = layout.id === 'megatron-v0.4.1' && loader.id === 'megatron-v0.9' ? ': 0.9 rejects dist_ckpt/ at the critic\'s root (RuntimeError); convert a copy with VeRL\'s scripts/migrate_megatron_checkpoint_layout.py and stage that' : `; launch with a release that reads it (${layout.savedBy})`;
    return { findings: [finding('error', 3, folder, `${where} is in the layout ${layout.savedBy} save (${layout.label}), which VeRL ${facts.release.text}'s ${layout.backend} critic loader does not read${migrate}`)], load: null };
  }
  const { kinds, key } = loadKinds(loader, facts.values);
  const out: Finding[] = [];
  const lacking = kinds.filter((kind) => staged.report!.contents[kind] === false);
  const present = SHARD_KINDS.filter((kind) => staged.report!.contents[kind] === true);
  if (lacking.length > 0) {
    const fix = key === null
      ? `VeRL ${facts.release.text} has no option to load less (use 0.4.1 or later, or stage a complete critic)`
      : `set ${key === 'critic.checkpoint.save_contents' ? 'critic.checkpoint.save_contents and critic.checkpoint.load_contents' : key}=[${present.join(',')}]`;
    out.push(finding('error', 3, key ?? folder, `the critic loader opens the ${lacking.join(' and ')} state, which ${where} does not hold: the load crashes on the missing files; ${fix}`));
  }
  for (const warning of staged.warnings) {
    const opened = warning.part === undefined || warning.part === 'all' || warning.part === 'meta' || kinds.includes(warning.part as ShardKind);
    if (warning.level === 'error' && opened && warning.code !== 'no-model') {
      out.push(finding('error', 3, folder, `${warning.path}: ${warning.message}: a file the critic loader opens is missing or unreadable`));
    }
  }
  const files = staged.listing.tree.files.filter((file) => {
    const part = layout.partOf(file.relPath);
    return part === 'all' || kinds.includes(part as ShardKind);
  }).length;
  return { findings: out, load: { loader, layout, kinds, key, files } };
}

/** The file name each kind's FSDP shard starts with (layout.ts's shard names). */
const FSDP_FILE_PREFIX: Record<ShardKind, string> = { model: 'model', optimizer: 'optim', extra: 'extra_state' };

const positive = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null);

/** Check 4: world size, fsdp_size, Megatron parallel sizes, strategy. */
export function checkParallel(facts: PreflightFacts, load: CriticLoad | null): Finding[] {
  const staged: StagedCritic | null = facts.staged;
  if (!staged?.report || !load) return [];
  const out: Finding[] = [];
  const { values } = facts;
  const strategy = values['critic.strategy'];
  const layout = load.layout;
  const wanted = layout.backend === 'megatron' ? ['megatron'] : layout.id === 'fsdp2' ? ['fsdp2'] : ['fsdp'];
  if (typeof strategy === 'string' && !wanted.includes(strategy)) {
    out.push(finding('error', 4, 'critic.strategy', `critic.strategy=${strategy}, but the staged critic was saved by ${wanted[0]} (${layout.label}): the ${strategy} loader cannot read it; set critic.strategy=${wanted[0]}`));
  }
  const nnodes = positive(values['trainer.nnodes']);
  const perNode = positive(values['trainer.n_gpus_per_node']);
  const world = nnodes !== null && perNode !== null ? nnodes * perNode : null;
  const saved = staged.report.worldSize;
  if (world !== null && saved !== null && world !== saved) {
    const ranks = `the critic was saved by ${saved} ranks, the new run has trainer.nnodes x trainer.n_gpus_per_node = ${nnodes} x ${perNode} = ${world}`;
    if (layout.backend === 'fsdp') {
      // Each FSDP rank opens `<kind>_world_size_<W>_rank_<r>.pt` with the new run's W, through
      // torch.load (v0.3.0.post1:verl/utils/checkpoint/fsdp_checkpoint_manager.py:72-85,
      // v0.5.0:...:135-153, v0.7.1:...:139-157, v0.9.0:...:213-245): no file has that W.
      const file = `${FSDP_FILE_PREFIX[load.kinds[0] ?? 'model']}_world_size_${world}_rank_0.pt`;
      out.push(finding('error', 4, 'trainer.n_gpus_per_node', `${ranks}: every rank opens its shard by the new world size, and the load stops with FileNotFoundError: ${staged.folder}/critic/${file}; launch on ${saved} GPUs`));
    } else if (layout.id === 'megatron-v0.3' || layout.id === 'megatron-v0.4.0') {
      // Per-rank files (0.4.0 names its RNG states by data-parallel rank); dist_ckpt/ (0.4.1 on)
      // reshards across data-parallel ranks, and tp/pp/cp/ep are checked below.
      out.push(finding('warning', 4, 'trainer.n_gpus_per_node', `${ranks}: this layout keeps per-rank files, which another data-parallel size may not find; launch on ${saved} GPUs`));
    }
  }
  if (layout.backend === 'fsdp') {
    // critic.model.fsdp_config.fsdp_size up to 0.7.1, critic.fsdp.fsdp_size from 0.8
    // (v0.7.1 and v0.9.0:verl/trainer/config/_generated_ppo_trainer.yaml).
    const key: ComposedKey = facts.absent.includes('critic.fsdp.fsdp_size') ? 'critic.model.fsdp_config.fsdp_size' : 'critic.fsdp.fsdp_size';
    const size = values[key];
    if (typeof size === 'number' && size > 0 && world !== null && size !== world) {
      out.push(finding('warning', 4, key, `${key}=${size} shards the critic over groups of ${size} of the ${world} ranks; the checkpoint does not record the old run's fsdp_size, and its shards load only with the same one: keep the old run's value`));
    }
  }
  const parallel = staged.report.parallel;
  if (layout.backend === 'megatron' && parallel && !atLeast(facts.release, '0.9.0')) {
    const sizes: [ComposedKey, number | null][] = [
      ['critic.megatron.tensor_model_parallel_size', parallel.tp],
      ['critic.megatron.pipeline_model_parallel_size', parallel.pp],
      ['critic.megatron.context_parallel_size', parallel.cp],
      ['critic.megatron.expert_model_parallel_size', parallel.ep],
    ];
    for (const [key, savedSize] of sizes) {
      const now = positive(values[key]);
      if (savedSize !== null && now !== null && now !== savedSize) {
        out.push(finding('error', 4, key, `the critic was saved with ${key.split('.').pop()}=${savedSize}, the new run sets ${now}: Megatron's critic loader up to 0.8 needs the same parallel layout; set ${key}=${savedSize}`));
      }
    }
  }
  return out;
}
