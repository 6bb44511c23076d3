/**
 * Decides what `stage` will do before anything is written: which step and critic folder, which
 * files, and every refusal (no critic, incomplete shards, world size, a bad `<out>`). Reads the
 * disk but never writes, so a refused stage leaves no trace at all.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { badInput, refusal } from '../errors.js';
import { describeFsError, errnoCode } from '../io/fsErrors.js';
import { parseShardName } from './layout.js';
import {
  buildReport,
  buildRoleReport,
  compactRanks,
  type Backend,
  type ReportWarning,
  type RoleReport,
} from './report.js';
import { scanCheckpoint, type FileEntry, type RoleListing, type StepListing } from './scan.js';

export interface StageOptions {
  /** Copy every file instead of hard-linking (links share storage with the source). */
  copy?: boolean;
  /** Refuse unless the critic was saved with this world size; also picks one set among mixed shards. */
  worldSize?: number;
}

export interface StagePlan {
  /** The step folder the critic comes from. */
  stepPath: string;
  step: number | null;
  /** The critic folder as found on disk (`critic`, or a case variant such as `Critic`). */
  criticPath: string;
  criticFolder: string;
  critic: RoleReport;
  backend: Backend;
  /** The world size of the staged shards; null for Megatron, where file names do not say. */
  worldSize: number | null;
  dirs: string[];
  files: FileEntry[];
  bytes: number;
  /** Problems worth a line on stderr that do not stop the stage. */
  warnings: ReportWarning[];
  /** Plain facts about the result, e.g. that the optimizer will start fresh. */
  notes: string[];
}

export async function planStage(source: string, options: StageOptions = {}): Promise<StagePlan> {
  const listing = await scanCheckpoint(source);
  const report = buildReport(listing);
  const step = listing.step;
  if (!step) throw refusal(source, 'no global_step_N folder to stage from');

  const chosen = chooseCriticFolder(step);
  const critic = buildRoleReport(chosen, []);
  refuseUnusableCritic(chosen, critic);

  const { worldSize, files, warnings: selectionWarnings } = selectShards(chosen, critic, options.worldSize);
  // With one set of shards picked out of several, what the report said about the others is moot.
  const picked = (w: ReportWarning) =>
    worldSize === null || critic.worldSizes.length < 2 || (w.code !== 'mixed-world-sizes' && (w.worldSize ?? worldSize) === worldSize);
  const warnings = [
    ...report.warnings.filter((w) => isAboutRunOrCritic(w, chosen) && picked(w)),
    ...selectionWarnings,
  ];
  const notes: string[] = [];
  if (critic.contents.optimizer === false) {
    notes.push("the critic has no optimizer state: the critic's optimizer starts fresh");
  }
  return {
    stepPath: step.path,
    step: step.step,
    criticPath: chosen.path,
    criticFolder: chosen.name,
    critic,
    backend: critic.backend,
    worldSize,
    dirs: chosen.tree.dirs,
    files,
    bytes: files.reduce((sum, f) => sum + f.size, 0),
    warnings,
    notes,
  };
}

/**
 * The lowercase `critic/` when it exists. Otherwise a single case variant (`Critic/`, as the guide
 * this tool comes from spells it) is staged under the lowercase name, with a warning: the output
 * is this tool's to name, the bytes are the same, and refusing would only send the user off to
 * rename their source folder by hand, the kind of manual step `stage` exists to remove. Two or
 * more variants and no lowercase one are ambiguous: refuse.
 */
function chooseCriticFolder(step: StepListing): RoleListing {
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

/**
 * Run-level warnings (tracker) and the chosen critic's own; the actor's and the step folder's do
 * not matter here. The case warning about the chosen folder itself is left to stage.ts, which says
 * what it did instead; one about another spelling of critic/ is kept.
 */
function isAboutRunOrCritic(w: ReportWarning, chosen: RoleListing): boolean {
  if (w.scope === 'run') return true;
  if (w.scope !== 'critic') return false;
  return w.code === 'role-case' ? w.folder !== chosen.name : w.folder === chosen.name;
}

function refuseUnusableCritic(chosen: RoleListing, critic: RoleReport): void {
  const problem = chosen.tree.problems[0];
  if (problem) {
    throw badInput(path.join(chosen.path, problem.relPath), `${problem.reason}: cannot stage it`);
  }
  if (critic.backend === 'unknown' || (critic.backend === 'fsdp' && !critic.contents.model)) {
    throw refusal(
      chosen.path,
      'holds no critic weights (no model_world_size_*_rank_*.pt files, no dist_ckpt/ folder): nothing to stage',
    );
  }
  if (critic.backend === 'mixed') {
    throw refusal(chosen.path, 'holds both FSDP shard files and a Megatron dist_ckpt/ folder: which one to load is unclear');
  }
}

/**
 * FSDP shards load only on the world size they were saved with, so the plan pins one: the only
 * one present, or the one the user asked for. With several present (two runs saved into one
 * folder), `--world-size` picks a set and the others are left out of the staged folder.
 */
function selectShards(
  chosen: RoleListing,
  critic: RoleReport,
  wanted: number | undefined,
): { worldSize: number | null; files: FileEntry[]; warnings: ReportWarning[] } {
  const warnings: ReportWarning[] = [];
  if (critic.backend === 'megatron') {
    if (wanted !== undefined) {
      warnings.push({
        code: 'world-size-unchecked',
        scope: 'critic',
        folder: chosen.name,
        path: chosen.path,
        message: `--world-size ${wanted} not checked: Megatron's dist_ckpt/ does not record the world size in file names`,
      });
    }
    return { worldSize: null, files: chosen.tree.files, warnings };
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
  const missing = critic.missingRanks.filter((m) => m.worldSize === worldSize);
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
      scope: 'critic',
      folder: chosen.name,
      path: chosen.path,
      message: `staging only the shards of world size ${worldSize}; those of world size ${sizes
        .filter((s) => s !== worldSize)
        .join(', ')} are left out`,
    });
  }
  return { worldSize, files, warnings };
}

/**
 * Checks `<out>` before any work: absent or an empty folder, and not inside the source step (the
 * source must not change). Returns the absolute path.
 */
export async function checkOut(out: string, stepPath: string): Promise<string> {
  const absolute = path.resolve(out);
  const realStep = await realpath(stepPath);
  const realOut = await resolveThroughExisting(absolute);
  if (isInside(realOut, realStep) || isInside(realStep, realOut)) {
    throw badInput(out, `overlaps the source checkpoint ${stepPath}: choose a folder outside it (the source is never changed)`);
  }
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return absolute;
    throw badInput(out, `cannot read (${describeFsError(error)})`);
  }
  if (!info.isDirectory()) throw badInput(out, 'exists and is not a folder');
  if ((await readdir(absolute)).length > 0) {
    throw badInput(out, 'exists and is not empty: stage into a new folder (nothing was changed)');
  }
  return absolute;
}

/** The real path of `p`, resolving symlinks in the part of it that exists. */
async function resolveThroughExisting(p: string): Promise<string> {
  const tail: string[] = [];
  let head = p;
  for (;;) {
    try {
      return path.join(await realpath(head), ...tail);
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return p;
      tail.unshift(path.basename(head));
      head = parent;
    }
  }
}

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}
