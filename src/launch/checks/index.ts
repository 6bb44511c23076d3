/**
 * All of preflight's checks over one set of facts, in the order, and the verdict: the
 * launch will skip the actor and load the critic (no error; with --strict, no warning either).
 * Pure.
 */
import { SHARD_KINDS } from '../../checkpoint/layout.js';
import type { Finding, PreflightFacts } from '../facts.js';
import { checkCarry } from './carry.js';
import { checkLoadable, checkParallel } from './critic.js';
import { checkCriticModel, checkTokenizer } from './models.js';
import { checkGuardAndFlag, checkOwnResume, checkResume, launchPlan, restartNote, resumeTarget } from './resume.js';
import { checkRunFolder } from './runFolder.js';
import { checkRoute, checkRouteOnResume, launchRoute, routeDropKeys } from './route.js';

export interface Verdict {
  ok: boolean;
  /** The step folder the critic is loaded from, when the launch names one (a warm start). */
  folder: string | null;
  /** Files below critic/ the loader opens (null: not known). */
  criticFiles: number | null;
  /** The kinds it opens. */
  loads: string[] | null;
  /** A later launch that resumes the run's own steps: the step and its folder (null: a warm start). */
  resumes: { step: number | null; folder: string | null } | null;
  /** How the launch skips the actor (src/checkpoint/route.ts); null: neither route works, or a resume. */
  route: 'patch' | 'overrides' | null;
  errors: number;
  warnings: number;
}

export function runChecks(facts: PreflightFacts, strict = false): { findings: Finding[]; verdict: Verdict } {
  const target = resumeTarget(facts.release, facts.values);
  const plan = launchPlan(facts, target);
  const warmStart = plan.kind === 'warm-start';
  const { findings: loadable, load } = warmStart ? checkLoadable(facts) : { findings: [], load: null };
  // A partial load_contents kept on a resume would drop the run's own critic optimizer state.
  const dropKeys = [...(load?.key === 'critic.checkpoint.load_contents' && load.kinds.length < SHARD_KINDS.length ? [load.key] : []), ...routeDropKeys(facts)];
  const guard = checkGuardAndFlag(facts, plan);
  const checked = [
    // The route matters only to a warm start: a resume of the run's own steps loads its own actor.
    ...(warmStart ? checkRoute(facts, guard, target) : guard),
    ...checkResume(facts, target, plan),
    ...loadable,
    ...(warmStart ? [...checkParallel(facts, load), ...checkCriticModel(facts), ...checkTokenizer(facts)] : []),
    ...checkRunFolder(facts, target, dropKeys, plan),
    ...checkRouteOnResume(facts, target, plan),
    ...(warmStart ? checkCarry(facts, load) : checkOwnResume(facts, plan)),
  ];
  const errors = checked.filter((f) => f.level === 'error').length;
  const warnings = checked.filter((f) => f.level === 'warning').length;
  const ok = errors === 0 && (!strict || warnings === 0);
  // Notes only where they change what the user does: none on a launch that fails (its errors are
  // what to act on); the restart advice once, on a warm start that will run.
  const findings = ok ? [...checked, ...(warmStart ? [restartNote(facts, dropKeys)] : [])] : checked.filter((f) => f.level !== 'note');
  return {
    findings,
    verdict: {
      ok,
      folder: warmStart ? (facts.staged?.folder ?? null) : null,
      criticFiles: load?.files ?? null,
      loads: load?.kinds ?? null,
      resumes: plan.kind === 'resume' ? { step: plan.step, folder: plan.folder } : null,
      route: warmStart && target.kind !== 'auto' ? launchRoute(facts) : null,
      errors,
      warnings,
    },
  };
}
