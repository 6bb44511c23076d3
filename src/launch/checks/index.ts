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
import { checkGuardAndFlag, checkResume, restartNote, resumeTarget } from './resume.js';
import { checkRunFolder } from './runFolder.js';
import { checkRoute, checkRouteOnResume, launchRoute, routeDropKeys } from './route.js';

export interface Verdict {
  ok: boolean;
  /** The step folder the critic is loaded from, when the launch names one. */
  folder: string | null;
  /** Files below critic/ the loader opens (null: not known). */
  criticFiles: number | null;
  /** The kinds it opens. */
  loads: string[] | null;
  /** How the launch skips the actor (src/checkpoint/route.ts); null: neither route works. */
  route: 'patch' | 'overrides' | null;
  errors: number;
  warnings: number;
}

export function runChecks(facts: PreflightFacts, strict = false): { findings: Finding[]; verdict: Verdict } {
  const target = resumeTarget(facts.release, facts.values);
  const { findings: loadable, load } = checkLoadable(facts);
  // A partial load_contents kept on a resume would drop the run's own critic optimizer state.
  const dropKeys = [...(load?.key === 'critic.checkpoint.load_contents' && load.kinds.length < SHARD_KINDS.length ? [load.key] : []), ...routeDropKeys(facts)];
  const findings = [
    ...checkRoute(facts, checkGuardAndFlag(facts), target),
    ...checkResume(facts, target),
    ...loadable,
    ...checkParallel(facts, load),
    ...checkCriticModel(facts),
    ...checkTokenizer(facts),
    ...checkRunFolder(facts, target, dropKeys),
    ...checkRouteOnResume(facts, target),
    ...checkCarry(facts, load),
    restartNote(facts, dropKeys),
  ];
  const errors = findings.filter((f) => f.level === 'error').length;
  const warnings = findings.filter((f) => f.level === 'warning').length;
  return {
    findings,
    verdict: {
      ok: errors === 0 && (!strict || warnings === 0),
      folder: facts.staged?.folder ?? null,
      criticFiles: load?.files ?? null,
      loads: load?.kinds ?? null,
      route: target.kind === 'auto' ? null : launchRoute(facts),
      errors,
      warnings,
    },
  };
}
