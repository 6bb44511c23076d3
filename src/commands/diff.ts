/** `diff`: print the unified diff that guards every actor load; change nothing. */
import type { Command } from 'commander';
import type { ExitCode } from '../errors.js';
import { checkoutLines, jsonReport, problemLine } from '../report.js';
import { exitCodeOf, planRun } from '../run.js';
import { addTargetOptions, note, printError, printJson, runAction, type TargetOptions } from './common.js';

export function registerDiff(program: Command): void {
  addTargetOptions(program.command('diff'))
    .description('print a unified diff (for review, git apply, patch -p1) that guards the actor load; change nothing')
    .addHelpText('after', '\nExamples:\n  verl-critic-patch diff ~/src/verl > load-critic-only.patch\n  verl-critic-patch diff verl/trainer/ppo/ray_trainer.py | git apply')
    .action((targets: string[], options: TargetOptions) => runAction(() => diffCommand(targets, options)));
}

export function diffCommand(targets: string[], options: TargetOptions): ExitCode {
  const result = planRun(targets, { direction: 'patch', only: options.only });
  const exitCode = exitCodeOf(result);
  if (options.json) {
    printJson(jsonReport('diff', result, exitCode));
    return exitCode;
  }
  checkoutLines(result).forEach(note);
  for (const file of result.files) {
    if (file.status === 'change') process.stdout.write(file.diff!.text);
    else if (file.status === 'already-patched') note(`${file.path}: already patched, nothing to change`);
    else printError(problemLine(file));
  }
  result.problems.forEach((p) => printError(`${p.path}: ${p.reason}`));
  return exitCode;
}
