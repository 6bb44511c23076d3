/**
 * The route a launch takes to skip the old actor (src/checkpoint/route.ts): the patch
 * (`trainer.load_critic_only=true` on a guarded trainer) or the overrides
 * (`actor_rollout_ref.actor.checkpoint.load_contents=[]`, no code change). Check 1 accepts either
 * where it works; the override on a release, backend or trainer where it does not is an error
 * naming why; and a later resume that keeps the actor override never restores the run's own
 * actor, the same silent trap as a leftover flag (check 7). Pure.
 */
import { ACTOR_LOAD_CONTENTS_KEY, ACTOR_OVERRIDE, WRITE_OVERRIDE_INSTEAD, overrideRoute, type Route, type RouteVerdict } from '../../checkpoint/route.js';
import { MAIN_TRAINER, V1_TRAINER } from '../../verl/trainers.js';
import { finding, type Finding, type PreflightFacts } from '../facts.js';
import type { LaunchPlan, ResumeTarget } from './resume.js';

/**
 * The trainers whose actor load was read down to the checkpoint manager (route.ts): main_ppo's
 * RayPPOTrainer and, from 0.9, its ppo/v1 trainer. The fully-async trainer and the recipes' run
 * other workers: unverified.
 */
const VERIFIED_TRAINERS = [MAIN_TRAINER, V1_TRAINER].map((file) => `verl/${file}`);

/** Whether the launch sets the actor's load_contents to an empty list. */
export function hasActorOverride(facts: PreflightFacts): boolean {
  const value = facts.values[ACTOR_LOAD_CONTENTS_KEY];
  return Array.isArray(value) && value.length === 0;
}

/** Whether the override route works for this launch: release, actor strategy, the key, the trainers it runs. */
export function overrideVerdict(facts: PreflightFacts): RouteVerdict {
  const strategy = facts.values['actor_rollout_ref.actor.strategy'];
  const verdict = overrideRoute({
    release: facts.release,
    strategy: typeof strategy === 'string' ? strategy : null,
    keyDeclared: !facts.absent.includes(ACTOR_LOAD_CONTENTS_KEY),
  });
  if (!verdict.ok) return verdict;
  const other = facts.trainers.find((t) => !VERIFIED_TRAINERS.some((file) => t.file === file || t.file.endsWith(`/${file}`)));
  if (other) {
    return { ok: false, reason: `this entry runs ${other.file}, whose actor load was not verified with load_contents=[] (the route is verified for main_ppo's trainers only)` };
  }
  return verdict;
}

const patchWorks = (facts: PreflightFacts) =>
  facts.trainers.length > 0 && facts.trainers.every((t) => t.guarded === true) && facts.values['trainer.load_critic_only'] === true;

/** The route the launch relies on, when one works; null when neither does. */
export function launchRoute(facts: PreflightFacts): Route | null {
  if (patchWorks(facts)) return 'patch';
  return hasActorOverride(facts) && overrideVerdict(facts).ok ? 'overrides' : null;
}

/**
 * Check 1 with both routes: `guard` is check 1's findings for the patch route (checkGuardAndFlag).
 * On the override route that works, its findings about the guard and the flag are moot and
 * dropped (the one about a run without a critic stays); where the override does not work, an
 * error says why. An unpatched trainer with no override, on a release that allows it, gets a note
 * naming the override. `guard` is returned as it is on resume_mode=auto (the run resuming itself).
 */
export function checkRoute(facts: PreflightFacts, guard: readonly Finding[], target: ResumeTarget): Finding[] {
  // resume_mode=auto is the run resuming itself (or starting from scratch): no warm start, no route
  // to take; an actor override kept there is check 7's (checkRouteOnResume).
  if (target.kind === 'auto') return [...guard];
  const override = hasActorOverride(facts);
  if (patchWorks(facts)) {
    return override
      ? [...guard, finding('note', 1, ACTOR_LOAD_CONTENTS_KEY, `the patched trainer already skips the actor (trainer.load_critic_only=true): ${ACTOR_OVERRIDE} is not needed; drop both on a later resume`)]
      : [...guard];
  }
  const verdict = overrideVerdict(facts);
  if (!override) {
    const unguarded = facts.trainers.some((t) => t.guarded === false);
    if (!unguarded || !verdict.ok) return [...guard];
    // Said in the guard's error itself: a failing launch prints no notes, and this is its other fix.
    const alternative = `; or, with no patch, ${WRITE_OVERRIDE_INSTEAD} (${verdict.why})`;
    return guard.map((f) => (f.level === 'error' && facts.trainers.some((t) => t.guarded === false && t.file === f.key) ? { ...f, message: f.message + alternative } : f));
  }
  if (!verdict.ok) {
    return [...guard, finding('error', 1, ACTOR_LOAD_CONTENTS_KEY, `${ACTOR_OVERRIDE} does not skip the actor here: ${verdict.reason}; use the patch route (verl-critic-patch apply, then trainer.load_critic_only=true)`)];
  }
  const moot = (f: Finding) => f.check === 1 && (f.key === 'trainer.load_critic_only' || facts.trainers.some((t) => t.file === f.key));
  return [
    ...guard.filter((f) => !moot(f)),
    finding('note', 1, ACTOR_LOAD_CONTENTS_KEY, `route: overrides, no change to VeRL's code: ${verdict.why}, so the trainer's unguarded actor load reads nothing (the log shows no line for the actor)`),
  ];
}

/**
 * Check 7 for the override route: a run folder with steps of its own, resumed with
 * resume_mode=auto while the actor override is still set, restores its own critic and step but
 * loads nothing of its own actor (the manager opens nothing with load_contents=[]).
 */
export function checkRouteOnResume(facts: PreflightFacts, target: ResumeTarget, plan: LaunchPlan): Finding[] {
  const run = facts.runFolder;
  if (!hasActorOverride(facts) || !run || run.insideStaged || run.holdsStagedFiles || run.steps.length === 0 || target.kind !== 'auto') return [];
  // With the flag set too, the launch is a warm start over the run's steps: checkRunFolder's check 7
  // says so once, the override among the keys to drop.
  if (plan.kind !== 'resume') return [];
  const latest = run.tracker ?? Math.max(...run.steps);
  return [
    finding(
      'error',
      7,
      ACTOR_LOAD_CONTENTS_KEY,
      `${run.path} already holds steps ${run.steps.join(', ')} (the latest ${latest}): with resume_mode=auto and ${ACTOR_OVERRIDE} still set, the run restores its own critic and step ${latest} ` +
        `but loads nothing of its own actor: a fresh actor at step ${latest}, silently; to continue this run, launch it without ${ACTOR_LOAD_CONTENTS_KEY}`,
    ),
  ];
}

/** The keys a later resume must drop, for checks 7 and 9: the actor override where the launch sets it. */
export function routeDropKeys(facts: PreflightFacts): string[] {
  return hasActorOverride(facts) ? [ACTOR_LOAD_CONTENTS_KEY] : [];
}
