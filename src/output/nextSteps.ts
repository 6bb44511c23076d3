/**
 * The commands this tool advises next (what `apply` prints last, what `check --applied` says to
 * run), spelled as the user typed the command that led here: the same `--python`, `--only`,
 * `--exclude` and paths, so that the advice can be pasted as it is (advisedCommands.ts spells them;
 * commandOnTargets is re-exported for the commands).
 */
import { stageCommandFor, type TypedTargets } from '../advisedCommands.js';
import { flagOverride, warmStartOverrides } from '../hydra.js';


/**
 * `keyDeclared`: every trainer YAML of the run declares trainer.load_critic_only (now).
 * `typed`: how the user named what was patched; a `--python` run stages for that Python's VeRL.
 */
export function afterApplyLines(keyDeclared: boolean, typed?: TypedTargets): string[] {
  const overrides = warmStartOverrides({ placeholder: '<staged folder>/global_step_0' }, keyDeclared);
  return [
    'next: start a new run with a fresh actor and the critic of an earlier run:',
    `  ${stageCommandFor({ python: typed?.python })} <earlier run's checkpoint folder> <staged folder>`,
    `  python3 -m verl.trainer.main_ppo ... ${overrides.join(' ')}`,
    keyDeclared
      ? `  (launch scripts that must also run on unpatched checkouts: write ${flagOverride(false)})`
      : '  (++ because no trainer YAML declares the key here; patch the checkout folder to add it)',
  ];
}
