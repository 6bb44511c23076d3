/**
 * The dispatcher above the two pure planners: a target file's kind picks the one that plans it.
 * It sits above src/python/ and src/config/ (which import only the contract, src/plan.ts), so the
 * planners never import back through it.
 */
import type { Direction, Plan, TargetKind } from './plan.js';
import { planTrainer } from './python/plan.js';
import { planTrainerConfig } from './config/trainerYaml.js';

/**
 * Plan one file. `path` only names the file where its name matters to the plan (VeRL's
 * `_generated_*.yaml` snapshots are written without comments); nothing is read from it.
 */
export function planText(kind: TargetKind, direction: Direction, text: string, path: string): Plan {
  return kind === 'trainer' ? planTrainer(direction, text) : planTrainerConfig(direction, text, path);
}
