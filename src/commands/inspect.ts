/**
 * `inspect <path>`: what a checkpoint folder holds, and what VeRL would trip over. Exit 1 when VeRL
 * cannot load what it found (missing ranks or files, no weights, an unreadable file), and with
 * --strict on any warning as well; exit 0 otherwise; exit 2 when the path is not a checkpoint
 * folder at all. The report is printed in every case.
 */
import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { inspectCheckpoint } from '../checkpoint/inspect.js';
import { formatReport, problemLines } from '../output/inspectTable.js';
import { jsonError, type Printer } from '../output/printer.js';
import { runAction } from './action.js';
import { addJsonOption } from './options.js';

export function registerInspect(program: Command): void {
  addJsonOption(
    program
      .command('inspect')
      .argument('<path>', "a run's checkpoint folder (trainer.default_local_dir) or one global_step_N folder")
      .description('report what a VeRL checkpoint holds: latest step, actor/critic, layout, world size, contents')
      .option('--strict', 'exit 1 on any warning too, not only on what VeRL cannot load')
      .option('-q, --quiet', 'print only what VeRL cannot load and the warnings, one line each (nothing on a clean checkpoint); exit codes are unchanged, --json still prints its document'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  verl-critic-patch inspect checkpoints/my_project/my_run\n' +
        '  verl-critic-patch inspect --json checkpoints/my_project/my_run/global_step_120\n' +
        '  verl-critic-patch inspect -q --strict checkpoints/my_project/my_run && echo clean',
    )
    .action((target: string, options: InspectOptions) => runAction('inspect', options, (out) => inspectCommand(target, options, out)));
}

interface InspectOptions {
  json?: boolean;
  strict?: boolean;
  /** -q: the problems alone, one line each. */
  quiet?: boolean;
}

export async function inspectCommand(target: string, options: InspectOptions, out: Printer): Promise<ExitCode> {
  const report = await inspectCheckpoint(target);
  const failing = report.warnings.filter((w) => options.strict || w.level === 'error');
  const exitCode = failing.length > 0 ? ExitCode.Refused : ExitCode.Ok;
  if (options.json) out.json({ error: failing[0] ? jsonError(exitCode, `${failing[0].path}: ${failing[0].message}`, failing[0].path) : null, ...report });
  else if (out.quiet) out.data(problemLines(report));
  else out.data(formatReport(report));
  return exitCode;
}
