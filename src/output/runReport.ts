/**
 * Turning a run into what users read: one line per file for people, one JSON document for
 * machines. Status words depend on the verb (a change is "needs patch" for check, "patched" for
 * apply) but the shape is shared.
 */
import { ExitCode } from './errors.js';
import type { FileOutcome, RunResult } from './run.js';
import { TOOL_VERSION } from './version.js';

export type Verb = 'diff' | 'apply' | 'check' | 'revert';

/** The word for a file that needed (or got) a change, per verb. */
const CHANGE_WORD: Record<Verb, string> = {
  diff: 'needs-patch',
  check: 'needs-patch',
  apply: 'patched',
  revert: 'reverted',
};

export function statusWord(verb: Verb, file: FileOutcome): string {
  return file.status === 'change' ? CHANGE_WORD[verb] : file.status;
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
      reason: file.reason ?? null,
      line: file.line ?? null,
      verlVersion: file.checkout?.version ?? null,
      actorLoads: file.sites ?? [],
      changedLines: { added: file.diff?.addedLines ?? [], removed: file.diff?.removedLines ?? [] },
      ...(verb === 'diff' ? { diff: file.diff?.text ?? '' } : {}),
    })),
    problems: result.problems,
    ...extra,
  };
}

/** `VeRL 0.9.0 checkout at ./verl (2 targets)` lines, so reviewers see which release a diff is for. */
export function checkoutLines(result: RunResult): string[] {
  return result.checkouts.map((checkout) => {
    const count = result.files.filter((f) => f.checkout === checkout).length;
    const release = checkout.version ? `VeRL ${checkout.version}` : 'VeRL (no verl/version/version file)';
    return `${release} checkout at ${checkout.root}: ${count} target${count === 1 ? '' : 's'}`;
  });
}

export function sitesText(file: FileOutcome): string {
  const sites = file.sites ?? [];
  if (sites.length === 0) return file.summary ?? '';
  return sites.map((s) => `${s.method} line ${s.line}`).join(', ');
}
