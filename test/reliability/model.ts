/**
 * The CLI's decisions for one file, computed in-process from the same pure core the CLI runs
 * (decodeText -> planGuard/planUnguard -> applyEdits -> unifiedDiff), so that thousands of
 * generated cases cost milliseconds each instead of a process spawn. The end-to-end property
 * test (cli.property.test.ts) checks on a sample that the built CLI agrees with this model.
 */
import { applyEdits } from '../../src/edits.js';
import { ToolError } from '../../src/errors.js';
import { decodeText } from '../../src/io/readSource.js';
import { planGuard, planUnguard, type PythonPlan } from '../../src/python/plan.js';
import { unifiedDiff } from '../../src/diffText.js';

export type Exit = 0 | 1 | 2;

export interface ModelOutcome {
  exit: Exit;
  status: 'patch' | 'already-patched' | 'refused' | 'malformed' | 'undecodable';
  reason?: string;
  text?: string; // decoded input
  after?: string; // patched text, when status is 'patch'
  diff?: string;
}

const EXIT: Record<PythonPlan['status'], Exit> = { patch: 0, 'already-patched': 0, refused: 1, malformed: 2 };

/** What `apply` decides for these bytes (before python3 verification). Throws only on a bug. */
export function modelApply(bytes: Buffer, diffPath = 'case.py'): ModelOutcome {
  let text: string;
  try {
    text = decodeText(diffPath, bytes);
  } catch (error) {
    if (error instanceof ToolError && error.exitCode === 2) return { exit: 2, status: 'undecodable', reason: error.reason };
    throw error;
  }
  const plan = planGuard(text);
  if (plan.status !== 'patch') return { exit: EXIT[plan.status], status: plan.status, reason: 'reason' in plan ? plan.reason : undefined, text };
  const after = applyEdits(text, plan.edits);
  return { exit: 0, status: 'patch', text, after, diff: unifiedDiff(diffPath, text, after).text };
}

/**
 * The in-process properties of one `apply` outcome; returns the list of violations (empty when
 * all hold). On a patch: the result differs, a second apply changes nothing, revert gives back
 * the input byte for byte, the BOM stays where it was, and the diff is not empty.
 */
export function corePropertyViolations(bytes: Buffer, outcome: ModelOutcome): string[] {
  const problems: string[] = [];
  if (outcome.status === 'patch') {
    const { text, after } = outcome as Required<ModelOutcome>;
    if (after === text) problems.push('a patch that changes nothing');
    if (!Buffer.from(text, 'utf8').equals(bytes)) problems.push('decoding then encoding the input does not give back its bytes');
    const again = planGuard(after);
    if (again.status !== 'already-patched') problems.push(`a second apply would not be a no-op: ${again.status} ${'reason' in again ? again.reason : ''}`);
    const back = planUnguard(after);
    if (back.status !== 'patch') problems.push(`revert of the patched text is ${back.status} ${'reason' in back ? back.reason : ''}`);
    else if (!Buffer.from(applyEdits(after, back.edits), 'utf8').equals(bytes)) problems.push('revert does not give back the input byte for byte');
    if (after.startsWith('\ufeff') !== text.startsWith('\ufeff')) problems.push('the BOM moved');
    if (!outcome.diff) problems.push('empty diff for a patch');
  }
  if (outcome.status === 'already-patched' || outcome.status === 'refused' || outcome.status === 'malformed') {
    // Revert of the same input must not throw either, and never "reverts" a file we did not patch
    // into something that does not parse.
    const back = planUnguard(outcome.text!);
    if (back.status === 'patch') {
      const reverted = applyEdits(outcome.text!, back.edits);
      const again = planGuard(reverted);
      if (again.status === 'malformed') problems.push('revert of an input would write a file that does not parse');
    }
  }
  return problems;
}
