/**
 * Decides what `stage` will do before anything is written: which step and critic folder, its
 * layout family, which files the new run's critic loader needs, the metadata to rewrite so it
 * matches what is staged, the launch overrides, and every refusal (no critic, incomplete files,
 * world size, a release that cannot load it, a bad `<out>`). Reads the disk but never writes, so a
 * refused stage leaves no trace at all. Which critic folder and which of its files: criticFiles.ts.
 */
import path from 'node:path';
import { badInput, refusal } from '../errors.js';
import type { LayoutFamily } from './families.js';
import { decideLaunch, type Launch } from './warmStartLaunch.js';
import { WRITE_OVERRIDE_INSTEAD, chooseRoute, reasonOf, type Route } from './route.js';
import { STAGED_STEP_DIR } from './layout.js';
import type { Carry } from './carry.js';
import { chooseCriticFolder, refuseUnusableCritic, rewrittenMetadata, selectFiles, type GeneratedFile } from './criticFiles.js';
import { checkOut, sameStaged } from './outFolder.js';
import { buildReport, buildRoleReport } from './report.js';
import type { Backend, ReportWarning, RoleReport } from './reportTypes.js';
import { scanCheckpoint, type FileEntry, type RoleListing } from './scan.js';
import { describeVerl, type VerlFacts } from '../verl/describe.js';

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
  /** `<out>` already holds exactly this critic staged (outFolder.ts): nothing to do; how its files relate to the source. */
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
  const verl = options.verl === undefined ? null : describeVerl(options.verl, layout.backend);
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
      `a VeRL you cannot patch also works if the new run uses VeRL 0.4.1 or later with an FSDP or FSDP2 actor: ${WRITE_OVERRIDE_INSTEAD} ` +
        '(stage --route overrides --verl <its VeRL> prints and checks it)',
    ];
  }
  return [];
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
