/**
 * A run of a patch verb in users' words: one line per file for people, one JSON document for
 * machines. The status word depends on the verb and direction (a change is "needs-patch" for
 * check, "patched" for apply; nothing to do is "already-patched", or "not-patched" for revert)
 * but the shape is shared.
 */
import { ExitCode } from '../errors.js';
import type { PlannedFile, RunResult } from '../run.js';
import { TOOL_VERSION } from '../version.js';
import type { FileProblem } from './printer.js';

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

export function jsonReport(verb: Verb, result: RunResult, exitCode: ExitCode, extra: Record<string, unknown> = {}) {
  return {
    tool: 'verl-critic-patch',
    version: TOOL_VERSION,
    command: verb,
    exitCode,
    checkouts: result.checkouts.map((c) => ({ path: c.root, verlVersion: c.version ?? null })),
    targets: result.files.map((file) => ({
      path: file.path,
      diffPath: file.diffPath,
      kind: file.kind,
      status: statusWord(verb, file),
      reason: 'reason' in file.plan ? file.plan.reason : null,
      line: lineOf(file) ?? null,
      verlVersion: file.checkout?.version ?? null,
      actorLoads: 'actorLoads' in file.plan ? file.plan.actorLoads : [],
      changedLines: { added: file.change?.diff.addedLines ?? [], removed: file.change?.diff.removedLines ?? [] },
      ...(verb === 'diff' ? { diff: file.change?.diff.text ?? '' } : {}),
    })),
    problems: result.problems.map((p) => ({ ...p, exitCode: ExitCode.Refused })),
    ...extra,
  };
}

/** `VeRL 0.9.0 checkout at ./verl: 2 targets` lines, so reviewers see which release a diff is for. */
export function checkoutLines(result: RunResult): string[] {
  return result.checkouts.map((checkout) => {
    const count = result.files.filter((f) => f.checkout === checkout).length;
    const release = checkout.version ? `VeRL ${checkout.version}` : 'VeRL (no verl/version/version file)';
    return `${release} checkout at ${checkout.root}: ${count} target${count === 1 ? '' : 's'}`;
  });
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
