/**
 * The pure core for trainer files: source text in, a verdict and text edits out. No I/O.
 *
 * Every plan is checked before it is returned: the patched text must parse without errors, must
 * read as fully guarded, and reverting it must give back the input byte for byte. A plan that
 * fails its own check is refused rather than written.
 */
import { applyEdits, type TextEdit } from '../edits.js';
import { analyzeMethod, findCheckpointMethods, isOffloadCall, callsIn, lineOf, type ActorLoadSite, type MethodAnalysis } from './analyze.js';
import { guardEdits, UnsupportedShape, type GuardStyle } from './guard.js';
import { firstSyntaxError, parsePython, parsePythonEdited, type SyntaxNode } from './parser.js';
import { indentUnit, logFunction, preferredQuote } from './style.js';
import { flagGuards, unguardEdits } from './unguard.js';

export type PythonPlan =
  | { status: 'patch'; edits: TextEdit[]; sites: SiteSummary[] }
  | { status: 'already-patched'; sites: SiteSummary[] }
  /** noActorLoad: the file holds nothing to guard, so a checkout scan does not count it as a target. */
  | { status: 'refused'; reason: string; line?: number; noActorLoad?: boolean }
  | { status: 'malformed'; reason: string; line?: number };

export interface SiteSummary {
  method: string; // Class.method holding the load
  line: number; // 1-based line of the actor load in the input
  guarded: boolean;
}

export const NO_METHOD_REASON =
  'no _load_checkpoint method: this VeRL predates checkpoint resume (added in v0.2, Feb 2025), so there is no actor load to guard';

/**
 * A cheap text test, so that a scan of a checkout parses only files that can hold a target: a
 * scan reports a file only when it holds a `self.actor_rollout_wg.load_checkpoint(...)` call
 * (analyze.ts), so the text must hold `actor_rollout_wg`, then `.load_checkpoint`, with nothing
 * but spaces, line continuations or comments between. Worker modules that merely mention both
 * words (`def load_checkpoint`, `config.actor_rollout_ref`) are not parsed.
 */
const ACTOR_LOAD_TEXT = /actor_rollout_wg(?:\s|\\|#[^\n]*\n)*\.(?:\s|\\|#[^\n]*\n)*load_checkpoint/;

export function mayHoldTarget(source: string): boolean {
  return source.includes('load_checkpoint') && ACTOR_LOAD_TEXT.test(source);
}

/** A plan that stops at a syntax error, or undefined when the tree has none. */
function syntaxProblem(root: SyntaxNode): PythonPlan | undefined {
  const error = firstSyntaxError(root);
  if (!error) return undefined;
  return { status: 'malformed', reason: 'Python syntax error', line: lineOf(error) };
}

function summarize(sites: readonly ActorLoadSite[]): SiteSummary[] {
  return sites.map((site) => ({
    method: `${site.method.className}.${site.method.name}`,
    line: lineOf(site.statement),
    guarded: site.guarded,
  }));
}

function analyzeFile(root: SyntaxNode): { loads: Extract<MethodAnalysis, { kind: 'loads' }>[]; refusals: Extract<MethodAnalysis, { kind: 'refused' }>[] } {
  const analyses = findCheckpointMethods(root).map(analyzeMethod);
  return {
    loads: analyses.filter((a): a is Extract<MethodAnalysis, { kind: 'loads' }> => a.kind === 'loads'),
    refusals: analyses.filter((a): a is Extract<MethodAnalysis, { kind: 'refused' }> => a.kind === 'refused'),
  };
}

/** Loads reached from several entry points (a shared helper) are guarded once. */
function uniqueSites(loads: readonly Extract<MethodAnalysis, { kind: 'loads' }>[]): ActorLoadSite[] {
  const seen = new Set<number>();
  return loads.flatMap((a) => a.sites).filter((site) => !seen.has(site.statement.startIndex) && seen.add(site.statement.startIndex));
}

function styleFor(source: string, analysis: Extract<MethodAnalysis, { kind: 'loads' }>, site: ActorLoadSite): GuardStyle {
  const familyNodes = analysis.family.map((m) => m.node);
  return {
    unit: indentUnit(source, site.method.node),
    quote: preferredQuote(site.method.node),
    log: logFunction(familyNodes),
    offloadWhenSkipped: familyNodes.some((fn) => callsIn(fn).some(isOffloadCall)),
  };
}

/** Plan the guard for every unguarded real actor load in the file. */
export function planGuard(source: string): PythonPlan {
  return guardPlan(source, parsePython(source));
}

function guardPlan(source: string, root: SyntaxNode): PythonPlan {
  const problem = syntaxProblem(root);
  if (problem) return problem;
  const { loads, refusals } = analyzeFile(root);
  if (loads.length === 0) {
    const refusal = refusals[0];
    if (!refusal) return { status: 'refused', reason: NO_METHOD_REASON, noActorLoad: true };
    return { status: 'refused', reason: refusal.reason, line: refusal.line, noActorLoad: refusals.every((r) => r.noActorLoad) };
  }
  const sites = uniqueSites(loads);
  const edits: TextEdit[] = [];
  for (const site of sites.filter((s) => !s.guarded)) {
    const analysis = loads.find((a) => a.sites.includes(site))!;
    try {
      edits.push(...guardEdits(source, site.statement, styleFor(source, analysis, site)));
    } catch (error) {
      if (!(error instanceof UnsupportedShape)) throw error;
      const line = lineOf(site.statement);
      return { status: 'refused', reason: `the actor load at line ${line} ${error.message}`, line };
    }
  }
  const summary = summarize(sites);
  if (edits.length === 0) return { status: 'already-patched', sites: summary };
  const selfCheck = checkGuardPlan(source, edits);
  if (selfCheck) return { status: 'refused', reason: `internal check failed, nothing written: ${selfCheck}` };
  return { status: 'patch', edits, sites: summary };
}

/**
 * Why a guard plan is wrong, or undefined when it is right. The patched text is parsed
 * incrementally from the tree of `source`, which is spent afterwards: callers must have read all
 * they need from it.
 */
function checkGuardPlan(source: string, edits: readonly TextEdit[]): string | undefined {
  const patched = applyEdits(source, edits);
  const patchedRoot = parsePythonEdited(source, edits, patched);
  const again = guardPlan(patched, patchedRoot);
  if (again.status !== 'already-patched') return `the patched text reads as ${again.status}${'reason' in again ? ` (${again.reason})` : ''}`;
  const back = unguardPlan(patched, patchedRoot, { verify: false });
  if (back.status !== 'patch' || applyEdits(patched, back.edits) !== source) return 'reverting the patched text does not give back the original';
  return undefined;
}

/** Plan removing every guard this tool wrote. Hand-written guards are refused. */
export function planUnguard(source: string): PythonPlan {
  return unguardPlan(source, parsePython(source), { verify: true });
}

function unguardPlan(source: string, root: SyntaxNode, options: { verify: boolean }): PythonPlan {
  const problem = syntaxProblem(root);
  if (problem) return problem;
  const { ours, foreign } = flagGuards(root);
  const foreignGuard = foreign[0];
  if (ours.length === 0) {
    if (foreignGuard) {
      const line = lineOf(foreignGuard);
      return { status: 'refused', reason: `the load_critic_only guard at line ${line} was not written by verl-critic-patch; remove it by hand`, line };
    }
    const plan = guardPlan(source, root);
    if (plan.status === 'refused' || plan.status === 'malformed') return plan;
    return { status: 'already-patched', sites: plan.sites };
  }
  const edits = ours.flatMap((guard) => unguardEdits(source, guard));
  const sites = ours.map((guard) => ({ method: enclosingMethodName(guard.ifStatement), line: lineOf(guard.statement), guarded: true }));
  if (options.verify) {
    const reverted = applyEdits(source, edits);
    const error = firstSyntaxError(parsePythonEdited(source, edits, reverted));
    if (error) return { status: 'refused', reason: `internal check failed, nothing written: the reverted text does not parse (line ${lineOf(error)})` };
  }
  return { status: 'patch', edits, sites };
}

function enclosingMethodName(node: SyntaxNode): string {
  let fn: SyntaxNode | null = node.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  let cls: SyntaxNode | null = fn?.parent ?? null;
  while (cls && cls.type !== 'class_definition') cls = cls.parent;
  return `${cls?.childForFieldName('name')?.text ?? '?'}.${fn?.childForFieldName('name')?.text ?? '?'}`;
}
