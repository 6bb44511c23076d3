/** What `apply` prints last: the next two commands of a critic warm start, for this checkout. */
import { flagOverride, warmStartOverrides } from '../hydra.js';

/** `keyDeclared`: every trainer YAML of the run declares trainer.load_critic_only (now). */
export function afterApplyLines(keyDeclared: boolean): string[] {
  const overrides = warmStartOverrides({ placeholder: '<staged folder>/global_step_0' }, keyDeclared);
  return [
    'next: start a new run with a fresh actor and the critic of an earlier run:',
    `  verl-critic-patch stage <earlier run's checkpoint folder> <staged folder>`,
    `  python3 -m verl.trainer.main_ppo ... ${overrides.join(' ')}`,
    keyDeclared
      ? `  (launch scripts that must also run on unpatched checkouts: write ${flagOverride(false)})`
      : '  (++ because no trainer YAML declares the key here; patch the checkout directory to add it)',
  ];
}
