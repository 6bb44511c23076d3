/**
 * `check`: what users' CI runs after a VeRL upgrade. Exit 0 when every target is patched or
 * would patch cleanly; 1 when one would not. `--applied` demands the guard be there already.
 */
import type { Command } from 'commander';
import { ExitCode, worstExitCode } from '../errors.js';
import { paint } from '../output/color.js';
import { checkoutLines, jsonReport, sitesText } from '../report.js';
import { addTargetOptions, info, note, outputSettings, printError, printJson, printNotice, printProblem, problemOf, runAction, type TargetOptions } from './common.js';

interface CheckOptions extends TargetOptions {
  applied?: boolean;
}

export function registerCheck(program: Command): void {
  addTargetOptions(program.command('check'))
    .description('change nothing; exit 0 if every target is patched or would patch cleanly, 1 if not')
    .option('--applied', 'also fail (exit 1) when a target is not patched yet')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  verl-critic-patch check .                     # in CI: does the patch still apply to this VeRL?\n' +
        '  verl-critic-patch check --applied .           # in CI: is the patch applied?\n' +
        '  verl-critic-patch check --format github .     # in GitHub Actions: refusals as ::error annotations',
    )
    .action((targets: string[], options: CheckOptions) => runAction(() => checkCommand(targets, options)));
}

export async function checkCommand(targets: string[], options: CheckOptions): Promise<ExitCode> {
  const { exitCodeOf, planRun } = await import('../run.js');
  const result = await planRun(targets, { direction: 'patch', only: options.only });
  const unapplied = options.applied ? result.files.filter((f) => f.status === 'change') : [];
  const exitCode = worstExitCode([exitCodeOf(result), unapplied.length > 0 ? ExitCode.CannotPatch : ExitCode.Ok]);
  if (options.json) {
    printJson(jsonReport('check', result, exitCode, { requireApplied: Boolean(options.applied) }));
    return exitCode;
  }
  checkoutLines(result).forEach(note);
  const ok = outputSettings().color ? paint('ok', 'green') : 'ok';
  for (const file of result.files) {
    if (file.status === 'change' && options.applied) {
      printProblem(problemOf(file, `not patched yet (run: verl-critic-patch apply ${file.path})`));
    } else if (file.status === 'change') {
      info(`${ok} ${file.path}: would patch cleanly (${sitesText(file)})`);
      printNotice(problemOf(file, 'the load_critic_only patch applies cleanly here but is not applied yet'));
    } else if (file.status === 'already-patched') info(`${ok} ${file.path}: already patched (${sitesText(file)})`);
    else printProblem(problemOf(file));
  }
  result.problems.forEach((p) => printError(`${p.path}: ${p.reason}`));
  return exitCode;
}
