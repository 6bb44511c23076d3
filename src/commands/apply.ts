/**
 * `apply`: write the same change `diff` prints, in place and atomically. All or nothing: when any
 * target is refused or unreadable, no file is written.
 */
import type { Command } from 'commander';
import { ExitCode, ToolError } from '../errors.js';
import { nextCommand } from '../config/nextCommand.js';
import { checkoutLines, jsonReport, problemLine, sitesText } from '../report.js';
import { exitCodeOf, planRun, writeAll, type Direction, type RunResult } from '../run.js';
import { addTargetOptions, note, printError, printJson, runAction, type TargetOptions } from './common.js';

export function registerApply(program: Command): void {
  addTargetOptions(program.command('apply'))
    .description('guard the actor load in place (atomic writes; nothing is written if any target is refused)')
    .addHelpText('after', '\nExamples:\n  verl-critic-patch apply ~/src/verl\n  verl-critic-patch apply --only verl/trainer/ppo/ray_trainer.py ~/src/verl')
    .action((targets: string[], options: TargetOptions) => runAction(() => writeCommand('apply', targets, options)));
}

/** Shared by apply and revert: plan, refuse as a whole, write as a whole, report. */
export function writeCommand(verb: 'apply' | 'revert', targets: string[], options: TargetOptions): ExitCode {
  const direction: Direction = verb === 'apply' ? 'patch' : 'revert';
  const result = planRun(targets, { direction, only: options.only });
  let exitCode = exitCodeOf(result);
  let writeError: ToolError | undefined;
  if (exitCode === ExitCode.Ok) {
    try {
      writeAll(result);
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      writeError = error;
      exitCode = error.exitCode;
    }
  }
  if (options.json) {
    const next = verb === 'apply' && exitCode === ExitCode.Ok ? { nextOverride: nextCommand(result).override } : {};
    printJson(jsonReport(verb, result, exitCode, { written: exitCode === ExitCode.Ok, error: writeError?.message ?? null, ...next }));
    return exitCode;
  }
  reportWrites(verb, result, exitCode, writeError);
  if (verb === 'apply' && exitCode === ExitCode.Ok) nextCommand(result).lines.forEach(note);
  return exitCode;
}

function reportWrites(verb: 'apply' | 'revert', result: RunResult, exitCode: ExitCode, writeError: ToolError | undefined): void {
  checkoutLines(result).forEach(note);
  const done = exitCode === ExitCode.Ok;
  for (const file of result.files) {
    if (file.status === 'change' && done) process.stdout.write(`${verb === 'apply' ? 'patched' : 'reverted'} ${file.path} (${sitesText(file)})\n`);
    else if (file.status === 'already-patched') process.stdout.write(`already patched ${file.path}\n`);
    else if (file.status === 'not-patched') process.stdout.write(`not patched ${file.path}: nothing to revert\n`);
    else if (file.status === 'refused' || file.status === 'error') printError(problemLine(file));
  }
  result.problems.forEach((p) => printError(`${p.path}: ${p.reason}`));
  if (writeError) printError(`${writeError.message}; every file of this run was left as it was`);
  else if (!done && result.files.some((f) => f.status === 'change')) printError('nothing was written: every target of a run must be patchable');
}
