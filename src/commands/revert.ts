/** `revert`: remove the guards this tool added; a file it patched comes back byte for byte. */
import type { Command } from 'commander';
import { addTargetOptions, OUTPUT_DEFAULTS, patchVerb, type TargetOptions } from './options.js';
import { writeCommand } from './write.js';

/** What `revert` gets when its command line names only paths (src/cli.ts). */
export const revertDefaults = (): TargetOptions => ({ ...OUTPUT_DEFAULTS });

// Like apply, revert with no target takes the launcher's VeRL: what `apply` patched there, `revert` undoes.
const revertVerb = patchVerb('revert', revertDefaults, (targets, options, out) => writeCommand('revert', targets, options, out), () => true);

/** `revert PATH...`, options all left at their defaults: src/cli.ts runs it without commander. */
export const pathsOnly = revertVerb.pathsOnly;

export function registerRevert(program: Command): void {
  addTargetOptions(program.command('revert'))
    .description('remove the guard this tool added (byte-identical to before the patch)')
    .addHelpText('after', '\nExample:\n  verl-critic-patch revert ~/src/verl')
    .action(revertVerb.action);
}

