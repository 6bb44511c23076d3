/**
 * `apply`: write the same change `diff` prints, in place and atomically. All or nothing: when any
 * target is refused or unreadable, no file is written.
 */
import type { Command } from 'commander';
import { addTargetOptions, addVerifyOption, OUTPUT_DEFAULTS, patchVerb } from './options.js';
import { writeCommand, type WriteOptions } from './write.js';

/** What `apply` gets when its command line names only paths (src/cli.ts). */
export const applyDefaults = (): WriteOptions => ({ ...OUTPUT_DEFAULTS, verify: true });

const applyVerb = patchVerb('apply', applyDefaults, (targets, options, out) => writeCommand('apply', targets, options, out), () => true);

/** `apply PATH...`, options all left at their defaults: src/cli.ts runs it without commander. */
export const pathsOnly = applyVerb.pathsOnly;

export function registerApply(program: Command): void {
  addVerifyOption(addTargetOptions(program.command('apply')), '; by default a file it cannot compile is malformed (exit 2) and not written, and a patched file that does not compile rolls the run back')
    .description('guard the actor load in place (atomic writes; nothing is written if any target is refused)')
    .addHelpText('after', '\nExamples:\n  verl-critic-patch apply ~/src/verl\n  verl-critic-patch apply --only verl/trainer/ppo/ray_trainer.py ~/src/verl')
    .action(applyVerb.action);
}

