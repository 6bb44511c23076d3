/**
 * The critic folder `stage` takes and the files it stages from it: which folder (critic/, or its
 * one case variant), whether it holds weights in a layout VeRL writes, the files of the world size
 * the new run loads (every refusal about missing or mismatched shards), and the metadata written
 * anew so that it matches what is staged. Reads listings and reports, never the disk.
 */
import path from 'node:path';
import { badInput, refusal } from '../errors.js';
import { layoutOf, type LayoutFamily } from './families.js';
import { CKPT_CONTENTS_FILE, FSDP_CONFIG_FILE, SHARD_KINDS, parseJsonObject, parseShardName, type ShardKind } from './layout.js';
import { compactRanks, levelOf } from './report.js';
import type { ReportWarning, RoleReport } from './reportTypes.js';
import type { FileEntry, RoleListing, StepListing } from './scan.js';

/** A file stage writes itself instead of linking: metadata made to match what was staged. */
export interface GeneratedFile {
  relPath: string;
  content: string;
  /** Why, for the summary. */
  reason: string;
}

/**
 * The lowercase `critic/` when it exists. Otherwise a single case variant (`Critic/`, as the guide
 * this tool comes from spells it) is staged under the lowercase name, with a warning: the output
 * is this tool's to name, the bytes are the same, and refusing would only send the user off to
 * rename their source folder by hand, the kind of manual step `stage` exists to remove. Two or
 * more variants and no lowercase one are ambiguous: refuse.
 */
export function chooseCriticFolder(step: StepListing): RoleListing {
  const found = step.roles.critic;
  const exact = found.find((r) => r.name === 'critic');
  if (exact) return exact;
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw refusal(
      step.path,
      'no critic/ folder: there is no critic to warm-start from (was the run trained without a critic, e.g. GRPO?)',
    );
  }
  throw refusal(
    step.path,
    `no critic/ folder but several spellings (${found.map((r) => `${r.name}/`).join(', ')}); ` +
      'which one is the critic is unclear; VeRL reads lowercase critic/, so rename the right one to critic/',
  );
}

/** The critic's layout family, or why it cannot be staged: an unreadable file, both backends at once, no weights. */
export function refuseUnusableCritic(chosen: RoleListing, critic: RoleReport): LayoutFamily {
  const problem = chosen.tree.problems[0];
  if (problem) {
    throw badInput(path.join(chosen.path, problem.relPath), `${problem.reason}: cannot stage it`);
  }
  if (critic.backend === 'mixed') {
    throw refusal(chosen.path, 'holds both FSDP shard files and Megatron folders: which one to load is unclear');
  }
  const layout = layoutOf(chosen);
  if (!layout || critic.contents.model === false) {
    throw refusal(
      chosen.path,
      'holds no critic weights in a layout VeRL writes (no model_world_size_*_rank_*.pt files, no dist_ckpt/, ' +
        'no model/mp_rank_*/ or model/ folder with weights): nothing to stage',
    );
  }
  return layout;
}

/**
 * The files of the world size the new run will load. FSDP shards load only on the world size they
 * were saved with, so the plan pins one: the only one present, or the one the user asked for; with
 * several present (two runs saved into one folder), `--world-size` picks a set and the others are
 * left out. Megatron files are checked against `--world-size` where they record it. Files missing
 * from a part the loader will open are a refusal; a gap in a part it skips (--model-only) is not.
 */
export function selectFiles(
  chosen: RoleListing,
  critic: RoleReport & { problems: ReportWarning[] },
  wanted: number | undefined,
  loadKinds: readonly ShardKind[],
): { worldSize: number | null; files: FileEntry[]; warnings: ReportWarning[] } {
  const warnings: ReportWarning[] = [];
  const about = { scope: 'critic', folder: chosen.name, path: chosen.path } as const;
  const opened = (part: ReportWarning['part']) => part === undefined || part === 'all' || part === 'meta' || loadKinds.includes(part);
  if (critic.backend === 'megatron') {
    const gap = critic.problems.find((w) => w.code === 'incomplete' && opened(w.part));
    if (gap) throw refusal(chosen.path, `is incomplete: ${gap.message}`);
    if (wanted !== undefined && critic.worldSize !== null && critic.worldSize !== wanted) {
      throw refusal(
        chosen.path,
        `was saved with world size ${critic.worldSize}, not ${wanted} (--world-size): keep the parallel layout it was saved with`,
      );
    }
    if (wanted !== undefined && critic.worldSize === null) {
      warnings.push({
        code: 'world-size-unchecked',
        level: levelOf('world-size-unchecked'),
        ...about,
        message: `--world-size ${wanted} not checked: this Megatron layout does not record the world size`,
      });
    }
    return { worldSize: critic.worldSize, files: chosen.tree.files, warnings };
  }
  const sizes = critic.worldSizes;
  let worldSize: number;
  if (wanted !== undefined) {
    if (!sizes.includes(wanted)) {
      throw refusal(
        chosen.path,
        `was saved with world size ${sizes.join(', ')}, not ${wanted} (--world-size): ` +
          'FSDP shards load only on the world size they were saved with',
      );
    }
    worldSize = wanted;
  } else if (sizes.length > 1) {
    throw refusal(
      chosen.path,
      `holds shards of several world sizes (${sizes.join(', ')}): pass --world-size N to stage one of them`,
    );
  } else {
    worldSize = sizes[0]!;
  }
  const missing = critic.missingRanks.filter((m) => m.worldSize === worldSize && loadKinds.includes(m.kind));
  if (missing.length > 0) {
    const what = missing.map((m) => `${m.kind} rank${m.ranks.length > 1 ? 's' : ''} ${compactRanks(m.ranks)}`);
    throw refusal(
      chosen.path,
      `is incomplete for world size ${worldSize}: missing ${what.join('; ')} (VeRL would fail to load it)`,
    );
  }
  const files = chosen.tree.files.filter((f) => {
    const shard = f.relPath.includes('/') ? null : parseShardName(f.relPath);
    return !shard || shard.worldSize === worldSize;
  });
  if (files.length < chosen.tree.files.length) {
    warnings.push({
      code: 'mixed-world-sizes',
      level: levelOf('mixed-world-sizes'),
      ...about,
      message: `staging only the shards of world size ${worldSize}; those of world size ${sizes
        .filter((s) => s !== worldSize)
        .join(', ')} are left out`,
    });
  }
  return { worldSize, files, warnings };
}

/**
 * Metadata that would contradict what is staged is written anew, not linked: fsdp_config.json's
 * world_size (VeRL's model merger reads it) when it names another world size than the staged
 * shards, and the 0.9 Megatron manifest (ckpt_contents.json) when --model-only leaves the
 * optimizer and extra state out. Both are written as VeRL writes them (indent 4; indent 2, sorted keys).
 */
export function rewrittenMetadata(role: RoleListing, worldSize: number | null, loadKinds: readonly ShardKind[]): GeneratedFile[] {
  const generated: GeneratedFile[] = [];
  const fsdpConfig = parseJsonObject(role.jsonTexts[FSDP_CONFIG_FILE]);
  if (fsdpConfig && worldSize !== null && fsdpConfig.world_size !== worldSize) {
    generated.push({
      relPath: FSDP_CONFIG_FILE,
      content: JSON.stringify({ ...fsdpConfig, world_size: worldSize }, null, 4),
      reason: `${FSDP_CONFIG_FILE} is written anew with world_size ${worldSize}, the staged shards' (the source says ${JSON.stringify(fsdpConfig.world_size)})`,
    });
  }
  const manifest = parseJsonObject(role.jsonTexts[CKPT_CONTENTS_FILE]);
  const dropped = SHARD_KINDS.filter((kind) => !loadKinds.includes(kind));
  if (manifest && dropped.length > 0) {
    generated.push({
      relPath: CKPT_CONTENTS_FILE,
      content: JSON.stringify(sortKeys(withoutKinds(manifest, dropped)), null, 2),
      reason: `${CKPT_CONTENTS_FILE} is written anew without the ${dropped.join(' and ')} entries left out of the staged folder`,
    });
  }
  return generated;
}

/** The manifest's entries of each dropped kind: its key in save_contents, its contents and directories entries. */
function withoutKinds(manifest: Record<string, unknown>, dropped: readonly ShardKind[]): Record<string, unknown> {
  const entries: Record<ShardKind, string[]> = { model: [], optimizer: ['optimizer', 'lr_scheduler'], extra: ['rng_state'] };
  const gone = new Set(dropped.flatMap((kind) => entries[kind]));
  const dirs: Record<ShardKind, string> = { model: 'model/dist_ckpt', optimizer: 'optimizer/dist_ckpt', extra: 'extra/dist_ckpt' };
  const goneDirs = new Set(dropped.map((kind) => dirs[kind]));
  const pick = (value: unknown, keep: (key: string) => boolean) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).filter(([k]) => keep(k))) : value;
  return {
    ...manifest,
    save_contents: Array.isArray(manifest.save_contents) ? manifest.save_contents.filter((k) => !dropped.includes(k as ShardKind)) : manifest.save_contents,
    contents: pick(manifest.contents, (key) => !gone.has(key)),
    directories: pick(manifest.directories, (key) => !goneDirs.has(key)),
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}
