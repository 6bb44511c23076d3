/** The options verbs share, registered the same way on each (commander), and their types. */
import type { Command } from 'commander';
import type { ExitCode } from '../errors.js';
import { COLOR_MODES } from '../output/color.js';
import { OUTPUT_FORMATS, type OutputOptions, type Printer } from '../output/printer.js';
import { launcherPython } from '../verl/launcherPython.js';
import { runAction } from './action.js';
import { PYTHON_VALUE_HELP } from './pythonOption.js';

/** The values of `--color` and `--format` when not given. */
export const OUTPUT_DEFAULTS = { color: 'auto', format: 'text' } as const satisfies OutputOptions;

/**
 * `--quiet`, `--color` and `--format`, the same way on every verb that reports on files. (Options
 * are made with createOption, so that a run that never builds the command line does not load
 * commander: src/cli.ts.)
 */
export function addOutputOptions(command: Command): Command {
  return command
    .option('-q, --quiet', 'print only errors (no checkout lines, no ok/already-patched notes); exit codes are unchanged')
    .addOption(command.createOption('--color <when>', 'colour the diff: auto (on a terminal, unless NO_COLOR is set), always, never').choices(COLOR_MODES).default(OUTPUT_DEFAULTS.color))
    .addOption(command.createOption('--format <format>', 'how to report problems: text, or github (GitHub Actions ::error annotations)').choices(OUTPUT_FORMATS).default(OUTPUT_DEFAULTS.format));
}

/** Registers `--json` the same way on every verb. */
export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print one JSON document on stdout instead of text');
}

/** Options every patch verb (diff, apply, check, revert) takes. */
export interface TargetOptions extends OutputOptions {
  json?: boolean;
  only?: string;
  exclude?: string[];
  /** --python [interpreter]: target the verl package it imports (true: python3). */
  python?: string | boolean;
  /** false with --no-verify (diff, check, apply): CPython is not asked whether the trainers compile. */
  verify?: boolean;
}

/** `--no-verify`, the same on diff, check and apply: one verdict on what CPython rejects. */
export function addVerifyOption(command: Command, what: string): Command {
  return command.option('--no-verify', `do not compile the trainers with CPython (the interpreter of --python, or of the environment that holds them, else python3)${what}`);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addTargetOptions(command: Command): Command {
  return addOutputOptions(
    addJsonOption(
      command
        .argument('[target...]', 'a trainer .py or config .yaml file, a VeRL checkout or package folder, a site-packages folder, or any project folder that holds VeRL or trainers built on it')
        .option('--python [interpreter]', `instead of a path: the verl package this Python imports (default python3); ${PYTHON_VALUE_HELP}`)
        .option('--only <path>', 'in a folder, act on this one file only (its path relative to the folder, or a tail of it only one file has)')
        .option('--exclude <path>', 'in a folder, leave out this file or everything below this folder (repeatable)', collect),
    ),
  );
}

/**
 * The targets of a run: the paths given, or the package `--python` names; none is a usage error,
 * except for a verb that `defaultsToLauncher` when the tool was started by the Python launcher
 * (src/verl/launcherPython.ts: the run then uses the VeRL that Python imports).
 */
export function targetsOrUsageError(command: Command, targets: string[], options: TargetOptions, defaultsToLauncher = false): void {
  if (targets.length === 0 && options.python === undefined && !(defaultsToLauncher && launcherPython() !== undefined)) {
    command.error("error: missing required argument 'target' (a path, or --python)");
  }
  pathOrPythonUsageError(command, targets.length > 0 ? 'target paths' : undefined, options.python);
}

/**
 * `--python` names a VeRL as a path (the targets, or `--verl`) does: both at once is a usage
 * error, in the same words on every verb. `path`: how the path was given, undefined when it was not.
 */
export function pathOrPythonUsageError(command: Command, path: 'target paths' | '--verl' | undefined, python: string | boolean | undefined): void {
  if (path !== undefined && python !== undefined) command.error(`error: give ${path} or --python, not both`);
}

/**
 * A patch verb's two ways in, running `command` through runAction: `action`, commander's (which
 * checks the targets first), and `pathsOnly`, src/cli.ts's for a command line of paths alone,
 * which runs with `defaults()`: the options commander would give (test/cli/pathsOnly.test.ts).
 * The verbs read code: runAction makes the parsers ready first, so that the command itself stays
 * synchronous and the run can exit as soon as it is written.
 */
export function patchVerb<O extends TargetOptions>(
  verb: string,
  defaults: () => O,
  command: (targets: string[], options: O, out: Printer) => ExitCode,
  defaultsToLauncher: (options: O) => boolean = () => false,
) {
  const run = (targets: string[], options: O) => runAction(verb, options, (out) => command(targets, options, out), { readsCode: true });
  return {
    action: (targets: string[], options: O, commandLine: Command) => {
      targetsOrUsageError(commandLine, targets, options, defaultsToLauncher(options));
      return run(targets, options);
    },
    pathsOnly: (targets: string[]) => run(targets, defaults()),
  };
}
