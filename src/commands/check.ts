/**
 * `check`: what users' CI runs after a VeRL upgrade. Exit 0 when every target is patched or
 * would patch cleanly; 1 when one would not. `--applied` demands the guard be there already.
 */
import type { Command } from 'commander';
import { ExitCode, worstExitCode } from '../errors.js';
import { checkoutLines, jsonReport, problemLine, sitesText } from '../report.js';
import { exitCodeOf, planRun } from '../run.js';
import { addTargetOptions, note, printError, printJson, runAction, type TargetOptions } from './common.js';

interface CheckOptions extends TargetOptions {
  applied?: boolean;
}

export function registerCheck(program: Command): void {
  addTargetOptions(program.command('check'))
    .description('change nothing; exit 0 if every target is patched or would patch cleanly, 1 if not')
    .option('--applied', 'also fail (exit 1) when a target is not patched yet')
    .addHelpText('after', '\nExamples:\n  verl-critic-patch check .              # in CI: does the patch still apply to this VeRL?\n  verl-critic-patch check --applied .    # in CI: is the patch applied?')
    .action((targets: string[], options: CheckOptions) => runAction(() => checkCommand(targets, options)));
}

export function checkCommand(targets: string[], options: CheckOptions): ExitCode {
  const result = planRun(targets, { direction: 'patch', only: options.only });
  const unapplied = options.applied ? result.files.filter((f) => f.status === 'change') : [];
  const exitCode = worstExitCode([exitCodeOf(result), unapplied.length > 0 ? ExitCode.CannotPatch : ExitCode.Ok]);
  if (options.json) {
    printJson(jsonReport('check', result, exitCode, { requireApplied: Boolean(options.applied) }));
    return exitCode;
  }
  checkoutLines(result).forEach(note);
  for (const file of result.files) {
    if (file.status === 'change' && options.applied) printError(`${file.path}: not patched yet (run: verl-critic-patch apply ${file.path})`);
    else if (file.status === 'change') process.stdout.write(`ok ${file.path}: would patch cleanly (${sitesText(file)})\n`);
    else if (file.status === 'already-patched') process.stdout.write(`ok ${file.path}: already patched (${sitesText(file)})\n`);
    else printError(problemLine(file));
  }
  result.problems.forEach((p) => printError(`${p.path}: ${p.reason}`));
  return exitCode;
}
