/**
 * One run of a patch verb over its targets: read every file, plan every change, and only then
 * (for apply and revert) write, all or nothing. Verbs differ only in direction and in what they
 * do with the planned result, so they share this engine.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { applyEdits, type TextEdit } from './edits.js';
import { badInput, cannotPatch, ExitCode, ToolError, worstExitCode } from './errors.js';
import { diffPathFor, toPosix } from './io/paths.js';
import { readSource, type SourceFile } from './io/readSource.js';
import { pythonSyntaxError } from './io/pythonSyntax.js';
import { checkWritable, replaceFileAtomically } from './io/atomicWrite.js';
import { compilePythonFiles, compilesAsPython, type Verification } from './io/verifyPython.js';
import { unifiedDiff, type FileDiff } from './diffText.js';
import { mayHoldTarget, NO_METHOD_REASON, planGuard, planUnguard, type PythonPlan, type SiteSummary } from './python/plan.js';
import type { YamlPlan } from './config/trainerYaml.js';
import { classifyArgument, matchesOnly, orderTrainerFiles, pythonFilesUnder, trainerConfigFiles, type Checkout, type Target } from './targets.js';

export type Direction = 'patch' | 'revert';

export type FileStatus = 'change' | 'already-patched' | 'not-patched' | 'refused' | 'error';

export interface FileOutcome {
  path: string; // as the user would type it: relative to the current directory where possible
  diffPath: string; // relative to the git root, as in the diff headers
  kind: Target['kind'];
  status: FileStatus;
  reason?: string;
  line?: number;
  sites?: SiteSummary[];
  summary?: string; // for config files: what the edit does
  /** Refused because it holds nothing of ours (no actor load, no trainer section): a scan skips it. */
  notATarget?: boolean;
  source?: SourceFile;
  after?: string;
  diff?: FileDiff;
  checkout?: Checkout;
}

export interface RunOptions {
  direction: Direction;
  only?: string;
}

export interface RunResult {
  checkouts: Checkout[];
  files: FileOutcome[];
  /** Problems that are not one file's: a checkout with no target at all. */
  problems: { path: string; reason: string; exitCode: ExitCode }[];
}

const PRIMARY_TRAINER = /(^|\/)verl\/trainer\/ppo\/ray_trainer\.py$/;

/** The YAML half of the planner (config/trainerYaml.ts, with the `yaml` package). */
type ConfigPlanner = typeof import('./config/trainerYaml.js');

export async function planRun(args: readonly string[], options: RunOptions): Promise<RunResult> {
  const result: RunResult = { checkouts: [], files: [], problems: [] };
  const seen = new Set<string>();
  const classified = args.map((arg) => ({ arg, ...classifyArgument(arg) }));
  // Loaded only when a YAML can be a target (a checkout, or a .yaml named on the command line):
  // the `yaml` package is most of the CLI's code, and a run on one trainer file never needs it.
  const needsConfig = classified.some((c) => !('file' in c) || isYaml(c.arg));
  const config: ConfigPlanner | undefined = needsConfig ? await import('./config/trainerYaml.js') : undefined;
  for (const { arg, ...kind } of classified) {
    if ('file' in kind) {
      addOutcome(result, seen, planFile({ path: arg, kind: isYaml(arg) ? 'config' : 'trainer', explicit: true }, options, config));
      continue;
    }
    const { checkout } = kind;
    result.checkouts.push(checkout);
    const before = result.files.length;
    for (const target of [...checkoutTargets(checkout, options), ...configTargets(checkout, options)]) {
      const outcome = planFile(target, options, config);
      // Scanned files that are not trainers of ours are simply not targets; the main trainer is.
      if (outcome.notATarget && !target.explicit) continue;
      addOutcome(result, seen, outcome);
    }
    if (!result.files.slice(before).some((f) => f.kind === 'trainer')) {
      const reason = options.only
        ? `no trainer matching --only ${options.only} loads an actor checkpoint`
        : `no trainer under this checkout has a _load_checkpoint that loads an actor (${NO_METHOD_REASON.split(': ')[1]})`;
      result.problems.push({ path: arg, reason, exitCode: ExitCode.CannotPatch });
    }
  }
  return result;
}

function addOutcome(result: RunResult, seen: Set<string>, outcome: FileOutcome): void {
  const key = resolve(outcome.path);
  if (seen.has(key)) return;
  seen.add(key);
  result.files.push(outcome);
}

function checkoutTargets(checkout: Checkout, options: RunOptions): Target[] {
  const candidates = pythonFilesUnder(checkout.root).filter((file) => matchesOnly(checkout, file, options.only));
  return orderTrainerFiles(checkout, candidates).flatMap((file): Target[] => {
    const primary = PRIMARY_TRAINER.test(toPosix(file));
    if (!primary && !cheapTextTest(file)) return [];
    return [{ path: displayPath(file), kind: 'trainer', explicit: primary, checkout }];
  });
}

const isYaml = (path: string) => /\.ya?ml$/i.test(path);

/**
 * The trainer YAMLs that must declare the key for `trainer.load_critic_only=true` to pass Hydra's
 * struct mode. The main config must have a trainer section; other YAMLs without one are skipped.
 */
function configTargets(checkout: Checkout, options: RunOptions): Target[] {
  return trainerConfigFiles(checkout)
    .filter((file) => matchesOnly(checkout, file, options.only))
    .map((file) => ({ path: displayPath(file), kind: 'config', explicit: /(^|\/)ppo_trainer\.yaml$/.test(toPosix(file)), checkout }));
}

/** Read a few bytes of text without parsing: most files of a checkout stop here. */
function cheapTextTest(file: string): boolean {
  try {
    return mayHoldTarget(readFileSync(file, 'latin1'));
  } catch {
    return true; // let the real read report the problem
  }
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel || file;
}

export function planFile(target: Target, options: RunOptions, config: ConfigPlanner | undefined): FileOutcome {
  const base: FileOutcome = { path: target.path, diffPath: diffPathFor(target.path), kind: target.kind, status: 'error', checkout: target.checkout };
  let source: SourceFile;
  try {
    source = readSource(target.path);
  } catch (error) {
    if (error instanceof ToolError) return { ...base, status: 'error', reason: error.reason };
    throw error;
  }
  if (target.kind === 'config') return { ...base, source, ...configOutcome(config!, target, source, base.diffPath, options.direction) };
  const plan = options.direction === 'patch' ? planGuard(source.text) : planUnguard(source.text);
  return { ...base, source, ...outcomeOfPlan(plan, source, base.diffPath, options.direction) };
}

/** A planned change of either kind of file: the new text and its diff. */
function changeOutcome(source: SourceFile, edits: readonly TextEdit[], diffPath: string): Partial<FileOutcome> {
  const after = applyEdits(source.text, edits);
  return { status: 'change', after, diff: unifiedDiff(diffPath, source.text, after) };
}

function configOutcome(config: ConfigPlanner, target: Target, source: SourceFile, diffPath: string, direction: Direction): Partial<FileOutcome> {
  let plan: YamlPlan;
  try {
    plan = direction === 'patch' ? config.planAddLoadCriticOnly(source.text, target.path) : config.planRemoveLoadCriticOnly(source.text, target.path);
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    return { status: error.exitCode === ExitCode.CannotPatch ? 'refused' : 'error', reason: error.reason };
  }
  switch (plan.status) {
    case 'patch':
      return { ...changeOutcome(source, plan.edits, diffPath), summary: plan.summary };
    case 'already-patched':
      return { status: direction === 'patch' ? 'already-patched' : 'not-patched', summary: plan.reason };
    case 'not-a-trainer-config':
      return { status: 'refused', reason: `cannot declare trainer.load_critic_only: ${plan.reason}`, notATarget: true };
  }
}

function outcomeOfPlan(plan: PythonPlan, source: SourceFile, diffPath: string, direction: Direction): Partial<FileOutcome> {
  switch (plan.status) {
    case 'patch':
      return { ...changeOutcome(source, plan.edits, diffPath), sites: plan.sites };
    case 'already-patched':
      return { status: direction === 'patch' ? 'already-patched' : 'not-patched', sites: plan.sites };
    case 'refused':
      return { status: 'refused', reason: plan.reason, line: plan.line, notATarget: plan.noActorLoad === true };
    case 'malformed': {
      const exact = pythonSyntaxError(source.text);
      if (exact) return { status: 'error', reason: `Python syntax error: ${exact.message}`, line: exact.line };
      return { status: 'error', reason: plan.reason, line: plan.line };
    }
  }
}

export function exitCodeOf(result: RunResult): ExitCode {
  return worstExitCode([
    ...result.problems.map((p) => p.exitCode),
    ...result.files.map((f) => (f.status === 'error' ? ExitCode.BadInput : f.status === 'refused' ? ExitCode.CannotPatch : ExitCode.Ok)),
  ]);
}

/**
 * Write every planned change, or none: a run with any refused or broken file writes nothing,
 * every target is checked (writable, unchanged since the read) before the first is written, and
 * a write that fails midway puts back the files already written. With `verify`, every Python
 * file written is then compiled with python3 (src/io/verifyPython.ts) and the whole run is
 * rolled back when one does not compile. Returns what the verification found (undefined when
 * not asked for).
 */
export function writeAll(result: RunResult, options: { verify?: boolean } = {}): Verification | undefined {
  const changes = result.files.filter((f) => f.status === 'change' && f.source && f.after !== undefined);
  for (const file of changes) {
    checkWritable(file.path);
    if (!readOrNothing(file.path).equals(file.source!.bytes)) {
      throw badInput(file.path, 'changed on disk while this run was working on it (an editor or git?); nothing written, run again');
    }
  }
  const written: FileOutcome[] = [];
  try {
    for (const file of changes) {
      replaceFileAtomically(file.path, file.source!.bytes, Buffer.from(file.after!, 'utf8'));
      written.push(file);
    }
  } catch (error) {
    throw rollBack(written, error);
  }
  if (!options.verify) return undefined;
  const python = written.filter((f) => f.kind === 'trainer');
  const verification = compilePythonFiles(python.map((f) => f.path));
  if (verification.status === 'failed') throw rollBack(written, compileError(python, verification));
  return verification;
}

function readOrNothing(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.alloc(0); // gone or unreadable since the read: it changed, as far as we know
  }
}

/** A failed write after which rollback could not put back every file (`unrestored`). */
export class WriteFailure extends ToolError {
  constructor(
    cause: ToolError,
    readonly unrestored: readonly string[],
  ) {
    super(cause.exitCode, cause.file, `${cause.reason}; rolling back failed for ${unrestored.join(', ')}`);
  }
}

/** Put back the files already written, newest first; the error to throw names what could not be. */
function rollBack(written: readonly FileOutcome[], error: unknown): unknown {
  const unrestored: string[] = [];
  for (const file of [...written].reverse()) {
    try {
      replaceFileAtomically(file.path, Buffer.from(file.after!, 'utf8'), file.source!.bytes);
    } catch (failure) {
      const why = failure instanceof ToolError ? failure.reason : String(failure);
      unrestored.push(`${file.path} (${why}; it may hold the patched version)`);
    }
  }
  if (unrestored.length === 0 || !(error instanceof ToolError)) return error;
  return new WriteFailure(error, unrestored);
}

/** The first file python3 cannot compile, told apart from an input it cannot compile either. */
function compileError(python: readonly FileOutcome[], verification: Extract<Verification, { status: 'failed' }>): ToolError {
  const failure = verification.failures[0]!;
  const file = python.find((f) => f.path === failure.path);
  const where = `${failure.line ? `line ${failure.line}: ` : ''}${failure.message}`;
  if (file && compilesAsPython(file.source!.bytes) === false) {
    return badInput(
      failure.path,
      `python3 ${verification.python} cannot compile this file even without the patch (${where}); if VeRL runs on another Python, --no-verify skips this check`,
    );
  }
  return cannotPatch(failure.path, `internal check failed: python3 ${verification.python} cannot compile the patched file (${where}), so the run was rolled back`);
}
