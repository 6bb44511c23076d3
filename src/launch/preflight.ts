/**
 * The preflight verb: a launch's facts gathered (gather.ts, the edge) and checked (checks/, pure),
 * or the one refusal that stopped the gathering, with the verdict either way. The command prints it.
 */
import { runChecks, type Verdict } from './checks/index.js';
import type { Finding } from './facts.js';
import { gather, type Gathered } from './gather.js';
import type { SiteOptions } from './entry.js';

export interface Preflight {
  gathered: Gathered;
  findings: Finding[];
  verdict: Verdict;
}

export async function preflight(launch: readonly string[], site: SiteOptions, strict: boolean): Promise<Preflight> {
  const gathered = await gather(launch, site);
  const { findings, verdict } = gathered.facts ? runChecks(gathered.facts, strict) : refused(gathered.refusal!);
  return { gathered, findings, verdict };
}

/** A launch refused before any check ran (its config does not compose, say): one error, nothing known. */
function refused(refusal: Finding): { findings: Finding[]; verdict: Verdict } {
  return { findings: [refusal], verdict: { ok: false, folder: null, criticFiles: null, loads: null, resumes: null, route: null, errors: 1, warnings: 0 } };
}
