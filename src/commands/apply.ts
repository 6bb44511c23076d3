/**
 * `apply`: write the same change `diff` prints, in place and atomically. All or nothing: when any
 * target is refused or unreadable, no file is written.
 */
import type { Command } from 'commander';
import { ExitCode, ToolError } from '../errors.js';
import { nextCommand } from '../config/nextCommand.js';
import { checkoutLines, jsonReport, sitesText } from '../report.js';
import { exitCodeOf, planRun, writeAll, WriteFailure, type Direction, type RunResult } from '../run.js';
import type { Verification } from '../io/verifyPython.js';
import { addTargetOptions, info, note, printError, printJson, printProblem, problemOf, runAction, type TargetOptions } from './common.js';

export function registerApply(program: Command): void {
  addTargetOptions(program.command('apply'))
    .description('guard the actor load in place (atomic writes; nothing is written if any target is refused)')
    .option('--no-verify', 'do not compile the written Python files with python3 (by default a file that does not compile rolls the run back)')
    .addHelpText('after', '\nExamples:\n  verl-critic-patch apply ~/src/verl\n  verl-critic-patch apply --only verl/trainer/ppo/ray_trainer.py ~/src/verl')
    .action((targets: string[], options: WriteOptions) => runAction(() => writeCommand('apply', targets, options)));
}

/** `verify` is false with --no-verify (apply only): skip compiling the written files with python3. */
type WriteOptions = TargetOptions & { verify?: boolean };

/** Shared by apply and revert: plan, refuse as a whole, write as a whole, report. */
export async function writeCommand(verb: 'apply' | 'revert', targets: string[], options: WriteOptions): Promise<ExitCode> {
  const direction: Direction = verb === 'apply' ? 'patch' : 'revert';
  const result = await planRun(targets, { direction, only: options.only });
  let exitCode = exitCodeOf(result);
  let writeError: ToolError | undefined;
  let verification: Verification | undefined;
  const verify = verb === 'apply' && options.verify !== false;
  if (exitCode === ExitCode.Ok) {
    try {
      verification = writeAll(result, { verify });
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      writeError = error;
      exitCode = error.exitCode;
    }
  }
  if (options.json) {
    const next = verb === 'apply' && exitCode === ExitCode.Ok ? { nextOverride: nextCommand(result).override } : {};
    printJson(jsonReport(verb, result, exitCode, { written: exitCode === ExitCode.Ok, error: writeError?.message ?? null, verify: verifyReport(verb, verify, verification), ...next }));
    return exitCode;
  }
  reportWrites(verb, result, exitCode, writeError);
  if (verification?.status === 'unavailable') note(`not verified: ${verification.reason}, so the written files were not compiled (--no-verify skips this check)`);
  if (verb === 'apply' && exitCode === ExitCode.Ok) nextCommand(result).lines.forEach(note);
  return exitCode;
}

function reportWrites(verb: 'apply' | 'revert', result: RunResult, exitCode: ExitCode, writeError: ToolError | undefined): void {
  checkoutLines(result).forEach(note);
  const done = exitCode === ExitCode.Ok;
  for (const file of result.files) {
    if (file.status === 'change' && done) info(`${verb === 'apply' ? 'patched' : 'reverted'} ${file.path} (${sitesText(file)})`);
    else if (file.status === 'already-patched') info(`already patched ${file.path}`);
    else if (file.status === 'not-patched') info(`not patched ${file.path}: nothing to revert`);
    else if (file.status === 'refused' || file.status === 'error') printProblem(problemOf(file));
  }
  result.problems.forEach((p) => printError(`${p.path}: ${p.reason}`));
  if (writeError instanceof WriteFailure) printError(writeError.message);
  else if (writeError) printError(`${writeError.message}; every file of this run was left as it was`);
  else if (!done && result.files.some((f) => f.status === 'change')) printError('nothing was written: every target of a run must be patchable');
}

/** The JSON `verify` field: what python3 said about the written files, or why it was not asked. */
function verifyReport(verb: 'apply' | 'revert', verify: boolean, verification: Verification | undefined) {
  if (verb !== 'apply') return null;
  if (!verify) return { status: 'skipped', reason: '--no-verify' };
  if (!verification) return null; // nothing was written
  if (verification.status === 'compiled') return { status: 'compiled', python: verification.python, files: verification.files };
  if (verification.status === 'unavailable') return { status: 'unavailable', reason: verification.reason };
  return { status: 'failed', python: verification.python, failures: verification.failures };
}
