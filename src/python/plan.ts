/**
 * The pure core for trainer files: source text in, a Plan (src/plan.ts) out. No I/O, no throws.
 *
 * Every plan is checked before it is returned: the patched text must parse without errors, must
 * read as fully guarded, and reverting it must give back the input byte for byte. A plan that
 * fails its own check is refused rather than written.
 */
import { applyEdits, type TextEdit } from '../edits.js';
import type { ActorLoad, Direction, Plan } from '../plan.js';
import { analyzeMethod, findCheckpointMethods, isOffloadCall, lineOf, readCall, type ActorLoadSite, type MethodAnalysis } from './analyze.js';
import { guardEdits, type GuardStyle } from './guard.js';
import { firstSyntaxError, parsePython, parsePythonEdited, type SyntaxNode } from './parser.js';
import { indentUnit, logFunction, preferredQuote } from './style.js';
import { flagGuards, unguardEdits } from './unguard.js';

export const NO_METHOD_REASON =
  'no _load_checkpoint method: this VeRL predates checkpoint resume (added in v0.2, Feb 2025), so there is no actor load to guard';

/**
 * A cheap text test, so that a scan of a folder parses only files that can hold a target: a scan
 * reports a file only when a worker group loads the actor's checkpoint (analyze.ts). VeRL names
 * its worker groups `*_wg` (`actor_rollout_wg`, `actor_update_wg`, a dict `actor_rollout_wgs[i]`),
 * so the text must hold such a name, then `.load_checkpoint`, with nothing but spaces, line
 * continuations or comments between. Worker modules that merely mention both words
 * (`def load_checkpoint`, `config.actor_rollout_ref`) are not parsed. EasyR1's renamed
 * `actor_rollout_ref_wg` passes too, so that a scan can say why such a trainer is left alone. A
 * group named otherwise is found when the file is named on the command line.
 *
 * `source` may be the file's bytes (a scan does not decode the many files that fail): the words
 * are ASCII, which UTF-8 spells byte for byte, and the pattern runs on the bytes read as latin1,
 * one character a byte.
 */
const ACTOR_LOAD_TEXT = /_wgs?(?:\[[^\]\n]*\])?(?:\s|\\|#[^\n]*\n)*\.(?:\s|\\|#[^\n]*\n)*load_checkpoint/;

export function mayHoldTarget(source: string | Buffer): boolean {
  return source.includes('load_checkpoint') && ACTOR_LOAD_TEXT.test(typeof source === 'string' ? source : source.toString('latin1'));
}

/**
 * Bases that say nothing about checkpoints: `class RayPPOTrainer(object)` in v0.1, `class
 * Role(Enum)` beside it. Any other base may hold `_load_checkpoint`, whatever it is called
 * (`PPOTrainerSync`, a project's `Base`).
 */
const PLAIN_BASES = new Set(['object', 'Enum', 'IntEnum', 'StrEnum', 'Flag', 'IntFlag', 'ABC', 'Exception', 'NamedTuple', 'TypedDict', 'Protocol', 'Generic', 'dict', 'list', 'str', 'int']);

/** The first base of a class that could give it `_load_checkpoint` (not a keyword like `metaclass=`). */
function inheritingBase(cls: SyntaxNode): SyntaxNode | undefined {
  const bases = cls.childForFieldName('superclasses')?.namedChildren ?? [];
  return bases.find((node) => node.type !== 'keyword_argument' && node.type !== 'comment' && !PLAIN_BASES.has(node.text.replace(/\[.*$/s, '').split('.').pop()!));
}

/**
 * A file without any checkpoint method: a class that inherits it (patch the file that defines
 * it), or a VeRL from before checkpoint resume. A trainer-looking class (its name says Trainer)
 * is named first when several classes have bases.
 */
function noCheckpointMethod(root: SyntaxNode): Plan {
  const classes = root.descendantsOfType('class_definition').flatMap((cls) => {
    const base = inheritingBase(cls);
    return base ? [{ cls, base, name: cls.childForFieldName('name')?.text ?? '?' }] : [];
  });
  const heir = classes.find((c) => /Trainer/.test(c.name)) ?? classes[0];
  if (heir) {
    return {
      status: 'refused',
      reason: `no _load_checkpoint method: ${heir.name} inherits \`_load_checkpoint\` from \`${heir.base.text}\`: patch the file that defines it`,
      line: lineOf(heir.cls),
      notATarget: true,
      code: 'subclass',
    };
  }
  return { status: 'refused', reason: NO_METHOD_REASON, notATarget: true, code: 'no-checkpoint-method' };
}

/** A plan that stops at a syntax error, or undefined when the tree has none. */
function syntaxProblem(root: SyntaxNode): Plan | undefined {
  const error = firstSyntaxError(root);
  if (!error) return undefined;
  return { status: 'malformed', reason: 'Python syntax error', line: lineOf(error) };
}

function summarize(sites: readonly ActorLoadSite[]): ActorLoad[] {
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

/**
 * The skipped branch offloads the load's group when the method offloads that group elsewhere
 * (VeRL 0.6.1's early returns): skipping the load must not leave that model un-offloaded.
 */
function styleFor(source: string, analysis: Extract<MethodAnalysis, { kind: 'loads' }>, site: ActorLoadSite): GuardStyle {
  const receiver = readCall(site.statement.namedChildren[0]!).receiver;
  const offloads = analysis.calls.some((call) => isOffloadCall(call) && call.receiver === receiver);
  return {
    unit: indentUnit(source, site.method.node),
    quote: preferredQuote(source, site.method.node),
    log: logFunction(analysis.calls),
    ...(offloads && { offload: receiver }),
  };
}

/**
 * patch: guard every unguarded real actor load of the file; revert: remove every guard this tool
 * wrote (a guard written by hand is refused: what it replaced is unknown).
 */
export function planTrainer(direction: Direction, source: string): Plan {
  const root = parsePython(source);
  return direction === 'patch' ? guardPlan(source, root) : unguardPlan(source, root, { verify: true });
}

/** `Class.method line N, ...`: the loads a plan is about, for reports. */
export function describeLoads(loads: readonly ActorLoad[]): string {
  return loads.map((load) => `${load.method} line ${load.line}`).join(', ');
}

const change = (edits: TextEdit[], actorLoads: ActorLoad[], after?: string): Plan => ({ status: 'change', edits, actorLoads, summary: describeLoads(actorLoads), ...(after !== undefined && { after }) });
const unchanged = (actorLoads: ActorLoad[]): Plan => ({ status: 'unchanged', actorLoads, summary: describeLoads(actorLoads) });

function guardPlan(source: string, root: SyntaxNode): Plan {
  const problem = syntaxProblem(root);
  if (problem) return problem;
  const { loads, refusals } = analyzeFile(root);
  if (loads.length === 0) {
    const refusal = refusals[0];
    if (!refusal) return noCheckpointMethod(root);
    const subclass = refusals.every((r) => r.parentLoads) ? { code: 'subclass' as const } : {};
    return { status: 'refused', reason: refusal.reason, line: refusal.line, notATarget: refusals.every((r) => r.noActorLoad), ...subclass };
  }
  const sites = uniqueSites(loads);
  const edits: TextEdit[] = [];
  for (const site of sites.filter((s) => !s.guarded)) {
    const analysis = loads.find((a) => a.sites.includes(site))!;
    const guarded = guardEdits(source, site.statement, styleFor(source, analysis, site));
    if ('unsupported' in guarded) {
      const line = lineOf(site.statement);
      return { status: 'refused', reason: `the actor load at line ${line} ${guarded.unsupported}`, line };
    }
    edits.push(...guarded.edits);
  }
  const actorLoads = summarize(sites);
  if (edits.length === 0) return unchanged(actorLoads);
  const patched = applyEdits(source, edits);
  const selfCheck = checkGuardPlan(source, edits, patched, revertedText(source, root));
  if (selfCheck) return { status: 'refused', reason: `internal check failed, nothing written: ${selfCheck}` };
  return change(edits, actorLoads, patched);
}

/**
 * Why a guard plan is wrong, or undefined when it is right: reverting the patched text must give
 * the input without any of our guards (`sourceReverted`). The patched text is parsed
 * incrementally from the tree of `source`, which is spent afterwards: callers must have read all
 * they need from it.
 */
function checkGuardPlan(source: string, edits: readonly TextEdit[], patched: string, sourceReverted: string): string | undefined {
  const patchedRoot = parsePythonEdited(source, edits, patched);
  const again = guardPlan(patched, patchedRoot);
  if (again.status !== 'unchanged') return `the patched text reads as ${again.status}${'reason' in again ? ` (${again.reason})` : ''}`;
  const back = unguardPlan(patched, patchedRoot, { verify: false });
  if (back.status !== 'change' || applyEdits(patched, back.edits) !== sourceReverted) return 'reverting the patched text does not give back the original';
  return undefined;
}

/**
 * `source` without the guards this tool wrote before (a file patched by a release that guarded
 * only some of its actor loads): what reverting the newly patched text must give.
 */
function revertedText(source: string, root: SyntaxNode): string {
  const { ours } = flagGuards(root);
  return ours.length === 0 ? source : applyEdits(source, ours.flatMap((guard) => unguardEdits(source, guard)));
}

function unguardPlan(source: string, root: SyntaxNode, options: { verify: boolean }): Plan {
  const problem = syntaxProblem(root);
  if (problem) return problem;
  const { ours, foreign } = flagGuards(root);
  const foreignGuard = foreign[0];
  if (ours.length === 0) {
    if (foreignGuard) {
      const line = lineOf(foreignGuard);
      return { status: 'refused', reason: `the load_critic_only guard at line ${line} was not written by verl-critic-patch; remove it by hand`, line };
    }
    // Nothing of ours to remove: say what the file holds, or why it is no target at all.
    const plan = guardPlan(source, root);
    if (plan.status === 'refused' || plan.status === 'malformed') return plan;
    return unchanged(plan.actorLoads);
  }
  const edits = ours.flatMap((guard) => unguardEdits(source, guard));
  const sites = ours.map((guard) => ({ method: enclosingMethodName(guard.ifStatement), line: lineOf(guard.statement), guarded: true }));
  if (!options.verify) return change(edits, sites);
  const reverted = applyEdits(source, edits);
  const error = firstSyntaxError(parsePythonEdited(source, edits, reverted));
  if (error) return { status: 'refused', reason: `internal check failed, nothing written: the reverted text does not parse (line ${lineOf(error)})` };
  return change(edits, sites, reverted);
}

function enclosingMethodName(node: SyntaxNode): string {
  let fn: SyntaxNode | null = node.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  let cls: SyntaxNode | null = fn?.parent ?? null;
  while (cls && cls.type !== 'class_definition') cls = cls.parent;
  return `${cls?.childForFieldName('name')?.text ?? '?'}.${fn?.childForFieldName('name')?.text ?? '?'}`;
}
