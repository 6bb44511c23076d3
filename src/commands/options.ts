/** The options verbs share, registered the same way on each (commander), and their types. */
import { Option, type Command } from 'commander';
import { COLOR_MODES } from '../output/color.js';
import { OUTPUT_FORMATS, type OutputOptions } from '../output/printer.js';

/** `--quiet`, `--color` and `--format`, the same way on every verb that reports on files. */
export function addOutputOptions(command: Command): Command {
  return command
    .option('-q, --quiet', 'print only errors (no checkout lines, no ok/already-patched notes); exit codes are unchanged')
    .addOption(new Option('--color <when>', 'colour the diff: auto (on a terminal, unless NO_COLOR is set), always, never').choices(COLOR_MODES).default('auto'))
    .addOption(new Option('--format <format>', 'how to report problems: text, or github (GitHub Actions ::error annotations)').choices(OUTPUT_FORMATS).default('text'));
}

/** Registers `--json` the same way on every verb. */
export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print one JSON document on stdout instead of text');
}

/** Options every patch verb (diff, apply, check, revert) takes. */
export interface TargetOptions extends OutputOptions {
  json?: boolean;
  only?: string;
}

export function addTargetOptions(command: Command): Command {
  return addOutputOptions(
    addJsonOption(
      command
        .argument('<target...>', 'a trainer .py file, or a VeRL checkout directory')
        .option('--only <path>', 'in a checkout, act on this one file only (path relative to the checkout, or its tail)'),
    ),
  );
}
