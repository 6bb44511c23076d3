/**
 * `stage <checkpoint> <out>`: builds `<out>/global_step_0/critic/` from a finished run's critic,
 * so that a new run can start at step 0 with that critic, a fresh actor and a fresh dataloader,
 * and prints how to launch it for the VeRL release that will load it (--verl, else the release
 * that saved it). Exit 1 when the checkpoint cannot be staged or that release cannot load it (no
 * critic, incomplete, wrong world size, a layout or a partial save it does not read); exit 2 for
 * bad input (not a checkpoint, a bad `<out>` or --verl, unreadable files).
 */
import type { Command } from 'commander';
import { ExitCode, badInput } from '../errors.js';
import { CARRIES, type Carry } from '../checkpoint/carry.js';
import { ROUTES, type Route } from '../checkpoint/route.js';
import { stageCritic } from '../checkpoint/stage.js';
import type { Printer } from '../output/printer.js';
import { createProgressLine } from '../output/progress.js';
import { formatStageResult } from '../output/stageSummary.js';
import { commandOnTargets } from '../advisedCommands.js';
import { pythonsVerlLine, verlOfPython } from '../verl/locate.js';
import { checkStagedLaunch } from '../launch/stageChecks.js';
import { findingLine } from '../output/preflightReport.js';
import { shellWord } from '../hydra.js';
import { runAction } from './action.js';
import { PYTHON_VALUE_HELP } from './pythonOption.js';
import { addJsonOption, pathOrPythonUsageError } from './options.js';

interface StageCommandOptions {
  json?: boolean;
  /** -q: errors and warnings only (no summary, no notes, no progress line). */
  quiet?: boolean;
  copy?: boolean;
  worldSize?: string;
  modelOnly?: boolean;
  carry?: Carry;
  verl?: string;
  /** --python [interpreter]: the VeRL the new run uses is the verl package it imports. */
  python?: string | boolean;
  allowUnpatched?: boolean;
  route?: Route;
}

export function registerStage(program: Command): void {
  const command = program.command('stage');
  addJsonOption(
    command
      .argument('<checkpoint>', 'a run folder (its latest step is used) or one global_step_N folder')
      .argument('<out>', 'a new or empty folder; receives global_step_0/critic/')
      .description("stage a checkpoint's critic as <out>/global_step_0/critic/ for a new run (load_critic_only)")
      .addOption(
        command
          .createOption(
            '--carry <what>',
            "what the new run's critic takes from the old one: weights (its optimizer and LR schedule start from the new run's config; " +
              'the default where the release can load them alone), optimizer (weights + Adam state, fresh schedule), or all (everything saved: continue the old training)',
          )
          .choices(CARRIES),
      )
      .option('-q, --quiet', 'print only errors and warnings (no summary and launch line, no notes, no progress line); exit codes are unchanged, --json still prints its document')
      .option('--copy', 'copy files instead of hard-linking them (links are used where the filesystem allows)')
      .option('--world-size <n>', 'refuse unless the critic was saved with this world size (GPUs of the new run)')
      .option('--model-only', 'the same as --carry weights')
      .option('--verl <path>', 'the VeRL the new run uses (a checkout, its verl/ package folder, or site-packages): print overrides its release and config accept, or refuse')
      .option('--python [interpreter]', `instead of --verl: the verl package this Python imports (default python3); ${PYTHON_VALUE_HELP}`)
      .addOption(
        command
          .createOption(
            '--route <route>',
            'how the new run skips the old actor: patch (trainer.load_critic_only=true, on a trainer verl-critic-patch apply guarded) or overrides ' +
              '(actor_rollout_ref.actor.checkpoint.load_contents=[], no code change: VeRL 0.4.1+ with an FSDP/FSDP2 actor); ' +
              'default: patch where the trainer is patched, else overrides where the release allows them',
          )
          .choices(ROUTES),
      )
      .option('--allow-unpatched', "with --verl/--python: stage for the patch route even though that VeRL's trainer lacks the load_critic_only guard (else the override route where the release allows it, or exit 1)"),
  )
    .addHelpText(
      'after',
      '\nWhat carries over (--carry), by the release of the new run:\n' +
        '  weights    FSDP 0.4.1+ and Megatron 0.6+: critic.checkpoint.load_contents=[model]; nothing of the old run\'s training state.\n' +
        '             FSDP 0.2-0.4.0 load everything (refused); Megatron 0.3-0.5 only with an override that also narrows what the new run saves.\n' +
        '  optimizer  + Adam state: FSDP betas, eps, weight_decay come from the old run; the LR schedule starts fresh.\n' +
        '  all        everything saved: FSDP also takes the old critic.optim.lr, warmup and schedule position (a cosine past its end rises again).\n' +
        '  default    weights where the release can load them alone without side effects, else all; stage prints what the new run inherits.\n' +
        '\nHow the new run skips the old actor (--route):\n' +
        '  patch      trainer.load_critic_only=true, on a trainer verl-critic-patch apply guarded (every release).\n' +
        '  overrides  actor_rollout_ref.actor.checkpoint.load_contents=[], no change to VeRL (0.4.1+, FSDP/FSDP2 actor; not Megatron).\n' +
        '\nExamples:\n  verl-critic-patch stage --verl ~/src/verl checkpoints/my_project/my_run warm_start\n' +
        '  verl-critic-patch stage --world-size 8 --carry optimizer checkpoints/my_project/my_run/global_step_120 /data/warm_start',
    )
    .action((checkpoint: string, out: string, options: StageCommandOptions, command: Command) => {
      pathOrPythonUsageError(command, options.verl !== undefined ? '--verl' : undefined, options.python);
      if (options.modelOnly && options.carry !== undefined && options.carry !== 'weights') {
        command.error(`error: --model-only means --carry weights, not --carry ${options.carry}`);
      }
      // With --verl/--python (or started by the Python launcher) it reads the new run's trainers.
      return runAction('stage', options, (printer) => stageCommand(checkpoint, out, options, printer), { readsCode: true });
    });
}

export async function stageCommand(checkpoint: string, out: string, options: StageCommandOptions, printer: Printer): Promise<ExitCode> {
  const worldSize = parseWorldSize(options.worldSize);
  // Neither --verl nor --python: started by the Python launcher, the VeRL its Python imports, if
  // any (src/verl/locate.ts); options.python is set to it, so the apply command advised names it.
  const imported = verlOfPython({ python: options.python, named: options.verl !== undefined, verb: { verb: 'stage', pathOption: '--verl ' }, needed: false });
  if (imported?.fromLauncher) options.python = imported.interpreter;
  if (imported) note(printer, imported.fromLauncher ? pythonsVerlLine(imported) : `note: ${pythonsVerlLine(imported)}`);
  const progress = createProgressLine(printer.quiet ? { isTTY: false, write: () => true } : process.stderr, 'staging critic');
  let result;
  try {
    result = await stageCritic(checkpoint, out, {
      copy: options.copy,
      worldSize,
      carry: options.carry,
      modelOnly: options.modelOnly,
      verl: imported?.packageDir ?? options.verl,
      allowUnpatched: options.allowUnpatched,
      route: options.route,
      applyCommand: applyCommandFor(options),
      handleSignals: true,
      beforeFile: pauseForTests(),
      onProgress: (p) => progress.update(p),
      onSignal: () => {
        progress.finish();
        printer.error(`${out}: interrupted; removed the partly staged folder, nothing was staged`);
      },
    });
  } finally {
    progress.finish();
  }
  for (const leftover of result.removedLeftovers) note(printer, `note: removed ${leftover}, left by an interrupted stage`);
  for (const w of result.warnings) printer.error(`warning: ${w.path}: ${w.message}`);
  // preflight's checks 1-4 on the launch printed for the VeRL named (src/launch/stageChecks.ts).
  const verl = imported?.packageDir ?? options.verl;
  const checked = verl === undefined ? undefined : await checkStagedLaunch(result, verl, worldSize, options.allowUnpatched);
  const findings = checked && 'findings' in checked ? checked.findings : [];
  if (checked && 'skipped' in checked) note(printer, `note: preflight checks of the printed launch skipped: ${checked.skipped}`);
  for (const f of findings) printer.error(`preflight: ${findingLine(f)}`);
  if (options.json) {
    const { overrides, overridesPlusPlus } = result.launch;
    const preflight = checked === undefined ? null : 'skipped' in checked ? { skipped: checked.skipped } : { findings };
    // overrides as argv elements (for subprocess, or preflight's words), line for a shell.
    printer.json({ ...result, nextCommand: { overrides, overridesPlusPlus, line: overrides.map(shellWord).join(' ') }, preflight });
  } else if (!printer.quiet) {
    printer.data(formatStageResult(result, { python: typeof options.python === 'string' ? options.python : undefined }));
  }
  return findings.some((f) => f.level === 'error') ? ExitCode.Refused : ExitCode.Ok;
}

/** A note of stage's, prefixed as its errors are (it is one line of the run's report); -q drops it. */
function note(printer: Printer, line: string): void {
  if (!printer.quiet) printer.error(line);
}

/** The apply command for the new run's VeRL, naming it as the user did (--python as typed, else the --verl path). */
function applyCommandFor(options: StageCommandOptions): string | undefined {
  if (options.python === undefined && options.verl === undefined) return undefined;
  return commandOnTargets('apply', { targets: options.python === undefined ? [options.verl!] : [], python: options.python });
}

function parseWorldSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw badInput(undefined, `--world-size must be a positive whole number, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * Test seam, documented in docs/development.md ("Reliability"): VERL_CRITIC_PATCH_TEST_STAGE_PAUSE=N makes
 * a stage wait, before its file number N (0-based), for a minute; tests interrupt it there, at a
 * moment they choose instead of one they must catch.
 */
function pauseForTests(): ((relPath: string, index: number) => Promise<void>) | undefined {
  const at = process.env.VERL_CRITIC_PATCH_TEST_STAGE_PAUSE;
  if (at === undefined || !/^\d+$/.test(at)) return undefined;
  return async (_relPath, index) => {
    if (index === Number(at)) await new Promise((resolve) => setTimeout(resolve, 60_000));
  };
}
