/**
 * A run of a patch verb in users' words: one line per file for people, one JSON document for
 * machines. The status word depends on the verb and direction (a change is "needs-patch" for
 * check, "patched" for apply; nothing to do is "already-patched", or "not-patched" for revert)
 * but the shape is shared.
 */
import { ExitCode, exitCodeFor } from '../errors.js';
import { isWithin } from '../io/paths.js';
import type { PlannedFile, RunResult } from '../runResult.js';
import type { VerlCopy } from '../targets.js';
import { jsonError, problemLine, type FileProblem, type JsonError } from './printer.js';

export type Verb = 'diff' | 'apply' | 'check' | 'revert';

/** The word for a file that needed (or got) a change, per verb. */
const CHANGE_WORD: Record<Verb, string> = {
  diff: 'needs-patch',
  check: 'needs-patch',
  apply: 'patched',
  revert: 'reverted',
};

export function statusWord(verb: Verb, file: PlannedFile): string {
  switch (file.plan.status) {
    case 'change':
      return CHANGE_WORD[verb];
    case 'unchanged':
      return verb === 'revert' ? 'not-patched' : 'already-patched';
    case 'refused':
      return 'refused';
    case 'malformed':
    case 'unreadable':
      return 'error';
  }
}

/**
 * A patch verb's fields of its JSON document (the Printer puts them in the envelope). `error`: the
 * first target or problem at the run's exit code, the first error line a text run prints, unless
 * `extra` gives another.
 */
export function jsonReport(verb: Verb, result: RunResult, exitCode: ExitCode, extra: Record<string, unknown> = {}) {
  return {
    error: runError(result, exitCode),
    checkouts: copiesOf(result).map((c) => ({ path: c.root, package: c.packageDir, verlVersion: c.version ?? null, installed: c.installed })),
    applyRoots: [...new Set(result.scans.map((scan) => scan.applyRoot))],
    targets: result.files.map((file) => ({
      path: file.path,
      diffPath: file.diffPath,
      kind: file.kind,
      status: statusWord(verb, file),
      reason: 'reason' in file.plan ? file.plan.reason : null,
      line: lineOf(file) ?? null,
      verlVersion: file.copy?.version ?? null,
      actorLoads: 'actorLoads' in file.plan ? file.plan.actorLoads : [],
      changedLines: { added: file.change?.diff.addedLines ?? [], removed: file.change?.diff.removedLines ?? [] },
      ...(verb === 'diff' ? { diff: file.change?.diff.text ?? '' } : {}),
    })),
    skipped: result.skipped,
    problems: result.problems,
    ...extra,
  };
}

/** Why a run's planning gave `exitCode`: its first target or problem at that exit code; null for 0. */
function runError(result: RunResult, exitCode: ExitCode): JsonError | null {
  if (exitCode === ExitCode.Ok) return null;
  const file = result.files.find((f) => exitCodeFor(f.plan.status) === exitCode);
  if (file) {
    const problem = problemOf(file);
    return jsonError(exitCode, problemLine(problem), problem.path);
  }
  const problem = result.problems.find((p) => p.exitCode === exitCode);
  return problem ? jsonError(exitCode, problemLine(problem), problem.path) : null;
}

/** The VeRL copies the run's folders hold, once each (a file named alone lists none). */
export function copiesOf(result: RunResult): VerlCopy[] {
  return result.scans.filter((scan) => scan.scope !== 'file').flatMap((scan) => scan.copies);
}

/**
 * `VeRL 0.9.0 checkout at ./verl: 2 targets` lines, so reviewers see which release a diff is for,
 * then the targets outside any VeRL copy, and what a scan left alone and why.
 */
export function checkoutLines(result: RunResult): string[] {
  const count = (n: number) => `${n} target${n === 1 ? '' : 's'}`;
  const lines = copiesOf(result).map((copy) => {
    const release = copy.version ? `VeRL ${copy.version}` : 'VeRL (no verl/version/version file)';
    const where = copy.installed ? `installed at ${copy.packageDir}` : `checkout at ${copy.root}`;
    return `${release} ${where}: ${count(result.files.filter((f) => f.copy === copy).length)}`;
  });
  for (const scan of result.scans) {
    if (scan.scope === 'file') continue;
    const outside = result.files.filter((f) => !f.copy && isWithin(f.path, scan.arg)).length;
    if (outside > 0) lines.push(`outside VeRL, in ${scan.arg}: ${count(outside)}`);
  }
  // Beside a run that patches something, the trainers it left alone (configs that are not PPO's are
  // many and expected: the JSON lists them); a run that found nothing says so once, as its error.
  if (result.problems.length === 0) {
    for (const skipped of result.skipped) if (skipped.kind === 'trainer') lines.push(`left alone: ${skipped.path}: ${skipped.reason}`);
  }
  return lines;
}

/** What a change or a file with nothing to change is about: its actor loads, or the YAML edit. */
export function summaryOf(file: PlannedFile): string {
  return 'summary' in file.plan ? file.plan.summary : '';
}

/**
 * The problem to print for a file: its own reason (refused or broken) unless told another, at its
 * line, or else at its first unguarded actor load.
 */
export function problemOf(file: PlannedFile, reason = 'reason' in file.plan ? file.plan.reason : file.plan.status): FileProblem {
  const firstUnguarded = 'actorLoads' in file.plan ? file.plan.actorLoads.find((load) => !load.guarded)?.line : undefined;
  return { path: file.path, diffPath: file.diffPath, line: lineOf(file) ?? firstUnguarded, reason };
}

/** The line a refused or broken file is refused at, when the reason has one. */
function lineOf(file: PlannedFile): number | undefined {
  return 'line' in file.plan ? file.plan.line : undefined;
}
