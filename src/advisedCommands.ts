/**
 * The spelling of this tool's own commands when it advises one (`apply` after `check`, `stage`
 * after `apply`, both in preflight's findings): as the user typed the command that led here, with
 * the same `--python`, `--only`, `--exclude` and paths, so that the advice can be pasted as it is.
 * Below output/ and launch/, which both advise.
 */
import { shellWord } from './hydra.js';

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
