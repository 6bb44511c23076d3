/**
 * The launch command `preflight` is put in front of, as words (the shell has already split and
 * unquoted them): the launchers in front of Python as VeRL's docs and examples launch
 * (`env K=V`, `K=V`, `nohup`, `uv run [uv options]`, `ray job submit [options] --`), which
 * interpreter, which entry point (a module run with `-m`, or a script path), Hydra's
 * `--config-name` / `--config-path`, and the overrides. Or overrides alone (`-- k=v ...`, with
 * --verl or --python naming the VeRL). Any other program in front is refused (exit 2): pass the
 * python command itself. Pure.
 */

import { shellWord } from '../hydra.js';

export type Entry = { kind: 'module'; module: string } | { kind: 'script'; path: string };

/** `uv run`'s options that say which environment runs the command (its project's `.venv`). */
export interface UvRun {
  directory: string | null;
  project: string | null;
}

export interface LaunchCommand {
  /** The launchers in front of the interpreter, as written (`env`, `nohup`, `uv run`, `ray job submit`). */
  launchers: string[];
  /** `uv run`'s environment options, when it launches. */
  uv: UvRun | null;
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

/** `uv run` options that take a value as the next word (or after `=`); other options are flags. */
const UV_OPTIONS_WITH_VALUE = new Set([
  '--extra', '--no-extra', '--with', '--with-editable', '--with-requirements', '--python', '-p', '--project', '--directory',
  '--package', '--group', '--no-group', '--only-group', '--env-file', '--index', '--default-index', '--index-url', '-i',
  '--extra-index-url', '--find-links', '-f', '--config-file', '--cache-dir', '--color', '--upgrade-package', '-P',
  '--reinstall-package', '--no-build-package', '--no-binary-package', '--link-mode', '--resolution', '--prerelease',
  '--exclude-newer', '--python-platform', '--refresh-package', '--index-strategy', '--keyring-provider', '--config-setting',
  '-C', '--allow-insecure-host', '--fork-strategy', '--python-preference',
]);
/** `env`'s options (GNU coreutils) that take a value as the next word. */
const ENV_OPTIONS_WITH_VALUE = new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']);
const KNOWN_LAUNCHERS = '`env`, `K=V`, `nohup`, `uv run`, `ray job submit ... --`';

type Launchers = { start: number; launchers: string[]; uv: UvRun | null; module: string | null } | { error: string };

/**
 * Steps over the launchers in front of the Python command: where it starts, and what `uv run`
 * says about its environment (`uv run -m MODULE` runs the environment's python itself).
 */
function skipLaunchers(words: readonly string[]): Launchers {
  const launchers: string[] = [];
  let uv: UvRun | null = null;
  let i = 0;
  while (i < words.length) {
    const word = words[i]!;
    if (ENV_ASSIGNMENT.test(word) && !isOverrideWord(words, i)) {
      i++;
    } else if (word === 'env') {
      launchers.push('env');
      for (i++; i < words.length && (words[i]!.startsWith('-') || ENV_ASSIGNMENT.test(words[i]!)); i++) {
        if (ENV_OPTIONS_WITH_VALUE.has(words[i]!)) i++;
      }
    } else if (word === 'nohup') {
      launchers.push('nohup');
      i++;
    } else if (word === 'uv' && words[i + 1] === 'run') {
      launchers.push('uv run');
      uv = { directory: null, project: null };
      for (i += 2; i < words.length && words[i]!.startsWith('-'); i++) {
        const [flag, inline] = splitFlag(words[i]!);
        if (flag === '--') {
          i++;
          break;
        }
        if (flag === '-m' || flag === '--module') {
          const module = inline ?? words[i + 1];
          if (module === undefined) return { error: 'uv run -m: no module named' };
          return { start: inline === undefined ? i + 2 : i + 1, launchers, uv, module };
        }
        if (!UV_OPTIONS_WITH_VALUE.has(flag)) continue;
        const value = inline ?? words[++i];
        if (value === undefined) return { error: `uv run ${flag}: no value` };
        if (flag === '--directory') uv.directory = value;
        else if (flag === '--project') uv.project = value;
      }
    } else if (word === 'ray' && words[i + 1] === 'job' && words[i + 2] === 'submit') {
      launchers.push('ray job submit');
      const dashes = words.indexOf('--', i + 3);
      if (dashes < 0) return { error: 'ray job submit: no -- before the entrypoint; write ray job submit [options] -- python3 -m ...' };
      i = dashes + 1;
    } else {
      break;
    }
  }
  return { start: i, launchers, uv, module: null };
}

/** `K=V` at the front is an environment assignment unless nothing but overrides follow (overrides alone). */
function isOverrideWord(words: readonly string[], at: number): boolean {
  return words.slice(at).every((word) => isOverride(word) || word.startsWith('-'));
}

export function parseLaunchCommand(words: readonly string[]): CommandParse {
  if (words.length === 0) return { error: 'no launch command after --' };
  const front = skipLaunchers(words);
  if ('error' in front) return front;
  let i = front.start;
  const { launchers, uv } = front;
  if (i >= words.length) return { error: `${launchers.join(' ') || 'the launcher'}: no python command after it` };
  let interpreter: string | null = null;
  let entry: Entry | null = null;
  if (front.module !== null) {
    // `uv run -m MODULE`: the environment's own python.
    interpreter = 'python';
    entry = { kind: 'module', module: front.module };
  } else if (INTERPRETER.test(words[i]!)) {
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
  } else if (!words[i]!.startsWith('-') && !isOverride(words[i]!)) {
    return { error: `${words[i]}: not a launcher this tool reads (it reads ${KNOWN_LAUNCHERS} in front of python): pass the python command itself, e.g. -- python3 -m verl.trainer.main_ppo k=v ...` };
  } else if (launchers.length > 0) {
    return { error: `${launchers.join(' ')}: no python command after it` };
  }
  const command: LaunchCommand = { launchers, uv, interpreter, entry, configName: null, configPath: null, configDirs: [], overrides: [], ignored: [] };
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
      return { error: `${shellWord(word)}: neither a Hydra override (key=value, +key=value, ++key=value, ~key) nor an option` };
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
