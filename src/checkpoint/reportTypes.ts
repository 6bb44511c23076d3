/**
 * The shapes of the report `inspect` prints and `stage` and `preflight` check (report.ts builds
 * them from a listing; preview.ts adds what a warm start would restore). Types only: both
 * builders and their readers (output/, launch/) import them from here, below all of them.
 */
import type { Carried, Carry, Inherited } from './carry.js';
import type { LayoutFamily, LoaderId } from './families.js';
import type { LatestStepSource, Part, Role, ShardKind } from './layout.js';
import type { Parallel } from './megatron.js';

export type WarningCode =
  | 'no-steps'
  | 'tracker-missing'
  | 'tracker-malformed'
  | 'tracker-step-missing'
  | 'tracker-disagrees'
  | 'not-global-step'
  | 'no-critic'
  | 'role-case'
  | 'no-model'
  | 'mixed-backend'
  | 'mixed-world-sizes'
  | 'world-size-unchecked'
  | 'missing-ranks'
  | 'extra-ranks'
  | 'incomplete'
  | 'fsdp-config'
  | 'unreadable'
  | 'leftover-temp';

/**
 * What a warning is about, so that a consumer can keep the ones that matter to it (stage keeps
 * the run's and its critic's) without reading paths: the run folder, the step folder, a role
 * folder (`folder` is its name on disk: `critic`, or a variant such as `Critic`), or stage's `<out>`.
 */
export type WarningScope = 'run' | 'step' | Role | 'out';

/**
 * `error`: VeRL cannot load this as it is (missing ranks or files, no weights, an unreadable
 * file); inspect exits 1 on one. `warning`: worth knowing, but VeRL loads it (or `stage` fixes it).
 */
export type WarningLevel = 'error' | 'warning';

export interface ReportWarning {
  code: WarningCode;
  level: WarningLevel;
  scope: WarningScope;
  /** For role scopes: the role folder's name on disk. */
  folder?: string;
  /** The file or folder the warning is about. */
  path: string;
  message: string;
  /** For warnings about one set of FSDP shards (missing-ranks, extra-ranks): its world size. */
  worldSize?: number;
  /** For missing files (missing-ranks, incomplete): what they hold, so a model-only stage can ignore the rest. */
  part?: Part;
}

export type Backend = 'fsdp' | 'megatron' | 'mixed' | 'unknown';

export interface MissingRanks {
  kind: ShardKind;
  worldSize: number;
  ranks: number[];
}

export interface RoleReport {
  /** Name on disk; anything but the lowercase role name is invisible to VeRL. */
  folder: string;
  path: string;
  backend: Backend;
  /** The shape of the files and the releases whose saver writes it (families.ts); null: none known. */
  layout: { id: LayoutFamily['id']; label: string; savedBy: string } | null;
  /** The one world size the files agree on (FSDP shard names; Megatron's per-rank RNG files or manifest); else null. */
  worldSize: number | null;
  /** Megatron's parallel layout, where the files say it; null for FSDP. */
  parallel: Parallel | null;
  /** Every world size seen in shard names, ascending. */
  worldSizes: number[];
  /** null = not knowable (a Megatron dist_ckpt/ whose .metadata cannot be read). */
  contents: Record<ShardKind, boolean | null>;
  missingRanks: MissingRanks[];
  fsdpConfig: { present: boolean; worldSize: number | null };
  huggingface: { files: number; weights: boolean } | null;
  files: number;
  bytes: number;
}

export interface StepReport {
  path: string;
  /** From the folder name; null when it is not `global_step_<N>`. */
  step: number | null;
  dataPt: boolean;
  /** The folder VeRL would read (lowercase), else the first case variant, else null. */
  actor: RoleReport | null;
  critic: RoleReport | null;
  /** Case variants VeRL does not read, e.g. ['Critic']. */
  ignoredFolders: string[];
}

export interface RunReport {
  tracker: { present: boolean; step: number | null; raw: string | null };
  steps: number[];
  highestStep: number | null;
  /** The step described under `step`: the tracker's when its folder exists, else the highest. */
  latestStep: number | null;
  latestFrom: LatestStepSource;
}

export interface InspectReport {
  path: string;
  kind: 'run' | 'step';
  /** A run folder shaped as `stage` makes it: only global_step_0, holding only critic/ (no tracker needed). */
  staged: boolean;
  run: RunReport | null;
  step: StepReport | null;
  warnings: ReportWarning[];
  /** inspect: what a warm start from the step's critic restores with each --carry (preview.ts). */
  warmStart?: WarmStartPreview | null;
}

/** One --carry in inspect's preview (preview.ts): what the new run loads, carries and inherits, or why stage refuses it. */
export type CarryPreview =
  | { carry: Carry; loadKinds: ShardKind[]; overrides: string[]; carries: Carried[]; inherits: Inherited[]; effects: string[] }
  | { carry: Carry; refusal: string };

export interface WarmStartPreview {
  /** The loader assumed: that of the releases that save this layout. */
  loader: { id: LoaderId; releases: string };
  /** What `stage` without --carry comes to on that loader. */
  defaultCarry: Carry | null;
  byCarry: CarryPreview[];
}
