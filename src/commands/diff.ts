/** `diff`: print the unified diff that guards every actor load (or write it to a file); change nothing. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, ToolError } from '../errors.js';
import { colorDiff } from '../output/color.js';
import { patchFileName } from '../output/patchName.js';
import { writeFileAtomically } from '../io/atomicWrite.js';
import { checkoutLines, jsonReport } from '../report.js';
import type { RunResult } from '../run.js';
import { isDirectory } from '../targets.js';
import { addTargetOptions, note, outputSettings, printError, printJson, printProblem, problemOf, runAction, type TargetOptions } from './common.js';

interface DiffOptions extends TargetOptions {
  output?: string;
}

export function registerDiff(program: Command): void {
  addTargetOptions(program.command('diff'))
    .description('print a unified diff (for review, git apply, patch -p1) that guards the actor load; change nothing')
    .option('-o, --output <path>', 'write the diff to this file instead of stdout; given a folder, name it after the VeRL release (verl-0.9.0-load-critic-only.patch)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  verl-critic-patch diff ~/src/verl > load-critic-only.patch\n' +
        '  verl-critic-patch diff verl/trainer/ppo/ray_trainer.py | git apply\n' +
        '  verl-critic-patch diff --output patches/ ~/src/verl    # writes patches/verl-<release>-load-critic-only.patch',
    )
    .action((targets: string[], options: DiffOptions) => runAction(() => diffCommand(targets, options)));
}

export async function diffCommand(targets: string[], options: DiffOptions): Promise<ExitCode> {
  const { exitCodeOf, planRun } = await import('../run.js');
  const result = await planRun(targets, { direction: 'patch', only: options.only });
  let exitCode = exitCodeOf(result);
  const output = options.output === undefined ? undefined : writeOutput(options.output, result, exitCode);
  if (output?.error) exitCode = output.error.exitCode;
  if (options.json) {
    const extra = output ? { output: output.path ?? null, outputError: output.error?.message ?? null } : {};
    printJson(jsonReport('diff', result, exitCode, extra));
    return exitCode;
  }
  checkoutLines(result).forEach(note);
  const color = outputSettings().color;
  for (const file of result.files) {
    if (file.status === 'change') {
      if (!output) process.stdout.write(color ? colorDiff(file.diff!.text) : file.diff!.text);
    } else if (file.status === 'already-patched') note(`${file.path}: already patched, nothing to change`);
    else printProblem(problemOf(file));
  }
  result.problems.forEach((p) => printError(`${p.path}: ${p.reason}`));
  if (output?.error) printError(output.error.message);
  else if (output?.path) note(`wrote ${output.path}`);
  else if (output?.skipped) (exitCode === ExitCode.Ok ? note : printError)(output.skipped);
  return exitCode;
}

interface OutputResult {
  path?: string; // written
  skipped?: string; // why nothing was written
  error?: ToolError;
}

/**
 * `--output PATH`: the whole diff of the run, uncoloured, written atomically. A folder gets a
 * file named by `patchFileName`. Only a complete patch is written: nothing when a target is
 * refused or broken (a partial patch would look complete to a reviewer), nor when there is
 * nothing to change.
 */
function writeOutput(target: string, result: RunResult, exitCode: ExitCode): OutputResult {
  const path = isDirectory(target) ? join(target, patchFileName(result)) : target;
  if (exitCode !== ExitCode.Ok) return { skipped: `nothing written to ${path}: every target must be patchable for a complete patch` };
  const text = result.files.map((file) => (file.status === 'change' ? file.diff!.text : '')).join('');
  if (text === '') return { skipped: `nothing to change, so nothing written to ${path}` };
  try {
    writeFileAtomically(path, text);
    return { path };
  } catch (error) {
    if (error instanceof ToolError) return { error };
    throw error;
  }
}
