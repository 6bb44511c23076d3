/**
 * `stage <checkpoint> <out>`: builds `<out>/global_step_0/critic/` from a finished run's critic,
 * so that a new run can start at step 0 with that critic, a fresh actor and a fresh dataloader.
 * Exit 1 when the checkpoint cannot be staged (no critic, incomplete, wrong world size);
 * exit 2 for bad input (not a checkpoint, `<out>` not empty, unreadable files).
 */
import type { Command } from 'commander';
import { ExitCode, badInput } from '../errors.js';
import { nextCommand } from '../checkpoint/launch.js';
import { createProgressLine } from '../checkpoint/progress.js';
import { stageCritic } from '../checkpoint/stage.js';
import { formatStageResult } from '../checkpoint/summary.js';
import { addJsonOption, printError, printJson, runAction } from './common.js';

interface StageCommandOptions {
  json?: boolean;
  copy?: boolean;
  worldSize?: string;
}

export function registerStage(program: Command): void {
  addJsonOption(
    program
      .command('stage')
      .argument('<checkpoint>', 'a run folder (its latest step is used) or one global_step_N folder')
      .argument('<out>', 'a new or empty folder; receives global_step_0/critic/')
      .description("stage a checkpoint's critic as <out>/global_step_0/critic/ for a new run (load_critic_only)")
      .option('--copy', 'copy files instead of hard-linking them (links are used where the filesystem allows)')
      .option('--world-size <n>', 'refuse unless the critic was saved with this world size (GPUs of the new run)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  verl-critic-patch stage checkpoints/my_project/my_run warm_start\n' +
        '  verl-critic-patch stage --world-size 8 --copy checkpoints/my_project/my_run/global_step_120 /data/warm_start',
    )
    .action((checkpoint: string, out: string, options: StageCommandOptions) =>
      runAction(() => stageCommand(checkpoint, out, options)),
    );
}

export async function stageCommand(checkpoint: string, out: string, options: StageCommandOptions): Promise<ExitCode> {
  const worldSize = parseWorldSize(options.worldSize);
  const progress = createProgressLine(process.stderr, 'staging critic');
  let result;
  try {
    result = await stageCritic(checkpoint, out, {
      copy: options.copy,
      worldSize,
      handleSignals: true,
      onProgress: (p) => progress.update(p),
      onSignal: () => {
        progress.finish();
        printError(`${out}: interrupted; removed the partly staged folder, nothing was staged`);
      },
    });
  } finally {
    progress.finish();
  }
  for (const leftover of result.removedLeftovers) printError(`note: removed ${leftover}, left by an interrupted stage`);
  for (const w of result.warnings) printError(`warning: ${w.path}: ${w.message}`);
  if (options.json) {
    const { overrides, overridesPlusPlus } = nextCommand(result.resumeFrom);
    printJson({ ...result, nextCommand: { overrides, overridesPlusPlus, line: overrides.join(' ') } });
  } else {
    process.stdout.write(formatStageResult(result));
  }
  return ExitCode.Ok;
}

function parseWorldSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw badInput(undefined, `--world-size must be a positive whole number, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}
