/**
 * Whether a trainer file guards its actor load, decided by the analysis `check` runs (planTrainer):
 * the one answer that preflight's check 1 and `stage --verl` both use, so that a comment naming
 * load_critic_only cannot pass for the guard. The text is decoded as `check` decodes it
 * (readSource's decodeText): a file that is not UTF-8, or holds a lone CR, is refused with
 * `check`'s words (bad input, exit 2) rather than analysed on a text Python would not run.
 */
import { readFileSync } from 'node:fs';
import { decodeText } from '../io/readSource.js';
import { planTrainer } from '../python/plan.js';

/** true: every actor load is guarded; false: one is not; null: could not tell (reason). */
export interface GuardVerdict {
  guarded: boolean | null;
  reason?: string;
}

/** The verdict on `file`; null when it has no real actor load (not a trainer). */
export function readTrainerGuard(file: string): GuardVerdict | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    // A trainer the launch names but that is missing or unreadable: unknown, said as such.
    return { guarded: null, reason: 'cannot read it' };
  }
  const plan = planTrainer('patch', decodeText(file, bytes));
  if (plan.status === 'unchanged') return { guarded: true };
  if (plan.status === 'change') return { guarded: false };
  if (plan.status === 'refused' && plan.notATarget) return null;
  return { guarded: null, reason: plan.reason };
}
