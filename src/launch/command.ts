/**
 * The launch command `preflight` is put in front of, as words (the shell has already split and
 * unquoted them): which interpreter, which entry point (a module run with `-m`, or a script path),
 * Hydra's `--config-name` / `--config-path`, and the overrides. Or overrides alone
 * (`-- k=v ...`, with --verl or --python naming the VeRL). Pure.
 */

export type Entry = { kind: 'module'; module: string } | { kind: 'script'; path: string };

export interface LaunchCommand {
  /** The interpreter as written (`python3`, `/venv/bin/python`); null for overrides alone. */
  interpreter: string | null;
  /** null for overrides alone: then VeRL's own `verl.trainer.main_ppo`. */
  entry: Entry | null;
  configName: string | null;
  configPath: string | null;
  /** Hydra's `--config-dir` / `-cd`: more folders to look configs up in. */
  configDirs: string[];
  /** `k=v`, `+k=v`, `++k=v`, `~k`, in order. */
  overrides: string[];
  /** Arguments passed over, each with why (Hydra flags that do not change the config). */
  ignored: string[];
}

export type CommandParse = { command: LaunchCommand } | { error: string };

const INTERPRETER = /^(?:.*\/)?(?:python[\d.]*|pypy[\d.]*)$/;
/** `FOO=bar` before the interpreter: an environment assignment (env names have no dots). */
const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** CPython options that take a value as the next word. */
const PYTHON_OPTIONS_WITH_VALUE = new Set(['-W', '-X', '--check-hash-based-pycs']);
const HYDRA_VALUE_FLAGS: Record<string, 'configName' | 'configPath' | 'configDir'> = {
  '--config-name': 'configName',
  '-cn': 'configName',
  '--config-path': 'configPath',
  '-cp': 'configPath',
  '--config-dir': 'configDir',
  '-cd': 'configDir',
};

export function parseLaunchCommand(words: readonly string[]): CommandParse {
  if (words.length === 0) return { error: 'no launch command after --' };
  let i = 0;
  // `env A=1 python3 ...`, `A=1 python3 ...`: only when an interpreter follows.
  const firstInterpreter = words.findIndex((word) => INTERPRETER.test(word));
  if (firstInterpreter > 0 && words.slice(0, firstInterpreter).every((w, k) => ENV_ASSIGNMENT.test(w) || (k === 0 && w === 'env'))) {
    i = firstInterpreter;
  }
  let interpreter: string | null = null;
  let entry: Entry | null = null;
  if (INTERPRETER.test(words[i]!)) {
    interpreter = words[i++]!;
    for (; i < words.length && entry === null; i++) {
      const word = words[i]!;
      if (word === '-m') {
        const module = words[i + 1];
        if (module === undefined) return { error: `${interpreter} -m: no module named` };
        entry = { kind: 'module', module };
        i++;
      } else if (word.startsWith('-m') && word.length > 2) {
        entry = { kind: 'module', module: word.slice(2) };
      } else if (PYTHON_OPTIONS_WITH_VALUE.has(word)) {
        i++;
      } else if (word === '-c') {
        return { error: `${interpreter} -c: a program given as a string is not a launch this tool can read` };
      } else if (!word.startsWith('-')) {
        entry = { kind: 'script', path: word };
      }
    }
    if (entry === null) return { error: `${interpreter}: no -m module or script to run` };
  } else if (/\.py$/.test(words[i]!)) {
    // `./main_ppo.py ...` run through its shebang.
    entry = { kind: 'script', path: words[i++]! };
  }
  const command: LaunchCommand = { interpreter, entry, configName: null, configPath: null, configDirs: [], overrides: [], ignored: [] };
  for (; i < words.length; i++) {
    const word = words[i]!;
    const [flag, inline] = splitFlag(word);
    const field = HYDRA_VALUE_FLAGS[flag];
    if (field) {
      const value = inline ?? words[++i];
      if (value === undefined) return { error: `${flag}: no value` };
      if (field === 'configName') command.configName = value.replace(/\.yaml$/, '');
      else if (field === 'configPath') command.configPath = value;
      else command.configDirs.push(value);
    } else if (word.startsWith('-')) {
      if (word === '--multirun' || word === '-m') return { error: `${word}: a Hydra multirun launches several runs; check each one's overrides alone` };
      command.ignored.push(word);
    } else if (isOverride(word)) {
      command.overrides.push(word);
    } else {
      return { error: `${word}: neither a Hydra override (key=value, +key=value, ++key=value, ~key) nor an option` };
    }
  }
  return { command };
}

function splitFlag(word: string): [string, string | undefined] {
  const eq = word.indexOf('=');
  return word.startsWith('-') && eq > 0 ? [word.slice(0, eq), word.slice(eq + 1)] : [word, undefined];
}

function isOverride(word: string): boolean {
  return /^(?:\+\+|\+|~)?[A-Za-z_][\w.@/-]*(?:=|$)/.test(word) && (word.includes('=') || word.startsWith('~'));
}

/** The override's key (`++trainer.x=1` -> `trainer.x`), or null for `~`-deletions of a whole subtree alike. */
export function overrideKey(override: string): string {
  return override.replace(/^(?:\+\+|\+|~)/, '').split('=')[0]!;
}
