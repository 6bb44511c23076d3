/**
 * `inspect <path>`: what a checkpoint folder holds, and what VeRL would trip over. Always exit 0
 * when there is a checkpoint to describe (problems are reported, not failed on); exit 2 when the
 * path is not a checkpoint folder at all.
 */
import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { inspectCheckpoint } from '../checkpoint/inspect.js';
import { formatReport } from '../output/inspectTable.js';
import { runAction } from './action.js';
import { addJsonOption } from './options.js';

export function registerInspect(program: Command): void {
  addJsonOption(
    program
      .command('inspect')
      .argument('<path>', "a run's checkpoint folder (trainer.default_local_dir) or one global_step_N folder")
      .description('report what a VeRL checkpoint holds: latest step, actor/critic, backend, world size, contents'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  verl-critic-patch inspect checkpoints/my_project/my_run\n' +
        '  verl-critic-patch inspect --json checkpoints/my_project/my_run/global_step_120',
    )
    .action((target: string, options: { json?: boolean }) =>
      runAction('inspect', options, async (out) => {
        const report = await inspectCheckpoint(target);
        if (options.json) out.json(report);
        else out.data(formatReport(report));
        return ExitCode.Ok;
      }),
    );
}
