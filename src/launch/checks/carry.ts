/**
 * Check 8: what the load carries over from the old critic and which of the new run's critic
 * settings it overrides (old LR and schedule position, Adam betas/eps/weight_decay...), from the
 * kinds the composed config makes the loader open. The facts are issue 20's (src/checkpoint/carry.ts,
 * where each is cited tag:path:line); this only asks them about the launch. Pure.
 */
import { carriedFor, inheritsFor } from '../../checkpoint/carry.js';
import { finding, type Finding, type PreflightFacts } from '../facts.js';
import type { CriticLoad } from './critic.js';
import { folderKey } from './resume.js';

export function checkCarry(facts: PreflightFacts, load: CriticLoad | null): Finding[] {
  if (!load) return [];
  const carried = carriedFor(load.loader, load.kinds);
  const inherits = inheritsFor(load.loader, load.kinds, facts.values['critic.optim.use_checkpoint_opt_param_scheduler'] === true);
  const key = load.key ?? folderKey(facts.release);
  const carries = `the load carries over ${carried.map((c) => c.what).join('; ')}`;
  // Nothing of the new run's settings overridden: nothing to act on, nothing said.
  if (inherits.length === 0) return [];
  const fix = load.key === 'critic.checkpoint.load_contents' ? '; to keep the new run\'s own, load the weights only: critic.checkpoint.load_contents=[model]' : '';
  return [finding('warning', 8, key, `${carries}. ${inherits.map((i) => i.line.replace(/\.$/, '')).join('; ')}${fix}`)];
}
