/**
 * `--python [interpreter]` without swallowing a positional. Alone, `--python` means python3; but
 * commander takes whatever follows an option with an optional value as that value, so
 * `stage --python run071 warm` ran `run071` as the interpreter and then missed `<out>`. The
 * argument after `--python` is its value only when it is an interpreter (`isInterpreterWord`):
 * an executable file, or a python name (python3, python3.11) or other command on PATH that is not
 * a file or folder of the current one. Anything else stays a positional: the command line is
 * given to commander with `--python` moved past it (`separatePythonArgs`). `--python=PATH`
 * always names the interpreter.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const PYTHON_NAME = /^python[0-9.]*$/i;

/** What every verb's --help says of it. */
export const PYTHON_VALUE_HELP = 'the next argument is the interpreter only if it is one (an executable file, python3, python3.11, a command on PATH), else a positional; --python=PATH always names it';

/**
 * The command line (verb and options, without node and the script) with each `--python` that is
 * followed by a word that is not an interpreter moved past that word, so that commander reads
 * `--python` alone and the word as a positional. Nothing after `--` is touched.
 */
export function separatePythonArgs(args: readonly string[], isInterpreter: (word: string) => boolean = isInterpreterWord): string[] {
  const result = [...args];
  const end = result.indexOf('--') === -1 ? result.length : result.indexOf('--');
  for (let i = 0; i < end - 1; i++) {
    if (result[i] !== '--python') continue;
    // Move it past every positional in a row (`--python run071 warm`): each might be taken next.
    let at = i;
    while (at + 1 < end && !result[at + 1]!.startsWith('-') && !isInterpreter(result[at + 1]!)) {
      [result[at], result[at + 1]] = [result[at + 1]!, result[at]!];
      at++;
    }
    i = at;
  }
  return result;
}

/** Is `word`, written after `--python`, an interpreter (else it is a path or other positional)? */
export function isInterpreterWord(word: string): boolean {
  const kind = fileKind(word);
  if (kind === 'executable') return true;
  if (kind !== 'none') return false; // a folder or a plain file: a target, a checkpoint, an <out>
  // A path that does not exist: an interpreter only by its name (then "no such Python interpreter").
  if (word.includes('/') || word.includes('\\')) return PYTHON_NAME.test(word.split(/[\\/]/).pop() ?? '');
  return PYTHON_NAME.test(word) || onPath(word);
}

function fileKind(path: string): 'executable' | 'other' | 'none' {
  try {
    if (!statSync(path).isFile()) return 'other';
  } catch {
    return 'none';
  }
  try {
    accessSync(path, constants.X_OK);
    return 'executable';
  } catch {
    return 'other';
  }
}

/** Is `name` an executable file in a folder of PATH, as the shell would find it? */
function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && fileKind(join(dir, name)) === 'executable');
}
