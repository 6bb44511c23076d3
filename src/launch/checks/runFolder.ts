/**
 * Check 7: the new run's `trainer.default_local_dir` is not the old run's folder nor the staged
 * one, and holds no steps; when it does (a relaunch after a crash, the launch script run again),
 * what the launch as written would do instead of continuing the run. Pure.
 */
import { resumeFormOf } from '../../verl/release.js';
import { finding, type Finding, type PreflightFacts } from '../facts.js';
import { flagToDrop, ownStep, type LaunchPlan, type ResumeTarget } from './resume.js';

export function checkRunFolder(facts: PreflightFacts, target: ResumeTarget, dropKeys: readonly string[], plan: LaunchPlan = { kind: 'warm-start' }): Finding[] {
  const run = facts.runFolder;
  // A resume of the run's own steps: they are what it loads (check 2 and 9 judge how).
  if (!run || plan.kind === 'resume') return [];
  const key = 'trainer.default_local_dir';
  const pathForm = resumeFormOf(facts.release) === 'path-in-resume-mode';
  // Only keys the launch sets: an auto relaunch that never wrote resume_from_path has none to drop.
  const pathSet = !pathForm && typeof facts.values['trainer.resume_from_path'] === 'string';
  const drop = [...flagToDrop(facts), ...(pathSet ? ['trainer.resume_from_path'] : []), ...dropKeys];
  const resume = `to continue this run, launch it with trainer.resume_mode=auto and without ${drop.join(', ')}; if the steps are another run's, give this run its own folder`;
  const own = ownStep(facts);
  if (own !== null) {
    // The resume path names a step this run saved, and the flag is still set.
    return [finding('error', 7, key, `the launch resumes ${run.path}'s own step ${own} with trainer.load_critic_only still set: the run restores its own critic and step ${own} but skips its own actor: a fresh actor at step ${own}, silently; ${resume}`)];
  }
  if (run.insideStaged) {
    return [finding('error', 7, key, `${run.path} is the staged critic's folder: the new run would save its steps beside the staged global_step_0 and resume=auto would mix them; give the run its own folder (trainer.experiment_name or trainer.default_local_dir)`)];
  }
  if (run.holdsStagedFiles) {
    return [finding('error', 7, key, `${run.path} is the old run's folder (the staged critic's files are its files): the new run's checkpoints would mix with the old run's (resume_mode=auto takes the latest of either, max_*_ckpt_to_keep deletes the old run's saves); give the new run its own folder (trainer.experiment_name or trainer.default_local_dir)`)];
  }
  if (run.steps.length === 0) return [];
  const latest = run.tracker ?? Math.max(...run.steps);
  const holds = `${run.path} already holds steps ${run.steps.join(', ')} (the latest ${latest})`;
  if (target.kind === 'auto') {
    // No tracker: auto trains from scratch, which check 2 says.
    if (run.resumable === null) return [];
    return [finding('error', 7, key, `${holds}: with resume_mode=auto and trainer.load_critic_only still set, the run restores its own critic and step ${run.resumable} but skips its own actor: a fresh actor at step ${run.resumable}, silently; ${resume}`)];
  }
  return [finding('error', 7, key, `${holds}: as written, the launch starts over at step 0 from the staged critic, ignores them, and its saves overwrite them; ${resume}`)];
}
