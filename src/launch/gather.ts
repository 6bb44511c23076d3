/**
 * Reads everything preflight's checks decide from (the edge): the launch's VeRL and config (via
 * entry.ts and compose.ts), whether the trainers it runs carry the guard (the same analysis as
 * `check`), the staged critic (scanned and reported as `inspect` does), the model folders and the
 * new run's folder. Returns the facts, or the override the config refuses (a finding of its own).
 */
import { flagOverride } from '../hydra.js';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ToolError, badInput } from '../errors.js';
import { buildRoleReport } from '../checkpoint/report.js';
import type { ReportWarning } from '../checkpoint/reportTypes.js';
import { scanCheckpoint } from '../checkpoint/scan.js';
import { TRACKER_FILE, parseStepDirName, parseTracker } from '../checkpoint/layout.js';
import { allGuarded, readTrainerGuard, trainersRunBy } from '../verl/trainers.js';
import { parseLaunchCommand, type LaunchCommand } from './command.js';
import { composeConfig, isRefusal, type Composed, type ComposeRefusal, type ComposeRequest } from './compose.js';
import { launchInterpreter, locateLaunch, type LaunchSite, type SiteOptions } from './entry.js';
import { finding, type Advice, type Finding, type PreflightFacts, type RunFolder, type StagedCritic, type TrainerGuard } from './facts.js';
import { commandOnTargets, stageCommandFor } from '../advisedCommands.js';
import { readModelFolder, readSavedCriticModel } from './models.js';
import { resumeTarget } from './checks/resume.js';
import { WRITE_OVERRIDE_INSTEAD, overrideRoute } from '../checkpoint/route.js';

export interface Gathered {
  command: LaunchCommand;
  site: LaunchSite;
  composed: Composed | ComposeRefusal;
  /** null when the config refused an override: the refusal is the only finding. */
  facts: PreflightFacts | null;
  refusal: Finding | null;
}

export async function gather(words: readonly string[], options: SiteOptions): Promise<Gathered> {
  const cwd = options.cwd ?? process.cwd();
  const parsed = parseLaunchCommand(words);
  if ('error' in parsed) throw badInput(undefined, `launch command: ${parsed.error}`);
  const command = parsed.command;
  const site = locateLaunch(command, { ...options, cwd });
  // The launch's own interpreter composes first (or --python's, for overrides alone).
  const interpreter = launchInterpreter(command, cwd) ?? (typeof options.python === 'string' ? options.python : null);
  const composed = composeConfig(composeRequest(site, command), interpreter);
  if (isRefusal(composed)) {
    if (composed.key === null) throw badInput(composed.files[0] ?? site.configFile, composed.error);
    // Hydra stops the launch before anything runs: the same words, the key named.
    return { command, site, composed, facts: null, refusal: refusalFinding(composed.key, composed.error, adviceFor(command, site, options), site) };
  }
  const { values } = composed;
  const root = path.dirname(site.packageDir);
  const trainers = trainersRunBy(site, values['trainer.use_v1']).map((file) => trainerGuard(file, root)).filter((t): t is TrainerGuard => t !== null);
  const target = resumeTarget(site.release, values);
  // A relative step folder or run folder is joined to the working folder, as VeRL does
  // (v0.9.0:verl/trainer/ppo/v1/trainer_base.py:796-810, v0.3.0.post0:verl/trainer/ppo/ray_trainer.py:697-714).
  const staged = target.kind === 'folder' ? await readStaged(path.resolve(cwd, target.folder)) : null;
  // The actor's tokenizer: actor_rollout_ref.model.path (v0.5.0:verl/trainer/main_ppo.py:113-122); from
  // 0.9 HFModelConfig's tokenizer_path, which defaults to that path (v0.9.0:verl/workers/config/model.py:153-154,
  // v0.9.0:verl/trainer/ppo/v1/trainer_base.py:646-649).
  const actorKey = typeof values['actor_rollout_ref.model.tokenizer_path'] === 'string' ? 'actor_rollout_ref.model.tokenizer_path' : 'actor_rollout_ref.model.path';
  const modelAt = (value: unknown) => (typeof value === 'string' ? readModelFolder(value, cwd) : null);
  const localDir = values['trainer.default_local_dir'];
  const facts: PreflightFacts = {
    release: site.release,
    values,
    absent: composed.absent,
    trainers,
    staged,
    criticModel: modelAt(values['critic.model.path']),
    actorTokenizer: modelAt(values[actorKey]),
    actorTokenizerKey: actorKey,
    runFolder: typeof localDir === 'string' ? readRunFolder(path.resolve(cwd, localDir), staged) : null,
    advice: adviceFor(command, site, options),
  };
  return { command, site, composed, facts, refusal: null };
}

/** What composes the launch's config: Hydra's inputs as `@hydra.main` has them, and the emulation's search path. */
export function composeRequest(site: LaunchSite, command: LaunchCommand): ComposeRequest {
  return {
    configDir: site.configDir,
    configName: site.configName,
    configDirs: site.configDirs,
    searchpath: site.searchpath,
    verlPackage: site.packageDir,
    ...(site.versionBase !== undefined ? { versionBase: site.versionBase } : {}),
    overrides: command.overrides,
  };
}

/**
 * The finding for an override Hydra refuses. The flag's key missing from the config means `apply`
 * has not run here (it adds the key and guards the trainer): Hydra's own advice (`+key`) would
 * start a run whose trainer still loads the actor, unless the trainer was guarded by hand, which
 * the trainers this entry may run say (the config did not compose, so all of them are asked).
 */
function refusalFinding(key: string, error: string, advice: Advice, site: LaunchSite): Finding {
  if (key !== 'trainer.load_critic_only' || !/not in struct/i.test(error)) {
    return finding('error', 0, key, `${error}: Hydra refuses this override and the launch stops before training starts`);
  }
  // Every trainer this entry may run, with trainer.use_v1 either way, guarded by hand.
  if (allGuarded([...new Set([...trainersRunBy(site, true), ...trainersRunBy(site, false)])]) === true) {
    return finding('error', 0, key, `its config has no trainer.load_critic_only, so Hydra refuses the override and the launch stops; the trainer already guards its actor load: write ${flagOverride(false)} instead, or run ${advice.apply} to declare the key`);
  }
  // The other fix, as the unguarded trainer's error names it (checks/route.ts); the config did not
  // compose, so the actor's strategy is unknown and said as the condition.
  const route = overrideRoute({ release: site.release, strategy: null, keyDeclared: null });
  const alternative = route.ok ? `; or, with no patch, ${WRITE_OVERRIDE_INSTEAD} (with an FSDP or FSDP2 actor: ${route.why})` : '';
  return finding('error', 0, key, `this VeRL is not patched: its config has no trainer.load_critic_only (Hydra refuses the override and the launch stops) and its trainer loads the actor whatever the flag says; run ${advice.apply}${alternative}`);
}

/**
 * The apply and stage commands for this launch's VeRL, named as the user named it: --verl as
 * typed, --python, the checkout holding the launched script, or the launch's own interpreter.
 */
function adviceFor(command: LaunchCommand, site: LaunchSite, options: SiteOptions): Advice {
  const typed: { verl?: string; python?: string | boolean } =
    options.verl !== undefined
      ? { verl: options.verl }
      : options.python !== undefined
        ? { python: options.python }
        : command.interpreter !== null && !site.foundBy.startsWith('the checkout')
          ? { python: command.interpreter }
          : { verl: path.dirname(site.packageDir) };
  const apply = commandOnTargets('apply', typed.verl !== undefined ? { targets: [typed.verl] } : { targets: [], python: typed.python });
  return { apply, stage: stageCommandFor(typed) };
}

/** Guarded or not, by the analysis `check` runs (src/verl/trainers.ts); a file with no real actor load is not a trainer. */
function trainerGuard(file: string, root: string): TrainerGuard | null {
  const verdict = readTrainerGuard(file);
  return verdict === null ? null : { file: path.relative(root, file), ...verdict };
}

async function readStaged(folder: string): Promise<StagedCritic> {
  const empty: StagedCritic = { folder, exists: false, step: null, listing: null, report: null, warnings: [], saved: null, transferQueue: false };
  let isDir = false;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    return empty;
  }
  if (!isDir) return empty;
  let listing;
  try {
    listing = await scanCheckpoint(folder);
  } catch (error) {
    if (error instanceof ToolError) return { ...empty, exists: true };
    throw error;
  }
  const step = listing.kind === 'step' ? listing.step : null;
  const role = step?.roles.critic.find((r) => r.name === 'critic') ?? null;
  const warnings: ReportWarning[] = [];
  const report = role ? buildRoleReport(role, warnings) : null;
  const transferQueue = existsSync(path.join(folder, 'transfer_queue'));
  return { folder, exists: true, step, listing: role, report, warnings, saved: role ? readSavedCriticModel(role.path) : null, transferQueue };
}

function readRunFolder(dir: string, staged: StagedCritic | null): RunFolder {
  // The staged folder holds the step folder the launch names (`<out>/global_step_0`).
  const stagedOut = staged && parseStepDirName(path.basename(staged.folder)) !== null ? path.dirname(staged.folder) : null;
  const insideStaged = stagedOut !== null && (dir === stagedOut || dir.startsWith(`${stagedOut}${path.sep}`));
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return { path: dir, steps: [], saved: [], tracker: null, resumable: null, holdsStagedFiles: false, insideStaged };
  }
  const steps = names.map(parseStepDirName).filter((n): n is number => n !== null).sort((a, b) => a - b);
  let tracker: number | null = null;
  try {
    tracker = parseTracker(readFileSync(path.join(dir, TRACKER_FILE), 'utf8'));
  } catch {
    tracker = null;
  }
  const resumable = tracker !== null && steps.includes(tracker) ? tracker : null;
  const saved = steps.filter((step) => existsSync(path.join(dir, `global_step_${step}`, 'actor')));
  return { path: dir, steps, saved, tracker, resumable, holdsStagedFiles: !insideStaged && sharesFiles(dir, names, staged), insideStaged };
}

/**
 * `stage` hard-links the old run's files: a staged critic file that is the same inode as a file of
 * this folder's critics means this folder is the old run's. (Copies, `--copy`, are not recognised.)
 */
function sharesFiles(dir: string, names: readonly string[], staged: StagedCritic | null): boolean {
  const probe = staged?.listing?.tree.files[0];
  if (!probe) return false;
  let inode: { dev: number; ino: number };
  try {
    inode = statSync(probe.source);
  } catch {
    return false;
  }
  return names.some((name) => {
    if (parseStepDirName(name) === null) return false;
    try {
      const other = statSync(path.join(dir, name, 'critic', probe.relPath));
      return other.ino === inode.ino && other.dev === inode.dev;
    } catch {
      return false;
    }
  });
}
