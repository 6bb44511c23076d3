/**
 * What preflight's checks decide from: the composed config's values, the release, the trainers
 * the launch runs, the staged critic as scanned, the model folders and the run folder, all read
 * beforehand (src/launch/gather.ts), so that every check is a pure function of this data. And
 * what they say: findings.
 */
import type { Release } from '../verl/release.js';
import type { ReportWarning, RoleReport } from '../checkpoint/reportTypes.js';
import type { RoleListing, StepListing } from '../checkpoint/scan.js';
import type { ComposedKey } from './compose.js';
import type { ModelFolder, TokenFields, TokenizerFacts } from './models.js';

export type FindingLevel = 'error' | 'warning' | 'note';

export interface Finding {
  level: FindingLevel;
  /** The check's number in issue 21's list (1 guard and flag ... 9 restart); 0: the composition itself. */
  check: number;
  /** The config key it concerns (or the file, for the trainer's guard). */
  key: string;
  /** What VeRL would do, and the fix. */
  message: string;
}

export interface TrainerGuard {
  /** Relative to the VeRL root, as `apply` prints it. */
  file: string;
  /** true: every actor load is guarded; false: one is not; null: could not tell (reason). */
  guarded: boolean | null;
  reason?: string;
}

export interface StagedCritic {
  /** The step folder the launch names, absolute (relative ones are joined to the working folder, as VeRL does). */
  folder: string;
  exists: boolean;
  step: StepListing | null;
  /** The lowercase critic/ folder VeRL reads, listed and reported; null: none. */
  listing: RoleListing | null;
  report: RoleReport | null;
  /** What inspect would warn about in that critic folder. */
  warnings: ReportWarning[];
  /**
   * It holds `transfer_queue/`: VeRL 0.9 on restores it in async trainer modes (the old actor's
   * in-flight prompts, v0.9.0:verl/trainer/ppo/v1/trainer_base.py:839-845).
   */
  transferQueue: boolean;
  /** Its HF config, tokenizer and LoRA rank (huggingface/ or where the layout keeps them). */
  saved: { dir: string; config: Record<string, unknown> | null; tokenizer: TokenizerFacts | null; tokens: TokenFields; loraRank: number | null } | null;
}

export interface RunFolder {
  /** trainer.default_local_dir, absolute. */
  path: string;
  /** global_step_N numbers in it. */
  steps: number[];
  /** Those the run saved itself: they hold actor/ (a folder stage made holds critic/ alone). */
  saved: number[];
  /** latest_checkpointed_iteration.txt's number, when it has one. */
  tracker: number | null;
  /**
   * The step resume_mode=auto resumes: the tracker's, when its global_step_N folder exists; else
   * null, and auto trains from scratch (v0.9.0:verl/utils/checkpoint/checkpoint_manager.py:219-245).
   */
  resumable: number | null;
  /** One of its critic files is the same file (hard link) as one the staged critic holds: the old run's folder. */
  holdsStagedFiles: boolean;
  /** It is the staged folder itself, or inside it. */
  insideStaged: boolean;
}

export interface PreflightFacts {
  release: Release;
  values: Partial<Record<ComposedKey, unknown>>;
  absent: readonly ComposedKey[];
  trainers: TrainerGuard[];
  /** null when the launch names no step folder to read. */
  staged: StagedCritic | null;
  criticModel: ModelFolder | null;
  /** The folder the actor's tokenizer is loaded from. */
  actorTokenizer: ModelFolder | null;
  /** Which key named that folder. */
  actorTokenizerKey: ComposedKey;
  runFolder: RunFolder | null;
  /** The commands findings advise, naming the VeRL as the user named it (--verl, --python, the launch's Python). */
  advice: Advice;
}

export interface Advice {
  /** `verl-critic-patch apply <that VeRL>`. */
  apply: string;
  /** `verl-critic-patch stage [--verl X | --python Y]`, to which the checkpoint and the new folder are added. */
  stage: string;
}

export const finding = (level: FindingLevel, check: number, key: string, message: string): Finding => ({ level, check, key, message });
