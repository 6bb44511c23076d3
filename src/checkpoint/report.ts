/**
 * Turns a listing (scan.ts) into the report `inspect` prints and `stage` checks: backend, layout
 * family, world size or parallel layout, contents, and warnings for what would make VeRL fail or
 * silently ignore a folder (the shapes are in reportTypes.ts). Pure: no filesystem access.
 */
import { layoutOf, type LayoutFamily } from './families.js';
import {
  FSDP_CONFIG_FILE,
  HF_CONFIG_TOKENIZER_DIR,
  HF_DIR,
  MCORE_DIRS,
  MEGATRON_DIR,
  ROLES,
  STAGED_STEP_DIR,
  SHARD_KINDS,
  TRACKER_FILE,
  isHfWeightFile,
  parseShardName,
  type Role,
  type ShardKind,
} from './layout.js';
import { perRankFacts, singleDistFacts, splitDistFacts, type MegatronFacts } from './megatron.js';
import type {
  Backend,
  InspectReport,
  MissingRanks,
  ReportWarning,
  RoleReport,
  RunReport,
  StepReport,
  WarningCode,
  WarningLevel,
} from './reportTypes.js';
import type { CheckpointListing, RoleListing, StepListing } from './scan.js';

const ERRORS: ReadonlySet<WarningCode> = new Set<WarningCode>(['missing-ranks', 'incomplete', 'no-model', 'mixed-backend', 'unreadable']);

export function levelOf(code: WarningCode): WarningLevel {
  return ERRORS.has(code) ? 'error' : 'warning';
}

export function buildReport(listing: CheckpointListing): InspectReport {
  const warnings: ReportWarning[] = [];
  const staged = listing.run !== null && isStagedShape(listing.run.steps, listing.step);
  const run = listing.run ? buildRunReport(listing.run, warnings, staged) : null;
  const step = listing.step ? buildStepReport(listing.step, warnings) : null;
  return { path: listing.path, kind: listing.kind, staged, run, step, warnings };
}

/** What `stage` writes: `<out>/global_step_0/critic/` and nothing else (resume_from_path needs no tracker). */
function isStagedShape(steps: readonly number[], step: StepListing | null): boolean {
  return (
    steps.length === 1 &&
    step?.name === STAGED_STEP_DIR &&
    !step.dataPt &&
    step.roles.actor.length === 0 &&
    step.roles.critic.some((r) => r.name === 'critic')
  );
}

function buildRunReport(run: NonNullable<CheckpointListing['run']>, warnings: ReportWarning[], staged: boolean): RunReport {
  const trackerPath = `${run.path}/${TRACKER_FILE}`;
  const highest = run.steps.length > 0 ? run.steps[run.steps.length - 1]! : null;
  const warn = (code: WarningCode, message: string, where = trackerPath) =>
    warnings.push({ code, level: levelOf(code), scope: 'run', path: where, message });

  if (highest === null) {
    warn('no-steps', 'no global_step_N folders: there is no checkpoint to inspect or stage', run.path);
  }
  if (!run.tracker) {
    if (highest !== null && !staged) {
      warn(
        'tracker-missing',
        `no ${TRACKER_FILE}: resume_mode=auto will not find these checkpoints; using the highest step, ${highest}`,
        run.path,
      );
    }
  } else if (run.tracker.step === null) {
    warn('tracker-malformed', `does not hold a step number (VeRL's int() would fail on ${JSON.stringify(run.tracker.raw.trim())})`);
  } else if (!run.steps.includes(run.tracker.step)) {
    const fallback = highest === null ? '' : `; using the highest step, ${highest}`;
    warn('tracker-step-missing', `says ${run.tracker.step}, but there is no global_step_${run.tracker.step} folder${fallback}`);
  } else if (highest !== null && highest !== run.tracker.step) {
    warn(
      'tracker-disagrees',
      `says ${run.tracker.step}, but global_step_${highest} exists: VeRL writes this file after a save completes, ` +
        `so global_step_${highest} may be a save that did not finish; using step ${run.tracker.step}`,
    );
  }
  return {
    tracker: { present: run.tracker !== null, step: run.tracker?.step ?? null, raw: run.tracker?.raw.trim() ?? null },
    steps: run.steps,
    highestStep: highest,
    latestStep: run.latest.step,
    latestFrom: run.latest.source,
  };
}

function buildStepReport(step: StepListing, warnings: ReportWarning[]): StepReport {
  if (step.step === null) {
    warnings.push({
      code: 'not-global-step',
      level: 'warning',
      scope: 'step',
      path: step.path,
      message:
        'the folder name is not global_step_<N>: VeRL asserts that trainer.resume_from_path contains ' +
        "global_step_ and reads the step from it, so it cannot resume from here (use 'stage' to build one)",
    });
  }
  const ignoredFolders: string[] = [];
  const roles = {} as Record<Role, RoleReport | null>;
  for (const role of ROLES) {
    const found = step.roles[role];
    const exact = found.find((r) => r.name === role);
    const variants = found.filter((r) => r.name !== role);
    ignoredFolders.push(...variants.map((r) => r.name));
    for (const variant of variants) warnings.push(caseWarning(role, variant, exact !== undefined));
    const shown = exact ?? variants[0];
    roles[role] = shown ? buildRoleReport(shown, warnings) : null;
  }
  if (step.roles.critic.length === 0) {
    warnings.push({
      code: 'no-critic',
      level: 'warning',
      scope: 'step',
      path: step.path,
      message: 'no critic/ folder: this step cannot warm-start a critic (was the run trained without one, e.g. GRPO?)',
    });
  }
  return { path: step.path, step: step.step, dataPt: step.dataPt, actor: roles.actor, critic: roles.critic, ignoredFolders };
}

function caseWarning(role: Role, variant: RoleListing, exactExists: boolean): ReportWarning {
  const message = exactExists
    ? `VeRL reads ${role}/ and ignores ${variant.name}/ (folder names are case-sensitive on Linux)`
    : `VeRL reads lowercase ${role}/ and will not find ${variant.name}/ (folder names are case-sensitive on Linux)` +
      (role === 'critic' ? "; 'stage' stages it as critic/" : '');
  return { code: 'role-case', level: 'warning', scope: role, folder: variant.name, path: variant.path, message };
}

/** Exported for stage.ts, which re-checks one role with the world size the user asked for. */
export function buildRoleReport(role: RoleListing, warnings: ReportWarning[]): RoleReport {
  const scope = { scope: role.role, folder: role.name } as const;
  const warn = (code: WarningCode, message: string, where = role.path) =>
    warnings.push({ code, level: levelOf(code), ...scope, path: where, message });
  const warnShards = (code: WarningCode, worldSize: number, message: string) =>
    warnings.push({ code, level: levelOf(code), ...scope, path: role.path, message, worldSize });
  const shards = role.topFiles.map(parseShardName).filter((s) => s !== null);
  const worldSizes = [...new Set(shards.map((s) => s.worldSize))].sort((a, b) => a - b);
  const hasShards = shards.length > 0;
  const hasMegatron = MEGATRON_MARKERS.some((name) => role.topDirs.includes(name));
  const family = hasShards && hasMegatron ? null : layoutOf(role);
  const backend: Backend = hasShards && hasMegatron ? 'mixed' : (family?.backend ?? 'unknown');
  const megatron = family?.backend === 'megatron' ? megatronFacts(role, family) : null;

  const contents = {} as Record<ShardKind, boolean | null>;
  for (const kind of SHARD_KINDS) {
    contents[kind] = megatron ? megatron.contents[kind] : shards.some((s) => s.kind === kind);
  }
  for (const gap of megatron?.missing ?? []) {
    warnings.push({ code: 'incomplete', level: 'error', ...scope, path: role.path, message: `${gap.what}: VeRL cannot load this checkpoint`, part: gap.part });
  }

  // Every rank 0..W-1 must have each kind that was saved at all for W: FSDP loads its own rank's file.
  const missingRanks: MissingRanks[] = [];
  for (const worldSize of worldSizes) {
    for (const kind of SHARD_KINDS) {
      const ranks = new Set(shards.filter((s) => s.kind === kind && s.worldSize === worldSize).map((s) => s.rank));
      if (ranks.size === 0) continue;
      const missing = range(worldSize).filter((r) => !ranks.has(r));
      if (missing.length > 0) missingRanks.push({ kind, worldSize, ranks: missing });
      const beyond = [...ranks].filter((r) => r >= worldSize).sort((a, b) => a - b);
      if (beyond.length > 0) {
        warnShards('extra-ranks', worldSize, `${kind} shards for world size ${worldSize} have ranks beyond ${worldSize - 1}: ${beyond.join(', ')}`);
      }
    }
  }
  for (const m of missingRanks) {
    const ranks = `rank${m.ranks.length > 1 ? 's' : ''} ${compactRanks(m.ranks)}`;
    warnings.push({
      code: 'missing-ranks',
      level: 'error',
      ...scope,
      path: role.path,
      message: `${m.kind} shards for world size ${m.worldSize} miss ${ranks}: VeRL cannot load this checkpoint`,
      worldSize: m.worldSize,
      part: m.kind,
    });
  }
  if (worldSizes.length > 1) {
    warn(
      'mixed-world-sizes',
      `shards of several world sizes (${worldSizes.join(', ')}): saves of different runs were mixed in one folder; ` +
        'VeRL loads only the files of its own world size',
    );
  }
  if (backend === 'unknown') {
    warn(
      'no-model',
      `no model weights in a layout VeRL writes: no model_world_size_*_rank_*.pt files, no ${MEGATRON_DIR}/, ` +
        `no ${MCORE_DIRS.model}/mp_rank_*/ and no ${MCORE_DIRS.model}/ ${MCORE_DIRS.optimizer}/ ${MCORE_DIRS.extra}/ folders`,
    );
  } else if (backend === 'fsdp' && !contents.model) {
    warn('no-model', 'no model_world_size_*_rank_*.pt files: only optimizer or extra state was saved');
  } else if (backend === 'megatron' && contents.model === false) {
    warn('no-model', `no model weights in this ${family!.label} folder: only optimizer or extra state was saved`);
  } else if (backend === 'mixed') {
    warn('mixed-backend', 'both FSDP shard files and Megatron folders: saves of different backends were mixed');
  }

  const worldSize = backend === 'fsdp' ? (worldSizes.length === 1 ? worldSizes[0]! : null) : (megatron?.parallel.worldSize ?? null);
  const fsdpConfig = readFsdpConfig(role, worldSize, warn);
  for (const problem of role.tree.problems) {
    warn('unreadable', `${problem.relPath}: ${problem.reason}`);
  }

  // Where the HF config and tokenizer (and, if exported, weights) are: huggingface/, 0.4.0 Megatron's
  // hf_config_and_tokenizer/, or 0.9 Megatron's model/huggingface/.
  const hfDir = [HF_DIR, HF_CONFIG_TOKENIZER_DIR, `${MCORE_DIRS.model}/${HF_DIR}`].find((dir) => role.tree.dirs.includes(dir));
  const hfFiles = hfDir === undefined ? [] : role.tree.files.filter((f) => f.relPath.startsWith(`${hfDir}/`));
  const huggingface = hfDir === undefined ? null : { files: hfFiles.length, weights: hfFiles.some((f) => isHfWeightFile(f.relPath)) };

  return {
    folder: role.name,
    path: role.path,
    backend,
    layout: family ? { id: family.id, label: family.label, savedBy: family.savedBy } : null,
    worldSize,
    parallel: megatron?.parallel ?? null,
    worldSizes,
    contents,
    missingRanks,
    fsdpConfig,
    huggingface,
    files: role.tree.files.length,
    bytes: role.tree.bytes,
  };
}

/** Top-level folders only Megatron layouts have. */
const MEGATRON_MARKERS = [MEGATRON_DIR, MCORE_DIRS.optim, MCORE_DIRS.rng, MCORE_DIRS.optimizer, MCORE_DIRS.extra, HF_CONFIG_TOKENIZER_DIR];

function megatronFacts(role: RoleListing, family: LayoutFamily): MegatronFacts {
  if (family.id === 'megatron-v0.9') return splitDistFacts(role);
  if (family.id === 'megatron-v0.4.1') return singleDistFacts(role);
  return perRankFacts(role, family.id === 'megatron-v0.4.0' ? '0.4.0' : '0.3');
}

/** fsdp_config.json records the world size of the last save; a disagreement means mixed saves. */
function readFsdpConfig(
  role: RoleListing,
  shardWorldSize: number | null,
  warn: (code: WarningCode, message: string, where?: string) => void,
): RoleReport['fsdpConfig'] {
  const present = role.topFiles.includes(FSDP_CONFIG_FILE);
  if (!present) return { present, worldSize: null };
  const where = `${role.path}/${FSDP_CONFIG_FILE}`;
  let worldSize: number | null = null;
  try {
    const parsed = JSON.parse(role.jsonTexts[FSDP_CONFIG_FILE] ?? '') as unknown;
    const value = (parsed as { world_size?: unknown } | null)?.world_size;
    if (typeof value === 'number' && Number.isInteger(value)) worldSize = value;
  } catch {
    warn('fsdp-config', 'is not valid JSON', where);
    return { present, worldSize: null };
  }
  if (worldSize !== null && shardWorldSize !== null && worldSize !== shardWorldSize) {
    warn('fsdp-config', `says world_size ${worldSize}, but the shard files are for world size ${shardWorldSize}`, where);
  }
  return { present, worldSize };
}

/** 0,1,2,5,7,8,9 -> "0-2, 5, 7-9": a 64-GPU run missing half its ranks stays one readable line. */
export function compactRanks(ranks: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < ranks.length) {
    let j = i;
    while (j + 1 < ranks.length && ranks[j + 1] === ranks[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${ranks[i]}-${ranks[j]}` : ranks.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
