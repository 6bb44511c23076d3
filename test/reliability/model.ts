/**
 * The CLI's decisions for one file, computed in-process with the CLI's own pure pieces: the strict
 * decode (decodeText), the real planner (planText, src/planner.ts), applyEdits and unifiedDiff. So
 * thousands of generated cases cost milliseconds each instead of a process spawn; the end-to-end
 * property test (cli.property.test.ts) checks on a sample that the built CLI agrees.
 */
import { applyEdits } from '../../src/edits.js';
import { exitCodeFor, ToolError, type ExitCode } from '../../src/errors.js';
import { decodeText } from '../../src/io/readSource.js';
import type { Direction, Plan } from '../../src/plan.js';
import { planText } from '../../src/planner.js';
import { unifiedDiff } from '../../src/diffText.js';

export type Exit = ExitCode;

export interface ModelOutcome {
  exit: Exit;
  status: Plan['status'] | 'unreadable';
  reason?: string;
  text?: string; // decoded input
  after?: string; // patched text, when status is 'change'
  diff?: string;
}

/** The real planner on a trainer's text. */
export const planTrainerText = (direction: Direction, text: string, path = 'case.py'): Plan => planText('trainer', direction, text, path);

/** What `apply` decides for these bytes (before python3 verification). Throws only on a bug. */
export function modelApply(bytes: Buffer, diffPath = 'case.py'): ModelOutcome {
  let text: string;
  try {
    text = decodeText(diffPath, bytes);
  } catch (error) {
    if (error instanceof ToolError && error.exitCode === 2) return { exit: exitCodeFor('unreadable'), status: 'unreadable', reason: error.reason };
    throw error;
  }
  const plan = planTrainerText('patch', text, diffPath);
  if (plan.status !== 'change') return { exit: exitCodeFor(plan.status), status: plan.status, reason: 'reason' in plan ? plan.reason : undefined, text };
  const after = applyEdits(text, plan.edits);
  return { exit: exitCodeFor(plan.status), status: 'change', text, after, diff: unifiedDiff(diffPath, text, after).text };
}

/**
 * The in-process properties of one `apply` outcome; returns the list of violations (empty when
 * all hold). On a change: the result differs, a second apply changes nothing, revert gives back
 * the input byte for byte, the BOM stays where it was, and the diff is not empty.
 */
export function corePropertyViolations(bytes: Buffer, outcome: ModelOutcome): string[] {
  const problems: string[] = [];
  if (outcome.status === 'change') {
    const { text, after } = outcome as Required<ModelOutcome>;
    if (after === text) problems.push('a patch that changes nothing');
    if (!Buffer.from(text, 'utf8').equals(bytes)) problems.push('decoding then encoding the input does not give back its bytes');
    const again = planTrainerText('patch', after);
    if (again.status !== 'unchanged') problems.push(`a second apply would not be a no-op: ${again.status} ${'reason' in again ? again.reason : ''}`);
    const back = planTrainerText('revert', after);
    if (back.status !== 'change') problems.push(`revert of the patched text is ${back.status} ${'reason' in back ? back.reason : ''}`);
    else if (!Buffer.from(applyEdits(after, back.edits), 'utf8').equals(bytes)) problems.push('revert does not give back the input byte for byte');
    if (after.startsWith('\ufeff') !== text.startsWith('\ufeff')) problems.push('the BOM moved');
    if (!outcome.diff) problems.push('empty diff for a patch');
  }
  if (outcome.status === 'unchanged' || outcome.status === 'refused' || outcome.status === 'malformed') {
    // Revert of the same input must not throw either, and never "reverts" a file we did not patch
    // into something that does not parse.
    const back = planTrainerText('revert', outcome.text!);
    if (back.status === 'change') {
      const reverted = applyEdits(outcome.text!, back.edits);
      const again = planTrainerText('patch', reverted);
      if (again.status === 'malformed') problems.push('revert of an input would write a file that does not parse');
    }
  }
  return problems;
}
