/**
 * One run of a patch verb up to the point of writing: resolve the command line into target files
 * (src/targets.ts), read each (io/readSource.ts), and plan each with the pure core (src/plan.ts).
 * Nothing is written here: apply and revert hand the changes to io/commit.ts.
 */
import { resolve } from 'node:path';
import { applyEdits } from './edits.js';
import { exitCodeFor, ExitCode, ToolError, worstExitCode } from './errors.js';
import { diffPathFor } from './io/paths.js';
import { pythonSyntaxError } from './io/python3.js';
import { readSource, type SourceFile } from './io/readSource.js';
import { unifiedDiff, type FileDiff } from './diffText.js';
import { planText, type Direction, type Plan, type TargetKind } from './plan.js';
import { NO_METHOD_REASON } from './python/plan.js';
import { resolveArgument, type Checkout, type Target } from './targets.js';

/** A file that could not be read as text (missing, unreadable, binary, not UTF-8). */
export interface Unreadable {
  status: 'unreadable';
  reason: string;
  line?: undefined;
}

export interface PlannedFile {
  path: string; // as the user would type it: relative to the current directory where possible
  diffPath: string; // relative to the git root, as in the diff headers
  kind: TargetKind;
  checkout: Checkout | undefined;
  plan: Plan | Unreadable;
  /** The bytes read, when the file could be read. */
  source: SourceFile | undefined;
  /** The new text and its diff, when the plan is a change. */
  change: { after: string; readonly diff: FileDiff } | undefined;
}

export interface RunResult {
  checkouts: Checkout[];
  files: PlannedFile[];
  /** Problems that are not one file's: a checkout with no trainer to patch (exit 1). */
  problems: { path: string; reason: string }[];
}

export interface RunOptions {
  direction: Direction;
  only?: string;
}

export function planRun(args: readonly string[], options: RunOptions): RunResult {
  const result: RunResult = { checkouts: [], files: [], problems: [] };
  const seen = new Set<string>();
  const add = (file: PlannedFile) => {
    const key = resolve(file.path);
    if (seen.has(key)) return;
    seen.add(key);
    result.files.push(file);
  };
  // Every argument is resolved before any file is planned, so a bad one fails the run at once.
  for (const { arg, resolved } of args.map((arg) => ({ arg, resolved: resolveArgument(arg, options.only) }))) {
    if (resolved.kind === 'file') {
      add(planFile(resolved.target, options.direction));
      continue;
    }
    result.checkouts.push(resolved.checkout);
    const before = result.files.length;
    for (const target of resolved.targets) {
      const file = planFile(target, options.direction);
      // Scanned files that are not trainers of ours are simply not targets; the main trainer is.
      if (file.plan.status === 'refused' && file.plan.notATarget && !target.explicit) continue;
      add(file);
    }
    if (!result.files.slice(before).some((f) => f.kind === 'trainer')) {
      const reason = options.only
        ? `no trainer matching --only ${options.only} loads an actor checkpoint`
        : `no trainer under this checkout has a _load_checkpoint that loads an actor (${NO_METHOD_REASON.split(': ')[1]})`;
      result.problems.push({ path: arg, reason });
    }
  }
  return result;
}

function planFile(target: Target, direction: Direction): PlannedFile {
  const base = { path: target.path, diffPath: diffPathFor(target.path), kind: target.kind, checkout: target.checkout };
  let source: SourceFile;
  try {
    source = readSource(target.path);
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    return { ...base, plan: { status: 'unreadable', reason: error.reason }, source: undefined, change: undefined };
  }
  let plan = planText(target.kind, direction, source.text, target.path);
  if (plan.status === 'malformed' && target.kind === 'trainer') plan = locateWithCPython(plan, source.text);
  if (plan.status !== 'change') return { ...base, plan, source, change: undefined };
  return { ...base, plan, source, change: changeOf(base.diffPath, source.text, applyEdits(source.text, plan.edits)) };
}

/** The new text, and its diff made when first read: `check` prints none, so it never makes one. */
function changeOf(diffPath: string, before: string, after: string): PlannedFile['change'] {
  let diff: FileDiff | undefined;
  return {
    after,
    get diff() {
      return (diff ??= unifiedDiff(diffPath, before, after));
    },
  };
}

/**
 * tree-sitter decides that a trainer is malformed, but its error recovery often blames a whole
 * class; where python3 is on PATH, its compiler names the line and message users know.
 */
function locateWithCPython(plan: Extract<Plan, { status: 'malformed' }>, text: string): Plan {
  const exact = pythonSyntaxError(text);
  return exact ? { status: 'malformed', reason: `Python syntax error: ${exact.message}`, line: exact.line } : plan;
}

export function exitCodeOf(result: RunResult): ExitCode {
  return worstExitCode([...result.problems.map(() => ExitCode.Refused), ...result.files.map((f) => exitCodeFor(f.plan.status))]);
}
