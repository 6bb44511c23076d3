#!/usr/bin/env node
/**
 * The command line: wiring only. Each verb lives in src/commands/<verb>.ts and exports a
 * `register…(program)` function, listed in VERBS below (add a verb there); each action runs through
 * `runAction` (src/commands/action.ts), which gives it a Printer made from its options and turns
 * failures into one line and an exit code. A patch verb given only paths skips commander
 * (PATHS_ONLY below).
 */
import type * as Commander from 'commander';
import type { Command } from 'commander';
import { requirePackage } from './commonJs.js';
import { ExitCode, EXIT_CODES_HELP } from './errors.js';
import { writesDirectly } from './output/stdio.js';
import { TOOL_VERSION } from './version.js';

const EXAMPLES = `Examples (each verb's --help has more):
  verl-critic-patch diff ~/src/verl > load-critic-only.patch     review the change
  verl-critic-patch apply ~/src/verl                             make it in place
  verl-critic-patch apply --python                               patch the verl python3 imports (pip)
  verl-critic-patch apply .                                      a project that vendors VeRL or builds on it
  verl-critic-patch check --format github .                      in CI: does it still apply?
  verl-critic-patch revert ~/src/verl                            undo it
  verl-critic-patch inspect checkpoints/my_project/my_run        what a checkpoint holds
  verl-critic-patch stage checkpoints/my_project/my_run warm     stage its critic for a new run
  verl-critic-patch preflight -- python3 -m verl.trainer.main_ppo ...   will that launch load it?`;

// Load only the verb that runs (startup time: see BENCHMARKS.md); help and errors list them all.
const VERBS: Record<string, () => Promise<(program: Command) => void>> = {
  diff: async () => (await import('./commands/diff.js')).registerDiff,
  apply: async () => (await import('./commands/apply.js')).registerApply,
  check: async () => (await import('./commands/check.js')).registerCheck,
  revert: async () => (await import('./commands/revert.js')).registerRevert,
  inspect: async () => (await import('./commands/inspect.js')).registerInspect,
  stage: async () => (await import('./commands/stage.js')).registerStage,
  preflight: async () => (await import('./commands/preflight.js')).registerPreflight,
};

/**
 * `diff PATH...`, `apply PATH...`, `check PATH...`, `revert PATH...`: a patch verb and paths, no
 * option. These command lines, the ones most runs are, go straight to the verb's run with the
 * options commander would give it (its defaults; test/cli/pathsOnly.test.ts compares them), without
 * loading commander and building the command line: ~0.7 ms of a `diff` of one trainer, which
 * spends ~22 ms after Node.js has started (BENCHMARKS.md). Anything else (any argument starting
 * with `-`, `--` included, or no path) goes through commander.
 */
const PATHS_ONLY: Record<string, () => Promise<(targets: string[]) => Promise<void>>> = {
  diff: async () => (await import('./commands/diff.js')).pathsOnly,
  apply: async () => (await import('./commands/apply.js')).pathsOnly,
  check: async () => (await import('./commands/check.js')).pathsOnly,
  revert: async () => (await import('./commands/revert.js')).pathsOnly,
};

/** commander: a file of its own in the bundled bin, loaded only by a command line that needs it. */
const commander = () => requirePackage('commander', 'commander.cjs') as typeof Commander;

/** The program, without its verbs. */
function commandLine(): Command {
  return new (commander().Command)()
    .name('verl-critic-patch')
    .description(
      'Guard the actor checkpoint load in VeRL trainers with trainer.load_critic_only, so a new PPO ' +
        'run can start from a fresh actor and reuse the critic of an earlier run.',
    )
    .version(TOOL_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', `\n${EXAMPLES}\n\n${EXIT_CODES_HELP}`);
}

/** The verb's run, when `args` is a patch verb and paths only (PATHS_ONLY). */
async function pathsOnlyRun(args: readonly string[]): Promise<(() => Promise<void>) | undefined> {
  const [verb, ...paths] = args;
  if (verb === undefined || !Object.hasOwn(PATHS_ONLY, verb) || paths.length === 0 || paths.some((arg) => arg.startsWith('-'))) return undefined;
  const run = await PATHS_ONLY[verb]!();
  return () => run(paths);
}

async function runCommandLine(args: readonly string[]): Promise<void> {
  const { CommanderError } = commander();
  const program = commandLine();
  const verb = args.find((arg) => !arg.startsWith('-'));
  const versionOnly = verb === undefined && args.length === 1 && (args[0] === '--version' || args[0] === '-V');
  const wanted = versionOnly ? [] : verb !== undefined && Object.hasOwn(VERBS, verb) ? [verb] : Object.keys(VERBS);
  for (const register of await Promise.all(wanted.map((name) => VERBS[name]!()))) register(program);
  try {
    // `--python` takes the next argument only when it is an interpreter (src/commands/pythonOption.ts).
    const { separatePythonArgs } = await import('./commands/pythonOption.js');
    await program.parseAsync([...process.argv.slice(0, 2), ...separatePythonArgs(args)]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Commander has printed its message; help and --version exit 0, usage errors 2 as documented.
    process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
    // Asked for --json: the usage error is a JSON document on stdout too, as every failure is.
    if (process.exitCode !== ExitCode.Ok && asksForJson(args)) {
      (await import('./commands/action.js')).reportUsageError(verb !== undefined && Object.hasOwn(VERBS, verb) ? verb : null, error.message);
    }
  }
}

/** `--json` anywhere among the options (after `--`, it would be a path). */
function asksForJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
}

/**
 * Only pipes and sockets can lose their reader; a file or the null device is written directly
 * (src/output/stdio.ts), and its Node.js stream is not even loaded.
 */
function stopQuietlyWhenReadersLeave(): void {
  // A reader that stops early (`diff … | head`) is not an error of ours: stop quietly.
  if (!writesDirectly(1)) {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit();
    });
  }
  // Nobody reads stderr any more (`… 2>&1 | head`, a closed CI log): what is left of the notes is
  // lost, but the run finishes, so files are not left half-staged and the exit code still says how
  // it went (an unhandled EPIPE would exit 1, "cannot be patched", whatever the outcome).
  if (!writesDirectly(2)) {
    process.stderr.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

// No top-level await: the bundled bin is CommonJS (scripts/bundle.mjs says why).
async function main(): Promise<void> {
  stopQuietlyWhenReadersLeave();
  const args = process.argv.slice(2);
  const run = await pathsOnlyRun(args);
  await (run ? run() : runCommandLine(args));
}

// Anything else thrown is a bug: Node.js reports it (with its stack) and exits 1.
void main();
