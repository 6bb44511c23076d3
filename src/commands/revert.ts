/** `revert`: remove the guards this tool added; a file it patched comes back byte for byte. */
import type { Command } from 'commander';
import { writeCommand } from './apply.js';
import { addTargetOptions, runAction, type TargetOptions } from './common.js';

export function registerRevert(program: Command): void {
  addTargetOptions(program.command('revert'))
    .description('remove the guard this tool added (byte-identical to before the patch)')
    .addHelpText('after', '\nExample:\n  verl-critic-patch revert ~/src/verl')
    .action((targets: string[], options: TargetOptions) => runAction(() => writeCommand('revert', targets, options)));
}
