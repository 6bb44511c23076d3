/**
 * A VeRL's trainers: the files that have carried a copy of `_load_checkpoint`, the ones a launch
 * runs, and whether each guards its actor load. The guard is decided by the analysis `check` runs
 * (planTrainer), the one answer that `stage --verl` and preflight's check 1 both use, so a comment
 * naming load_critic_only cannot pass for the guard. Texts are decoded as `check` decodes them
 * (readSource): a file that is not UTF-8, or holds a lone CR, is refused with `check`'s words
 * (bad input, exit 2) rather than analysed on a text Python would not run.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeText, readSource } from '../io/readSource.js';
import { toPosix } from '../io/paths.js';
import { planTrainer } from '../python/plan.js';
import type { VerlCopy } from './copies.js';

/**
 * Trainers VeRL has carried a copy of `_load_checkpoint` in (the main one, the 2026 v1 and sync
 * trainers, experimental and recipe trainers), relative to the folder holding the package, in the
 * order reports show them.
 */
const KNOWN_TRAINERS = [
  'verl/trainer/ppo/ray_trainer.py',
  'verl/trainer/ppo/v1/trainer_base.py',
  'verl/trainer/main_ppo_sync.py',
  'verl/experimental/transfer_queue/ray_trainer.py',
  'verl/trainer/diffusion/ray_diffusion_trainer.py',
  'recipe/spin/spin_trainer.py',
  'recipe/prime/prime_ray_trainer.py',
  'recipe/transfer_queue/ray_trainer.py',
];

/** VeRL's main trainer and main config, relative to its package folder: always targets of a copy. */
export const MAIN_TRAINER = 'trainer/ppo/ray_trainer.py';
export const MAIN_CONFIG = 'trainer/config/ppo_trainer.yaml';

/** Is `path` the copy's main trainer (`<package>/trainer/ppo/ray_trainer.py`)? */
export function isMainTrainer(copy: VerlCopy, file: string): boolean {
  return path.resolve(file) === path.resolve(copy.packageDir, MAIN_TRAINER);
}

/** Known trainers first, in KNOWN_TRAINERS order; any other file after, sorted by path. */
export function orderTrainerFiles(files: readonly string[]): string[] {
  const rank = (file: string) => {
    const posix = toPosix(path.resolve(file));
    const index = KNOWN_TRAINERS.findIndex((known) => posix.endsWith(`/${known}`));
    return index === -1 ? KNOWN_TRAINERS.length : index;
  };
  // Rank each file once, not in every comparison (a checkout has thousands of .py files).
  const ranks = new Map(files.map((file) => [file, rank(file)]));
  return [...files].sort((a, b) => ranks.get(a)! - ranks.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * From 0.9 the ppo/v1 trainer main_ppo runs by default (v0.9.0:verl/trainer/config/ppo_trainer.yaml:222,
 * trainer.use_v1: true), beside RayPPOTrainer's MAIN_TRAINER; relative to the package folder.
 */
export const V1_TRAINER = 'trainer/ppo/v1/trainer_base.py';

/**
 * Whether each of main_ppo's trainers that exists guards its actor load (`stage --verl`: the run
 * that uses an unguarded one loads <folder>/actor). null: none found.
 */
export function mainPpoTrainersGuarded(packageDir: string): boolean | null {
  return allGuarded([MAIN_TRAINER, V1_TRAINER].map((file) => path.join(packageDir, file)).filter((file) => existsSync(file)));
}

/**
 * Whether every one of `files` that loads the actor guards that load (one it cannot read or judge
 * is not guarded); null: none of them loads the actor (a file with no actor load is no trainer).
 */
export function allGuarded(files: readonly string[]): boolean | null {
  const verdicts = files.map(readTrainerGuard).filter((verdict) => verdict !== null);
  return verdicts.length === 0 ? null : verdicts.every((verdict) => verdict.guarded === true);
}

/** What trainersRunBy needs to know of a launch: the package, the entry's file, and whether it is main_ppo. */
export interface EntrySite {
  packageDir: string;
  entryFile: string;
  mainPpo: boolean;
}

/**
 * The trainer files whose checkpoint load this launch runs. VeRL's main_ppo: from 0.9,
 * `trainer.use_v1` (default true, v0.9.0:verl/trainer/config/ppo_trainer.yaml:222) picks
 * TaskRunnerV1, whose trainers subclass `PPOTrainer` of `trainer/ppo/v1/trainer_base.py`
 * (v0.9.0:verl/trainer/main_ppo.py:184-193, v0.9.0:verl/trainer/ppo/v1/trainer_base.py:789),
 * else main_ppo_v0's RayPPOTrainer (`trainer/ppo/ray_trainer.py`); before 0.9 always the latter.
 * Another entry (fully-async, a recipe) runs the trainers beside it: every .py file in its folder
 * that loads the actor's checkpoint.
 */
export function trainersRunBy(site: EntrySite, useV1: unknown): string[] {
  if (site.mainPpo) {
    const v1 = path.join(site.packageDir, V1_TRAINER);
    const mainText = readSource(site.entryFile).text;
    if (mainText.includes('trainer.use_v1') && useV1 === true && existsSync(v1)) return [v1];
    return [path.join(site.packageDir, MAIN_TRAINER)];
  }
  const dir = path.dirname(site.entryFile);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.py'))
    .map((name) => path.join(dir, name));
  const texts = files.map((file) => readSource(file).text);
  const own = files.filter((_, i) => /actor_rollout_wg\s*\.\s*load_checkpoint/.test(texts[i]!));
  // A recipe that runs VeRL's RayPPOTrainer as it is (imports it, subclasses it without its own load).
  const usesVerls = texts.some((text) => text.includes('verl.trainer.ppo.ray_trainer'));
  return own.length > 0 ? own : usesVerls ? [path.join(site.packageDir, MAIN_TRAINER)] : [];
}

/** true: every actor load is guarded; false: one is not; null: could not tell (reason). */
export interface GuardVerdict {
  guarded: boolean | null;
  reason?: string;
}

/** The verdict on `file`; null when it has no real actor load (not a trainer). */
export function readTrainerGuard(file: string): GuardVerdict | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    // A trainer the launch names but that is missing or unreadable: unknown, said as such.
    return { guarded: null, reason: 'cannot read it' };
  }
  const plan = planTrainer('patch', decodeText(file, bytes));
  if (plan.status === 'unchanged') return { guarded: true };
  if (plan.status === 'change') return { guarded: false };
  if (plan.status === 'refused' && plan.notATarget) return null;
  return { guarded: null, reason: plan.reason };
}
