/**
 * `inspect <path>`: what a checkpoint folder holds, and what VeRL would trip over. Exit 1 when VeRL
 * cannot load what it found (missing ranks or files, no weights, an unreadable file), and with
 * --strict on any warning as well; exit 0 otherwise; exit 2 when the path is not a checkpoint
 * folder at all. The report is printed in every case.
 */
import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { inspectCheckpoint } from '../checkpoint/inspect.js';
import { formatReport } from '../output/inspectTable.js';
import { jsonError } from '../output/printer.js';
import { runAction } from './action.js';
import { addJsonOption } from './options.js';

export function registerInspect(program: Command): void {
  addJsonOption(
    program
      .command('inspect')
      .argument('<path>', "a run's checkpoint folder (trainer.default_local_dir) or one global_step_N folder")
      .description('report what a VeRL checkpoint holds: latest step, actor/critic, layout, world size, contents')
      .option('--strict', 'exit 1 on any warning too, not only on what VeRL cannot load'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  verl-critic-patch inspect checkpoints/my_project/my_run\n' +
        '  verl-critic-patch inspect --json checkpoints/my_project/my_run/global_step_120',
    )
    .action((target: string, options: { json?: boolean; strict?: boolean }) =>
      runAction('inspect', options, async (out) => {
        const report = await inspectCheckpoint(target);
        const failing = report.warnings.filter((w) => options.strict || w.level === 'error');
        const exitCode = failing.length > 0 ? ExitCode.Refused : ExitCode.Ok;
        if (options.json) out.json({ error: failing[0] ? jsonError(exitCode, `${failing[0].path}: ${failing[0].message}`, failing[0].path) : null, ...report });
        else out.data(formatReport(report));
        return exitCode;
      }),
    );
}
