/**
 * Decides what `stage` will do before anything is written: which step and critic folder, its
 * layout family, which files the new run's critic loader needs, the metadata to rewrite so it
 * matches what is staged, the launch overrides, and every refusal (no critic, incomplete files,
 * world size, a release that cannot load it, a bad `<out>`). Reads the disk but never writes, so a
 * refused stage leaves no trace at all.
 */
import path from 'node:path';
import { badInput, refusal } from '../errors.js';
import { layoutOf, type LayoutFamily } from './families.js';
import { decideLaunch, type Launch } from './launch.js';
import { ACTOR_OVERRIDE, chooseRoute, reasonOf, type Route } from './route.js';
import { CKPT_CONTENTS_FILE, FSDP_CONFIG_FILE, SHARD_KINDS, STAGED_STEP_DIR, parseJsonObject, parseShardName, type ShardKind } from './layout.js';
import type { Carry } from './carry.js';
import { checkOut, sameStaged } from './out.js';
import { buildReport, buildRoleReport, compactRanks, levelOf } from './report.js';
import type { Backend, ReportWarning, RoleReport } from './reportTypes.js';
import { scanCheckpoint, type FileEntry, type RoleListing, type StepListing } from './scan.js';
import { readVerlCheckout, type VerlFacts } from './verl.js';

export interface StageOptions {
  /** Copy every file instead of hard-linking (links share storage with the source). */
  copy?: boolean;
  /** Refuse unless the critic was saved with this world size; also picks one set among mixed shards. */
  worldSize?: number;
  /** What the new run's critic takes from the old one (carry.ts); unset: the default, weights where the release allows. */
  carry?: Carry;
  /** The same as carry: 'weights' (the older option; scripts use it). */
  modelOnly?: boolean;
  /** The VeRL checkout the new run uses: its release and config decide the overrides. */
  verl?: string;
  /** Stage even when that checkout's trainer lacks the load_critic_only guard (else a refusal, exit 1). */
  allowUnpatched?: boolean;
  /** How to patch that checkout, as the user would type it (the CLI repeats --verl or --python); shown in the refusal. */
  applyCommand?: string;
  /** --route: how the new run skips the actor (route.ts); unset: the patch where the trainer is patched, else the overrides where the release allows them. */
  route?: Route;
}

/** A file stage writes itself instead of linking: metadata made to match what was staged. */
export interface GeneratedFile {
  relPath: string;
  content: string;
  /** Why, for the summary. */
  reason: string;
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
  layout: LayoutFamily;
  /** The world size of the staged files; null where the files do not say (Megatron before 0.9, mostly). */
  worldSize: number | null;
  /** `<out>`, absolute and checked. */
  out: string;
  /** `<out>` already holds exactly this critic staged (out.ts): nothing to do; how its files relate to the source. */
  alreadyStaged: { linked: number; copied: number } | null;
  dirs: string[];
  files: FileEntry[];
  generated: GeneratedFile[];
  bytes: number;
  launch: Launch;
  verl: VerlFacts | null;
  /** Problems worth a line on stderr that do not stop the stage. */
  warnings: ReportWarning[];
  /** Plain facts about the result, e.g. that the optimizer will start fresh. */
  notes: string[];
}

export async function planStage(source: string, out: string, options: StageOptions = {}): Promise<StagePlan> {
  const listing = await scanCheckpoint(source);
  const report = buildReport(listing);
  const step = listing.step;
  if (!step) throw refusal(source, 'no global_step_N folder to stage from');

  const chosen = chooseCriticFolder(step);
  const criticWarnings: ReportWarning[] = [];
  const critic = buildRoleReport(chosen, criticWarnings);
  const layout = refuseUnusableCritic(chosen, critic);
  const runFolder = listing.kind === 'run' ? listing.path : step.step !== null ? path.dirname(step.path) : null;
  const checked = await checkOut(out, step.path, runFolder);
  const outPath = checked.path;
  const verl = options.verl === undefined ? null : await readVerlCheckout(options.verl, layout.backend);
  const resumeFrom = path.join(outPath, STAGED_STEP_DIR);
  const routed = chooseRoute({
    asked: options.route,
    release: verl?.release ?? null,
    // The layouts 0.4.1 and later save (FSDP): their savers honour the actor's load_contents=[].
    layoutAllowsOverrides: layout.id === 'fsdp-v0.4.1' || layout.id === 'fsdp2',
    backend: layout.backend,
    trainerPatched: verl?.trainerPatched ?? null,
    allowUnpatched: options.allowUnpatched ?? false,
    actorKeyDeclared: verl?.actorCheckpointKeys ? verl.actorCheckpointKeys.includes('load_contents') : null,
    configFile: verl?.configFile ?? null,
  });
  const decision = decideLaunch({
    layout,
    role: chosen,
    contents: critic.contents,
    carry: options.carry ?? (options.modelOnly ? 'weights' : 'default'),
    askedAs: options.carry === undefined && options.modelOnly ? '--model-only' : undefined,
    verl,
    resumeFrom,
    criticDest: path.join(resumeFrom, 'critic'),
    // What selectFiles settles on whenever it does not refuse: FSDP shards load on one world size.
    worldSize: layout.backend === 'fsdp' ? (options.worldSize ?? critic.worldSize) : critic.worldSize,
    parallel: critic.parallel,
    route: 'route' in routed ? routed.route : 'patch',
    routes: routed.routes,
  });
  if ('refused' in decision) throw refusal(decision.about === 'checkout' ? options.verl : chosen.path, decision.refused);
  // After the release's own refusals: patching would not help those.
  const applyCommand = options.applyCommand ?? `verl-critic-patch apply ${options.verl}`;
  if ('refused' in routed && routed.refused === 'unpatched') {
    // Without the guard the new run loads <resumeFrom>/actor, which stage never makes: a crash at
    // the first load, after the cluster is up. Refused here, before anything is written.
    const overrides = routed.routes.overrides;
    const instead = overrides.ok ? `, or --route overrides (${overrides.why})` : ` (no override route instead: ${overrides.reason})`;
    throw refusal(
      options.verl,
      `the trainer does not guard the actor load yet, so the new run would try to load ${resumeFrom}/actor ` +
        `(stage makes no actor/) and crash: run ${applyCommand} first, or pass --allow-unpatched to stage anyway${instead}`,
    );
  }
  if ('refused' in routed) {
    throw refusal(options.verl ?? chosen.path, `--route overrides: ${routed.reason}; use the patch route (trainer.load_critic_only, after verl-critic-patch apply)`);
  }
  const unpatched = verl?.trainerPatched === false;
  const route = decision.launch.route;

  // Only the kinds the loader opens must be complete (a gap in the optimizer shards does not matter to a weights-only load).
  const loadKinds = decision.launch.loadKinds;
  const { worldSize, files: sized, warnings: selectionWarnings } = selectFiles(chosen, { ...critic, problems: criticWarnings }, options.worldSize, loadKinds);
  // With one set of shards picked out of several, what the report said about the others is moot.
  // A gap in a part that is not staged does not matter either.
  const picked = (w: ReportWarning) =>
    (w.part === undefined || w.part === 'all' || w.part === 'meta' || loadKinds.includes(w.part)) &&
    (worldSize === null || critic.worldSizes.length < 2 || (w.code !== 'mixed-world-sizes' && (w.worldSize ?? worldSize) === worldSize));
  const warnings = [
    ...report.warnings.filter((w) => isAboutRunOrCritic(w, chosen) && picked(w)),
    ...selectionWarnings,
  ];

  // Only the parts the loader opens, and the metadata beside them (configs, tokenizer).
  const wanted = (relPath: string) => {
    const part = layout.partOf(relPath);
    return part === 'meta' || part === 'all' || decision.launch.loadKinds.includes(part);
  };
  const generated = rewrittenMetadata(chosen, worldSize, decision.launch.loadKinds);
  const rewritten = new Set(generated.map((g) => g.relPath));
  const files = sized.filter((f) => wanted(f.relPath) && !rewritten.has(f.relPath));
  const dirs = chosen.tree.dirs.filter(wanted);
  let alreadyStaged: StagePlan['alreadyStaged'] = null;
  if (checked.occupied) {
    const same = await sameStaged(outPath, { dirs, files, generated });
    if (!same.same) {
      throw badInput(out, `exists and is not empty, and is not this critic as stage makes it (${same.difference}): stage into a new folder (nothing was changed)`);
    }
    alreadyStaged = { linked: same.linked, copied: same.copied };
  }
  return {
    stepPath: step.path,
    step: step.step,
    criticPath: chosen.path,
    criticFolder: chosen.name,
    critic,
    backend: critic.backend,
    layout,
    worldSize,
    out: outPath,
    dirs,
    files,
    alreadyStaged,
    generated,
    bytes: files.reduce((sum, f) => sum + f.size, 0) + generated.reduce((sum, g) => sum + Buffer.byteLength(g.content), 0),
    launch: decision.launch,
    verl,
    warnings,
    notes: [
      ...(unpatched && route === 'patch' ? [`--allow-unpatched: the trainer of ${options.verl} does not guard the actor load yet: run ${applyCommand} before the launch`] : []),
      ...decision.launch.notes,
      ...generated.map((g) => g.reason),
      ...routeNotes(decision.launch, verl !== null),
    ],
  };
}

/** Which route the launch takes and why; with no --verl, the other route where the layout's releases allow it. */
function routeNotes(launch: Launch, named: boolean): string[] {
  const { route, routes } = launch;
  if (route === 'overrides') {
    return [
      `route: overrides, no change to VeRL's code: ${reasonOf(routes.overrides)}, so the trainer's actor load reads nothing; trainer.load_critic_only is not needed`,
    ];
  }
  if (!named && routes.overrides.ok) {
    return [
      `a VeRL you cannot patch also works if the new run uses VeRL 0.4.1 or later with an FSDP or FSDP2 actor: write ${ACTOR_OVERRIDE} instead of trainer.load_critic_only=true ` +
        '(stage --route overrides --verl <its VeRL> prints and checks it)',
    ];
  }
  return [];
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

function refuseUnusableCritic(chosen: RoleListing, critic: RoleReport): LayoutFamily {
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
function selectFiles(
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
function rewrittenMetadata(role: RoleListing, worldSize: number | null, loadKinds: readonly ShardKind[]): GeneratedFile[] {
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
