/**
 * How the new run must be launched to load a staged critic, or why no launch can: the release's
 * critic loader (from --verl, else the one of the release that saved it), the resume overrides in
 * the form that release takes, the flag, the contents override a partial (or --model-only) critic
 * needs, what to look for in the log, and how to resume the run later. Pure.
 */
import { SKIP_MESSAGE } from '../python/guard.js';
import { flagOverride, hydraOverride, shellWord } from '../hydra.js';
import { carryPlan, isCarryRefusal, kindWords, type Carry, type CarryPlan } from './carry.js';
import { LOADERS, loaderOf, type CriticLoader, type LayoutFamily } from './families.js';
import { DATA_FILE, SHARD_KINDS, type ShardKind } from './layout.js';
import type { Parallel } from './megatron.js';
import { requiresDataPt, resumeFormOf, type ResumeForm } from '../verl/release.js';
import { ACTOR_LOAD_CONTENTS_KEY, ACTOR_OVERRIDE, type Route, type RouteVerdict } from './route.js';
import type { RoleListing } from './scan.js';
import type { VerlFacts } from '../verl/describe.js';

export interface LaunchInput {
  layout: LayoutFamily;
  role: RoleListing;
  /** Which kinds the critic folder holds. */
  contents: Record<ShardKind, boolean | null>;
  /** --carry, or 'default' (--model-only is 'weights'). */
  carry: Carry | 'default';
  /** How the user asked, for refusals (`--model-only`). */
  askedAs?: string;
  verl: VerlFacts | null;
  /** `<out>/global_step_0` and `<out>/global_step_0/critic`, absolute. */
  resumeFrom: string;
  criticDest: string;
  worldSize: number | null;
  /** Megatron's parallel layout as the files record it (report.ts); null for FSDP. */
  parallel?: Parallel | null;
  /** How the actor load is skipped (route.ts), and which routes this VeRL allows. */
  route: Route;
  routes: Record<Route, RouteVerdict>;
}

export interface Launch {
  /** patch: trainer.load_critic_only=true on a guarded trainer; overrides: the actor's load_contents=[] (route.ts). */
  route: Route;
  /** Which routes work for this VeRL (or, with no --verl, for the releases assumed), with the reasons. */
  routes: Record<Route, RouteVerdict>;
  loader: CriticLoader;
  /** The release the overrides are for: the checkout's, or assumed from the layout. */
  basis: { kind: 'checkout'; release: string; root: string } | { kind: 'layout'; savedBy: string };
  resumeForm: ResumeForm;
  /** The kinds the loader will open, and so the kinds staged (carry.loadKinds). */
  loadKinds: ShardKind[];
  /** What carries over and what the new run inherits (carry.ts). */
  carry: CarryPlan;
  /**
   * The Hydra overrides to add to the launch command, in order, as argv elements (what the shell
   * hands Python: no shell quoting; stageSummary and --json's `line` quote them with shellWord).
   */
  overrides: string[];
  /** The same with `++trainer.load_critic_only=true`, for configs that may not declare the key. */
  overridesPlusPlus: string[];
  /** Whether the plain flag is known to work (--verl and the config declares the key). */
  keyDeclared: boolean | null;
  notes: string[];
  /** Lines the new run's log shows when the warm start works. */
  lookFor: string[];
  /** Text no line of the log may show (the override route logs nothing for the actor: this line means the override missed it). */
  mustNotShow: string[];
  /** After the new run's first save: resume with `set`, without `drop`. */
  resumeLater: { set: string[]; drop: string[] };
}

/** A refusal says whether the checkout (the release) or the critic (its files) is the reason. */
export type LaunchDecision = { launch: Launch } | { refused: string; about: 'checkout' | 'critic' };

export function decideLaunch(input: LaunchInput): LaunchDecision {
  const { layout, verl } = input;
  const release = verl?.release ?? null;
  let loader: CriticLoader;
  let resumeForm: ResumeForm = 'resume-path';
  if (release) {
    const form = resumeFormOf(release);
    if (form === null) {
      return refuse('checkout', `VeRL ${release.text} has no checkpoint resume (it came in 0.2): no run of it can load a staged critic; upgrade VeRL`);
    }
    if (requiresDataPt(release)) {
      return refuse(
        'checkout',
        `VeRL ${release.text} loads ${DATA_FILE} (the old run's whole pickled dataloader) unconditionally when it resumes: ` +
          'a critic-only folder crashes it, and the old data.pt would replace the new run\'s data; upgrade VeRL to 0.3.0 or later',
      );
    }
    resumeForm = form;
    const found = loaderOf(release, layout.backend);
    if (typeof found === 'string') return refuse('checkout', found);
    loader = found;
    if (!layout.readBy.includes(loader.id)) return refuse('critic', unreadable(layout, loader, release.text));
  } else {
    loader = LOADERS[layout.assumedLoader];
  }

  const saved = SHARD_KINDS.filter((kind) => input.contents[kind] === true);
  const assumed = release ? '' : ` (assumed from the layout, which ${layout.savedBy} save; pass --verl CHECKOUT if the new run uses VeRL 0.4.1 or later)`;
  const carry = carryPlan({ loader, saved, carry: input.carry, askedAs: input.askedAs, release: release ? `VeRL ${release.text}` : `${loader.releases}${assumed}` });
  if (isCarryRefusal(carry)) return refuse(release && carry.about === 'release' ? 'checkout' : 'critic', carry.refusal);
  const loadKinds = carry.loadKinds;
  const contentsOverrides = [...carry.overrides, ...layoutOverrides(layout, loader, input.parallel ?? null)];
  if (verl?.checkpointKeys) {
    const missingKey = carry.overrides.map((o) => /^critic\.checkpoint\.(\w+)=/.exec(o)?.[1]).find((key) => key !== undefined && !verl.checkpointKeys!.includes(key));
    if (missingKey) {
      return refuse('checkout', `the critic needs critic.checkpoint.${missingKey}=[${loadKinds.join(',')}], but ${verl.configFile} declares no such key`);
    }
  }

  const keyDeclared = verl?.keyDeclared ?? null;
  const resume = resumeOverrides(resumeForm, input.resumeFrom);
  const patch = input.route === 'patch';
  const skip = (declared: boolean) => (patch ? flagOverride(declared) : ACTOR_OVERRIDE);
  const overrides = [...resume, skip(keyDeclared !== false), ...contentsOverrides];
  const overridesPlusPlus = [...resume, skip(false), ...contentsOverrides];
  const resumeLog = [
    `Resuming from ${input.resumeFrom}`,
    loader.loadedLine(input.criticDest, input.worldSize, input.role),
    `Warning: No dataloader state found at ${input.resumeFrom}/${DATA_FILE}, will start from scratch`,
  ];
  return {
    launch: {
      route: input.route,
      routes: input.routes,
      loader,
      basis: release ? { kind: 'checkout', release: release.text, root: verl!.root } : { kind: 'layout', savedBy: layout.savedBy },
      resumeForm,
      loadKinds,
      carry,
      overrides,
      overridesPlusPlus,
      keyDeclared,
      notes: notesFor(input, carry, saved),
      // The override route has no line of its own: with load_contents=[] the actor's manager opens
      // and logs nothing (each log_with_rank sits inside its should_load_* branch,
      // v0.9.0:verl/utils/checkpoint/fsdp_checkpoint_manager.py:212-255).
      lookFor: patch ? [SKIP_MESSAGE, ...resumeLog] : resumeLog,
      // The manager's first torch.load of actor/ fails before any "Loaded model" line is logged.
      mustNotShow: patch ? [] : [`No such file or directory: '${input.resumeFrom}/actor/`],
      resumeLater: {
        set: ['trainer.resume_mode=auto'],
        drop: [
          ...(resumeForm === 'resume-path' ? ['trainer.resume_from_path'] : []),
          // Kept on a resume, either skips the run's own actor: a fresh actor at step N, silently.
          patch ? 'trainer.load_critic_only' : ACTOR_LOAD_CONTENTS_KEY,
          // With load_contents=[model] still set, the resumed run would drop its own critic's optimizer state.
          ...(loader.choice === 'load_contents' ? carry.overrides.filter((o) => o.startsWith('critic.checkpoint.')).map(keyOf) : []),
        ],
      },
    },
  };
}

function refuse(about: 'checkout' | 'critic', refused: string): LaunchDecision {
  return { refused, about };
}

function unreadable(layout: LayoutFamily, loader: CriticLoader, release: string): string {
  const head = `this critic is in the layout ${layout.savedBy} save (${layout.label}), which VeRL ${release}'s ${layout.backend} critic loader does not read`;
  if (layout.id === 'megatron-v0.4.1' && loader.id === 'megatron-v0.9') {
    return `${head}: 0.9 wants model/ optimizer/ extra/ and rejects dist_ckpt/ at the critic's root; convert a copy of the step with VeRL's scripts/migrate_megatron_checkpoint_layout.py, then stage the converted copy`;
  }
  return `${head}: launch the new run with a release that reads it (${layout.savedBy})`;
}

function resumeOverrides(form: ResumeForm, resumeFrom: string): string[] {
  if (form === 'path-in-resume-mode') return [hydraOverride('trainer.resume_mode', resumeFrom)];
  return ['trainer.resume_mode=resume_path', hydraOverride('trainer.resume_from_path', resumeFrom)];
}

/**
 * What the loader needs the new run to share with the saved critic, set in the printed launch so
 * that the release's config defaults (fsdp, tp 1, pp 1) do not stand in for the user's choice:
 * the strategy where it is not the default fsdp (a megatron or fsdp2 critic is read only by that
 * strategy's loader), and Megatron's tp and pp (cp and ep when above 1) for the loaders up to 0.8,
 * which need the saved layout; 0.9's loads HF weights through Megatron-Bridge and reshards.
 */
function layoutOverrides(layout: LayoutFamily, loader: CriticLoader, parallel: Parallel | null): string[] {
  const out: string[] = [];
  if (layout.backend === 'megatron') out.push('critic.strategy=megatron');
  else if (layout.id === 'fsdp2') out.push('critic.strategy=fsdp2');
  if (layout.backend !== 'megatron' || loader.id === 'megatron-v0.9' || !parallel) return out;
  const sizes: [string, number | null, boolean][] = [
    ['tensor_model_parallel_size', parallel.tp, true],
    ['pipeline_model_parallel_size', parallel.pp, true],
    ['context_parallel_size', parallel.cp, false],
    ['expert_model_parallel_size', parallel.ep, false],
  ];
  for (const [key, size, always] of sizes) if (size !== null && (always || size > 1)) out.push(`critic.megatron.${key}=${size}`);
  return out;
}

function keyOf(override: string): string {
  return override.split('=')[0]!;
}

function notesFor(input: LaunchInput, carry: CarryPlan, saved: readonly ShardKind[]): string[] {
  const { layout, verl } = input;
  const notes: string[] = [];
  if (!verl) {
    notes.push(
      `no --verl given: these overrides are for the releases that save this layout (${layout.savedBy}); ` +
        'pass --verl CHECKOUT to have them checked against the VeRL the new run uses',
    );
    if (layout.resumeFormVaries) {
      notes.push(
        'VeRL 0.2.x to 0.3.0.post0 take the step folder in trainer.resume_mode itself: there, write ' +
          `${shellWord(resumeOverrides('path-in-resume-mode', input.resumeFrom)[0]!)} instead of the two resume overrides ` +
          `(and 0.2.x cannot start from a folder without ${DATA_FILE} at all)`,
      );
    }
    if (layout.id === 'megatron-v0.4.1' && carry.loadKinds.length < SHARD_KINDS.length) {
      const list = shellWord(`critic.checkpoint.save_contents=[${carry.loadKinds.join(',')}]`);
      notes.push(
        `on VeRL 0.4.1 to 0.5.x the loader also asks dist_ckpt/ for what the new run saves: add ${list} too ` +
          '(the new run then saves only that), or leave out load_contents to load everything the critic saved (the new run then inherits it)',
      );
    }
  }
  if (carry.defaultNote) notes.push(carry.defaultNote);
  const unsaved = SHARD_KINDS.filter((kind) => !saved.includes(kind));
  if (carry.asked === 'all' || carry.asked === 'default') {
    if (unsaved.length > 0 && carry.carry === 'all') {
      notes.push(`the critic was saved without its ${unsaved.map(kindWords).join(' and ')}: ${unsaved.length > 1 ? 'they start' : 'it starts'} fresh`);
    }
  }
  if (layout.id === 'megatron-v0.4.1' && carry.loadKinds.length < saved.length) {
    notes.push(`dist_ckpt/ holds every kind in one unit and is staged whole; the override makes VeRL read only the ${carry.loadKinds.map(kindWords).join(' and ')} from it`);
  }
  notes.push(...carry.effects);
  return notes;
}
