/**
 * `check`: what users' CI runs after a VeRL upgrade. Exit 0 when every target is patched or
 * would patch cleanly; 1 when one would not. `--applied` demands the guard be there already.
 */
import type { Command } from 'commander';
import { ExitCode, worstExitCode } from '../errors.js';
import { paint } from '../output/color.js';
import { commandOnTargets } from '../advisedCommands.js';
import { jsonError, problemLine, type FileProblem, type Printer } from '../output/printer.js';
import { checkoutLines, jsonReport, problemOf, summaryOf } from '../output/runReport.js';
import { exitCodeOf } from '../run.js';
import type { PlannedFile } from '../runResult.js';
import { addTargetOptions, addVerifyOption, OUTPUT_DEFAULTS, patchVerb, type TargetOptions } from './options.js';
import { planCommandRun } from './patchRun.js';

interface CheckOptions extends TargetOptions {
  applied?: boolean;
}

/** What `check` gets when its command line names only paths (src/cli.ts). */
export const checkDefaults = (): CheckOptions => ({ ...OUTPUT_DEFAULTS, verify: true });

// With --applied, a check names the VeRL of the new run: the launcher's Python's, when none is given.
const checkVerb = patchVerb('check', checkDefaults, checkCommand, (options) => Boolean(options.applied));

/** `check PATH...`, options all left at their defaults: src/cli.ts runs it without commander. */
export const pathsOnly = checkVerb.pathsOnly;

export function registerCheck(program: Command): void {
  addVerifyOption(addTargetOptions(program.command('check')), '; by default a file it cannot compile is malformed (exit 2), as apply reports it')
    .description('change nothing; exit 0 if every target is patched or would patch cleanly, 1 if not')
    .option('--applied', 'also fail (exit 1) when a target is not patched yet')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  verl-critic-patch check .                     # in CI: does the patch still apply to this VeRL?\n' +
        '  verl-critic-patch check --applied .           # in CI: is the patch applied?\n' +
        '  verl-critic-patch check --format github .     # in GitHub Actions: refusals as ::error annotations',
    )
    .action(checkVerb.action);
}

export function checkCommand(targets: string[], options: CheckOptions, out: Printer): ExitCode {
  const { result } = planCommandRun(options.applied ? 'check --applied' : 'check', targets, options, 'patch', out);
  const unapplied = options.applied ? result.files.filter((f) => f.plan.status === 'change') : [];
  const exitCode = worstExitCode([exitCodeOf(result), unapplied.length > 0 ? ExitCode.Refused : ExitCode.Ok]);
  if (options.json) {
    // Only --applied failed the run: its error is the first trainer not patched yet.
    const notApplied = exitCodeOf(result) === ExitCode.Ok && unapplied[0] ? { error: jsonError(exitCode, problemLine(notPatchedYet(unapplied[0], targets, options)), unapplied[0].path) } : {};
    out.json(jsonReport('check', result, exitCode, { requireApplied: Boolean(options.applied), ...notApplied }));
    return exitCode;
  }
  checkoutLines(result).forEach((line) => out.note(line));
  const ok = out.color ? paint('ok', 'green') : 'ok';
  for (const file of result.files) {
    const status = file.plan.status;
    if (status === 'change' && options.applied) {
      out.problem(notPatchedYet(file, targets, options));
    } else if (status === 'change') {
      out.info(`${ok} ${file.path}: would patch cleanly (${summaryOf(file)})`);
      out.notice(problemOf(file, 'the load_critic_only patch applies cleanly here but is not applied yet'));
    } else if (status === 'unchanged') out.info(`${ok} ${file.path}: already patched (${summaryOf(file)})`);
    else out.problem(problemOf(file));
  }
  result.problems.forEach((p) => out.error(`${p.path}: ${p.reason}`));
  return exitCode;
}

/** `check --applied`'s problem with a trainer or config that would patch cleanly. */
function notPatchedYet(file: PlannedFile, targets: string[], options: CheckOptions): FileProblem {
  return problemOf(file, `not patched yet; to patch it, run: ${commandOnTargets('apply', { targets, ...options })}`);
}
