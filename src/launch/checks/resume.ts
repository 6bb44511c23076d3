/**
 * Checks 1, 2 and 9, over the run's whole life: whether the launch is the warm start (the first
 * launch, from a staged folder) or the run resuming its own steps (a later launch, without the
 * flag); for a warm start, the trainer carries the guard and the flag is set, the resume mode and
 * path are the form that release reads and name a step-0 folder holding critic/ alone; for a
 * resume, it restores everything the run saved; and how to resume later. Pure.
 */
import path from 'node:path';
import { SHARD_KINDS, TRACKER_FILE, type ShardKind } from '../../checkpoint/layout.js';
import { shellWord } from '../../hydra.js';
import { resumeFormOf, type Release } from '../../verl/release.js';
import type { ComposedKey } from '../compose.js';
import { finding, type Finding, type PreflightFacts, type StagedCritic } from '../facts.js';

export type ResumeTarget =
  /** The step folder the trainer will load, as configured (not yet joined to the working folder). */
  | { kind: 'folder'; key: ComposedKey; folder: string }
  /** resume_mode=auto: whatever default_local_dir's latest step is (maybe none). */
  | { kind: 'auto' }
  | { kind: 'none'; finding: Finding };

/**
 * Where the trainer resumes from, as the release reads it. From 0.3.0.post1:
 * `resume_mode == "resume_path"` reads `resume_from_path` (v0.3.0.post1:verl/trainer/ppo/ray_trainer.py:708-714,
 * v0.9.0:verl/trainer/ppo/v1/trainer_base.py:804-810); before, `resume_mode` is itself the folder
 * (v0.3.0.post0:verl/trainer/ppo/ray_trainer.py:708-714). `auto` resumes default_local_dir's latest
 * step, `disable` nothing (v0.9.0:verl/trainer/ppo/v1/trainer_base.py:793-803).
 */
export function resumeTarget(release: Release, values: PreflightFacts['values']): ResumeTarget {
  const mode = values['trainer.resume_mode'];
  const pathForm = resumeFormOf(release) === 'path-in-resume-mode';
  const fix = pathForm ? 'trainer.resume_mode=<staged>/global_step_0' : 'trainer.resume_mode=resume_path trainer.resume_from_path=<staged>/global_step_0';
  if (mode === 'auto') return { kind: 'auto' };
  if (mode === 'disable') {
    return { kind: 'none', finding: finding('error', 2, 'trainer.resume_mode', `resume_mode=disable: the trainer loads no checkpoint at all, so neither the critic; write ${fix}`) };
  }
  if (pathForm) {
    if (typeof mode !== 'string' || !mode.includes('global_step_')) {
      return {
        kind: 'none',
        finding: finding('error', 2, 'trainer.resume_mode', `VeRL ${release.text} takes the step folder in trainer.resume_mode itself (resume_mode=${String(mode)} fails its assert "resume ckpt must specify the global_steps"); write ${fix}`),
      };
    }
    return { kind: 'folder', key: 'trainer.resume_mode', folder: mode };
  }
  if (mode !== 'resume_path') {
    const hint = typeof mode === 'string' && mode.includes('global_step_') ? ` (the folder in resume_mode is the form of 0.2 to 0.3.0.post0 only)` : '';
    return { kind: 'none', finding: finding('error', 2, 'trainer.resume_mode', `VeRL ${release.text} knows resume modes auto, disable and resume_path, not ${JSON.stringify(mode)}${hint}: the start fails; write ${fix}`) };
  }
  const folder = values['trainer.resume_from_path'];
  if (typeof folder !== 'string') {
    return { kind: 'none', finding: finding('error', 2, 'trainer.resume_from_path', `resume_mode=resume_path with resume_from_path=${JSON.stringify(folder ?? null)}: the trainer's assert "resume ckpt must be str type" stops the start; set trainer.resume_from_path=<staged>/global_step_0`) };
  }
  return { kind: 'folder', key: 'trainer.resume_from_path', folder };
}

/**
 * What the launch does over the run's whole life: a warm start (the first launch, from a staged
 * folder, with the flag), or the run resuming its own steps (a later launch without the flag:
 * resume_mode=auto on the run's folder, or a resume path inside it). `step` null: auto finds no
 * tracker to resume from.
 */
export type LaunchPlan = { kind: 'warm-start' } | { kind: 'resume'; step: number | null; folder: string | null };

export function launchPlan(facts: PreflightFacts, target: ResumeTarget): LaunchPlan {
  const run = facts.runFolder;
  if (facts.values['trainer.load_critic_only'] === true || !run) return { kind: 'warm-start' };
  // Steps the run saved itself (a staged folder put in the run's folder is not one).
  if (target.kind === 'auto' && run.saved.length > 0) {
    return { kind: 'resume', step: run.resumable, folder: run.resumable === null ? null : path.join(run.path, `global_step_${run.resumable}`) };
  }
  const own = ownStep(facts);
  return own === null ? { kind: 'warm-start' } : { kind: 'resume', step: own, folder: facts.staged!.folder };
}

/**
 * The step of the run's own folder that the resume path names (a step the run saved: it holds
 * actor/, which stage never makes), or null when it names another folder.
 */
export function ownStep(facts: PreflightFacts): number | null {
  const staged = facts.staged;
  const run = facts.runFolder;
  if (!staged || !run || path.dirname(staged.folder) !== run.path) return null;
  if (!staged.step?.roles.actor.some((role) => role.name === 'actor')) return null;
  return stepNumber(staged.folder);
}

/** int(folder.split("global_step_")[-1]) as VeRL computes global_steps; null where that fails. */
function stepNumber(folder: string): number | null {
  const tail = folder.split('global_step_').pop()!;
  return folder.includes('global_step_') && /^\s*[+-]?\d+\s*$/.test(tail) ? Number(tail) : null;
}

/** The key that names the step folder in this release. */
export function folderKey(release: Release): ComposedKey {
  return resumeFormOf(release) === 'path-in-resume-mode' ? 'trainer.resume_mode' : 'trainer.resume_from_path';
}

/**
 * Check 1: the guard in the trainers this config runs, the flag, and a critic to load. A launch
 * that resumes the run's own steps needs neither guard nor flag (the run loads its own actor).
 */
export function checkGuardAndFlag(facts: PreflightFacts, plan: LaunchPlan = { kind: 'warm-start' }): Finding[] {
  if (plan.kind === 'resume') return [];
  const out: Finding[] = [];
  for (const trainer of facts.trainers) {
    if (trainer.guarded === false) {
      out.push(finding('error', 1, trainer.file, `this VeRL is not patched: the trainer this config runs loads the actor checkpoint unguarded, so trainer.load_critic_only changes nothing and the run loads (or crashes on) <folder>/actor; run ${facts.advice.apply}`));
    } else if (trainer.guarded === null) {
      out.push(finding('warning', 1, trainer.file, `could not tell whether this trainer guards its actor load (${trainer.reason ?? 'unknown shape'}); run verl-critic-patch check on it`));
    }
  }
  if (facts.trainers.length === 0) out.push(finding('warning', 1, 'trainer', 'found no trainer file that loads an actor checkpoint for this entry point: the guard could not be checked'));
  const flag = facts.values['trainer.load_critic_only'];
  if (flag !== true) {
    const declared = !facts.absent.includes('trainer.load_critic_only');
    out.push(
      finding(
        'error',
        1,
        'trainer.load_critic_only',
        `${declared ? `trainer.load_critic_only is ${JSON.stringify(flag ?? null)}` : 'trainer.load_critic_only is not set'}: the trainer loads <folder>/actor too and crashes on a staged folder that has none (or loads the old actor); add ${declared ? '' : '++'}trainer.load_critic_only=true`,
      ),
    );
  }
  // need_critic: critic.enable when set, else adv_estimator == gae (v0.7.1:verl/trainer/ppo/utils.py:86-97;
  // v0.5.0:verl/trainer/ppo/ray_trainer.py:373-384); the critic is loaded only `if self.use_critic`.
  const enable = facts.values['critic.enable'];
  const estimator = facts.values['algorithm.adv_estimator'];
  const usesCritic = enable !== undefined && enable !== null ? Boolean(enable) : estimator === undefined ? null : estimator === 'gae';
  if (usesCritic === false) {
    const key = enable !== undefined && enable !== null ? 'critic.enable' : 'algorithm.adv_estimator';
    out.push(finding('error', 1, key, `this run has no critic (${key}=${JSON.stringify(key === 'critic.enable' ? enable : estimator)}): the trainer skips the critic load, so the staged critic is never used; PPO with a critic needs algorithm.adv_estimator=gae${facts.absent.includes('critic.enable') ? '' : ' (or critic.enable=true)'}`));
  }
  return out;
}

/** Check 2: the step folder the trainer parses and opens. `target` from resumeTarget. */
export function checkResume(facts: PreflightFacts, target: ResumeTarget, plan: LaunchPlan = { kind: 'warm-start' }): Finding[] {
  if (target.kind === 'none') return [target.finding];
  const fix = resumeFormOf(facts.release) === 'path-in-resume-mode' ? 'trainer.resume_mode=<staged>/global_step_0' : 'trainer.resume_mode=resume_path trainer.resume_from_path=<staged>/global_step_0';
  if (target.kind === 'auto') {
    const run = facts.runFolder;
    if (!run || run.steps.length === 0) {
      return [finding('error', 2, 'trainer.resume_mode', `resume_mode=auto finds no checkpoint in trainer.default_local_dir (${run?.path ?? 'unset'}): the run starts from scratch and never loads the staged critic; write ${fix}`)];
    }
    if (run.resumable === null) {
      // find_latest_ckpt_path reads only the tracker file (v0.9.0:verl/utils/checkpoint/checkpoint_manager.py:235-245).
      const why = run.tracker === null ? `has no ${TRACKER_FILE}` : `has ${TRACKER_FILE} naming step ${run.tracker}, whose folder is not there`;
      const latest = Math.max(...(run.saved.length > 0 ? run.saved : run.steps));
      const instead = plan.kind === 'resume'
        ? `to resume step ${latest}, write trainer.resume_mode=resume_path trainer.resume_from_path=${path.join(run.path, `global_step_${latest}`)}`
        : `write ${fix}`;
      return [finding('error', 2, 'trainer.resume_mode', `resume_mode=auto reads only ${TRACKER_FILE}, and ${run.path} ${why} (it holds steps ${run.steps.join(', ')}): the run trains from scratch and its saves overwrite those steps; ${instead}`)];
    }
    return []; // check 7 says what auto does with that folder's steps.
  }
  const { key, folder } = target;
  // global_steps = int(folder.split("global_step_")[-1]) (v0.3.0.post1:verl/trainer/ppo/ray_trainer.py:717,
  // v0.9.0:verl/trainer/ppo/v1/trainer_base.py:815): Python's int() takes surrounding spaces, not a `/`.
  const tail = folder.split('global_step_').pop()!;
  if (!folder.includes('global_step_')) {
    return [finding('error', 2, key, `${folder} does not name a global_step_N folder: the trainer's assert "resume ckpt must specify the global_steps" stops the start; point it at <staged>/global_step_0`)];
  }
  if (!/^\s*[+-]?\d+\s*$/.test(tail)) {
    return [finding('error', 2, key, `int(${JSON.stringify(tail)}), the text after the last "global_step_", fails (global_steps = int(folder.split("global_step_")[-1])): the start crashes; write the folder without anything after the number${tail.endsWith('/') ? ' (drop the trailing /)' : ''}`)];
  }
  const staged = facts.staged;
  if (!staged || !staged.exists) return [finding('error', 2, key, `${staged?.folder ?? folder}: no such folder: the critic load crashes; stage the critic there (verl-critic-patch stage) or fix the path`)];
  // The run's own step (a resume, or check 7's relaunch with the flag): not a warm-start folder to judge.
  if (plan.kind === 'resume' || ownStep(facts) !== null) return [];
  if (!staged.listing) {
    const variants = staged.step?.roles.critic.map((r) => r.name) ?? [];
    const why = variants.length > 0 ? `only ${variants.join(', ')}/, which VeRL does not read (it opens lowercase critic/)` : 'no critic/ folder';
    return [finding('error', 2, key, `${staged.folder} holds ${why}: the critic load crashes; stage the critic with verl-critic-patch stage`)];
  }
  return notStaged(facts, key, staged, Number(tail));
}

/**
 * A warm start resumes from a step-0 folder holding critic/ alone (what stage makes). Any other
 * step folder makes VeRL continue the old run: global_steps = N
 * (v0.9.0:verl/trainer/ppo/v1/trainer_base.py:815, v0.9.0:verl/trainer/ppo/ray_trainer.py:1083),
 * the old dataloader position from data.pt (v0.9.0:verl/trainer/ppo/v1/trainer_base.py:832-835,
 * v0.9.0:verl/trainer/ppo/ray_trainer.py:1102-1115), the actor unless the guard and flag skip it,
 * and in async trainer modes transfer_queue/, the old actor's in-flight prompts
 * (v0.9.0:verl/trainer/ppo/v1/trainer_base.py:839-845).
 */
function notStaged(facts: PreflightFacts, key: ComposedKey, staged: StagedCritic, step: number): Finding[] {
  const actor = staged.step?.roles.actor.some((role) => role.name === 'actor') ?? false;
  const dataPt = staged.step?.dataPt ?? false;
  if (step === 0 && !actor && !dataPt && !staged.transferQueue) return [];
  const holds = [...(actor ? ['actor/'] : []), ...(dataPt ? ['data.pt'] : []), ...(staged.transferQueue ? ['transfer_queue/'] : [])];
  const skipsActor = facts.values['trainer.load_critic_only'] === true && facts.trainers.length > 0 && facts.trainers.every((t) => t.guarded === true);
  const restores = [
    ...(step !== 0 ? [`set global_steps=${step} (the new run counts on from step ${step}, not from 0)`] : []),
    ...(dataPt ? ["restore the old run's dataloader position from data.pt"] : []),
    ...(actor && !skipsActor ? ['load the old actor from actor/'] : []),
    ...(staged.transferQueue ? ["restore transfer_queue/, the old actor's in-flight prompts (VeRL 0.9 on, when trainer.v1.trainer_mode is not sync)"] : []),
  ];
  const what = `${staged.folder} is not a folder staged for a warm start (a global_step_0 holding critic/ alone): it is step ${step} of a run${holds.length > 0 ? `, with ${holds.join(', ')}` : ''}`;
  const does = restores.length > 0 ? `; from it VeRL would ${restores.join(', ')}, continuing the old run instead of starting fresh` : '';
  return [finding('error', 2, key, `${what}${does}; stage its critic instead: ${facts.advice.stage} ${shellWord(staged.folder)} <new folder>, then ${key}=<new folder>/global_step_0`)];
}

/**
 * The flag among the keys a later resume must drop, only where the launch sets it: the override
 * route's launch (on an unpatched trainer, whose config has no such key) never does, and stage's
 * resume line names only what it printed.
 */
export function flagToDrop(facts: PreflightFacts): string[] {
  return facts.values['trainer.load_critic_only'] === true ? ['trainer.load_critic_only'] : [];
}

/** Check 9: how to restart this run later, once (a passing warm start: index.ts drops it otherwise). */
export function restartNote(facts: PreflightFacts, dropKeys: readonly string[]): Finding {
  const drop = ['trainer.resume_from_path', ...flagToDrop(facts), ...dropKeys].filter((key, i, all) => all.indexOf(key) === i);
  const pathForm = resumeFormOf(facts.release) === 'path-in-resume-mode';
  return finding(
    'note',
    9,
    'trainer.resume_mode',
    `after the run's first save, resume it with trainer.resume_mode=auto, without ${(pathForm ? drop.filter((k) => k !== 'trainer.resume_from_path') : drop).join(', ')}`,
  );
}

const asKinds = (value: unknown): ShardKind[] | null => (Array.isArray(value) ? SHARD_KINDS.filter((kind) => value.includes(kind)) : null);

/**
 * Check 9 on a launch that resumes the run's own steps: the critic must load everything the run
 * saves. A load_contents narrowed for the warm start and kept on the resume restores the weights
 * alone: the critic's Adam state and LR schedule start over at step N, silently.
 */
export function checkOwnResume(facts: PreflightFacts, plan: LaunchPlan): Finding[] {
  if (plan.kind !== 'resume') return [];
  const load = asKinds(facts.values['critic.checkpoint.load_contents']);
  const save = asKinds(facts.values['critic.checkpoint.save_contents']);
  const dropped = load && save ? save.filter((kind) => !load.includes(kind)) : [];
  if (dropped.length === 0) return [];
  const at = plan.step === null ? 'its own latest step' : `its own step ${plan.step}`;
  return [
    finding('error', 9, 'critic.checkpoint.load_contents', `critic.checkpoint.load_contents=[${load!.join(',')}] while the run saves [${save!.join(',')}]: resuming ${at}, the critic restores only that and its ${dropped.join(' and ')} state start${dropped.length === 1 ? 's' : ''} over, silently; drop critic.checkpoint.load_contents (it defaults to save_contents), as for any resume`),
  ];
}
