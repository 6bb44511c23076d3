/**
 * The commands this tool advises next (what `apply` prints last, what `check --applied` says to
 * run), spelled as the user typed the command that led here: the same `--python`, `--only`,
 * `--exclude` and paths, so that the advice can be pasted as it is.
 */
import { flagOverride, shellWord, warmStartOverrides } from '../hydra.js';

/** How the user named a patch verb's targets. */
export interface TypedTargets {
  targets: readonly string[];
  python?: string | boolean;
  only?: string;
  exclude?: readonly string[];
}

/** `verl-critic-patch <verb> ...` on the targets the user named, as they named them. */
export function commandOnTargets(verb: string, typed: TypedTargets): string {
  const words = ['verl-critic-patch', verb, ...pythonWords(typed.python)];
  if (typed.only !== undefined) words.push(`--only ${typedPath(typed.only)}`);
  for (const path of typed.exclude ?? []) words.push(`--exclude ${typedPath(path)}`);
  words.push(...typed.targets.map(typedPath));
  return words.join(' ');
}

/**
 * `verl-critic-patch stage` for the VeRL the user named: `--verl PATH` (a checkout or package
 * folder), `--python [PY]`, or neither; the checkpoint and the new folder are added by the caller.
 */
export function stageCommandFor(typed: { verl?: string; python?: string | boolean }): string {
  const words = ['verl-critic-patch', 'stage'];
  if (typed.python !== undefined) words.push(...pythonWords(typed.python));
  else if (typed.verl !== undefined) words.push('--verl', typedPath(typed.verl));
  return words.join(' ');
}

/** `--python`, with the interpreter the user named, if any. */
function pythonWords(python: string | boolean | undefined): string[] {
  if (python === undefined) return [];
  return typeof python === 'string' ? ['--python', typedPath(python)] : ['--python'];
}

/**
 * A path as the user most likely typed it: the shell expanded `~/venv/bin/python` before the tool
 * saw it, so a path in the home folder is given back with `~` (which still works when pasted).
 */
function typedPath(path: string): string {
  const home = process.env.HOME;
  if (home && home !== '/' && path.startsWith(`${home}/`)) return `~/${shellWord(path.slice(home.length + 1))}`;
  return shellWord(path);
}

/**
 * `keyDeclared`: every trainer YAML of the run declares trainer.load_critic_only (now).
 * `typed`: how the user named what was patched; a `--python` run stages for that Python's VeRL.
 */
export function afterApplyLines(keyDeclared: boolean, typed?: TypedTargets): string[] {
  const overrides = warmStartOverrides({ placeholder: '<staged folder>/global_step_0' }, keyDeclared);
  return [
    'next: start a new run with a fresh actor and the critic of an earlier run:',
    `  ${['verl-critic-patch', 'stage', ...pythonWords(typed?.python)].join(' ')} <earlier run's checkpoint folder> <staged folder>`,
    `  python3 -m verl.trainer.main_ppo ... ${overrides.join(' ')}`,
    keyDeclared
      ? `  (launch scripts that must also run on unpatched checkouts: write ${flagOverride(false)})`
      : '  (++ because no trainer YAML declares the key here; patch the checkout folder to add it)',
  ];
}
