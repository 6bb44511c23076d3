/**
 * What `stage --verl CHECKOUT` reads from the VeRL the new run will use: its release, the keys its
 * trainer config declares (configs.ts) and whether its trainers already carry the load_critic_only
 * guard (trainers.ts, the planner's verdict). Reads files, writes nothing; a checkout it cannot
 * read is bad input (exit 2).
 */
import { readConfigFacts, type Backend, type ConfigFacts } from './configs.js';
import { verlAt, releaseOf } from './locate.js';
import type { Release } from './release.js';
import { mainPpoTrainersGuarded } from './trainers.js';

export interface VerlFacts extends ConfigFacts {
  /** The checkout as given on the command line. */
  root: string;
  release: Release;
  /** Whether every trainer file of main_ppo that loads the actor guards it (the verdict `check` and preflight give); null: none found. */
  trainerPatched: boolean | null;
}

export function describeVerl(dir: string, backend: Backend): VerlFacts {
  const checkout = verlAt(dir);
  const release = releaseOf(checkout.packageDir, dir, '--verl');
  const configs = readConfigFacts(checkout.packageDir, checkout.root, backend);
  return { root: dir, release, ...configs, trainerPatched: mainPpoTrainersGuarded(checkout.packageDir) };
}
