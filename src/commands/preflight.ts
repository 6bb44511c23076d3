/**
 * `preflight [options] -- <launch command>`: decides from files on disk, before anything is
 * launched, whether the new PPO run will skip the actor and load the staged critic. Exit 0: it
 * will (warnings allowed, unless --strict); 1: a finding says it would crash or silently do the
 * wrong thing; 2: usage or unreadable input (no VeRL, no Python with OmegaConf, bad YAML).
 */
import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { preflight } from '../launch/preflight.js';
import type { Printer } from '../output/printer.js';
import { findingLine, formatPreflight, preflightJson } from '../output/preflightReport.js';
import { runAction } from './action.js';
import { PYTHON_VALUE_HELP } from './pythonOption.js';
import { addJsonOption, pathOrPythonUsageError } from './options.js';

export interface PreflightOptions {
  json?: boolean;
  strict?: boolean;
  quiet?: boolean;
  verl?: string;
  python?: string | boolean;
}

const HELP = `
The launch command is the one you start the new run with, exactly as written, after --:
  python3 -m verl.trainer.main_ppo k=v ...      a path to main_ppo.py, the fully-async or a recipe entry
  --config-name / --config-path, +k=v, ++k=v, ~k overrides
or overrides alone (-- k=v ...) with --verl PATH or --python [PY] (installed with pip, by default
the VeRL of the Python it was started from). --verl wins over the command's interpreter.

The config is composed by Hydra itself where the launch's Python has hydra-core (as the launch's
@hydra.main will compose it); else by an OmegaConf emulation on the release's composed snapshot
(_generated_<config-name>.yaml, the one VeRL flattened for the launch's model_engine=...) or its
flat ppo_trainer.yaml, the overrides merged in struct mode as Hydra does; it cannot apply other
config-group overrides (critic=...). The report says which composed; see docs/warm-start.md.

Checks: 1 the trainer this config runs is patched and trainer.load_critic_only=true; 2 resume
mode and path (the release's form, a global_step_N folder holding critic/); 3 the critic's
layout and the files the loader opens (load_contents/contents); 4 world size, fsdp_size,
Megatron tp/pp/cp/ep, strategy; 5 critic.model.path's architecture and LoRA rank; 6 the actor's
tokenizer against the critic's; 7 trainer.default_local_dir; 9 how to restart the run later.

Examples:
  verl-critic-patch preflight -- python3 -m verl.trainer.main_ppo trainer.resume_mode=resume_path \\
      trainer.resume_from_path=/data/warm/global_step_0 trainer.load_critic_only=true ...
  verl-critic-patch preflight --verl ~/src/verl -- trainer.resume_mode=resume_path ...
  # in a launch script, before the launch itself:
  verl-critic-patch preflight -- "$@" && exec "$@"`;

export function registerPreflight(program: Command): void {
  addJsonOption(
    program
      .command('preflight')
      .argument('<launch...>', 'the launch command (after --), or its overrides alone with --verl or --python')
      .description('check, before launching, that a new PPO run will skip the actor and load the staged critic')
      .option('--strict', 'warnings fail too (exit 1)')
      .option('-q, --quiet', 'print only the errors and warnings (nothing on a clean launch); exit codes are unchanged, --json still prints its document')
      .option('--verl <path>', 'the VeRL the run uses (a checkout, its verl/ package folder, or site-packages); wins over the command\'s interpreter')
      .option('--python [interpreter]', `the VeRL this Python imports (default: the command's interpreter, else python3); ${PYTHON_VALUE_HELP}`),
  )
    .addHelpText('after', HELP)
    .action((launch: string[], options: PreflightOptions, command: Command) => {
      pathOrPythonUsageError(command, options.verl !== undefined ? '--verl' : undefined, options.python);
      return runAction('preflight', options, (printer) => preflightCommand(launch, options, printer), { readsCode: true });
    });
}

export async function preflightCommand(launch: readonly string[], options: PreflightOptions, printer: Printer): Promise<ExitCode> {
  const { gathered, findings, verdict } = await preflight(launch, { verl: options.verl, python: options.python }, Boolean(options.strict));
  if (gathered.site.note !== null) printer.note(gathered.site.note);
  if (options.json) printer.json(preflightJson(gathered, findings, verdict));
  else if (printer.quiet) {
    // For a launch script (`preflight -q -- ... && exec ...`): only what is wrong, nothing when clean.
    const problems = findings.filter((f) => f.level !== 'note').map(findingLine);
    if (problems.length > 0) printer.data(`${problems.join('\n')}\n`);
  } else printer.data(formatPreflight(findings, verdict, gathered.composed.composer));
  return verdict.ok ? ExitCode.Ok : ExitCode.Refused;
}
