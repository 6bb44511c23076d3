/**
 * What a warm start carries from the old critic into the new run, per critic loader (families.ts)
 * and `--carry`: which saved kinds the loader opens (and so which files are staged), the Hydra
 * overrides that make it open only those, what state carries over, and which of the new run's own
 * settings that state overrides, by name. Pure data, no I/O: `stage`, `inspect` and preflight's
 * check 8 ("what the load carries over and which settings it overrides") all call carryPlan.
 *
 * The rule: the default never changes what the new run itself saves or how it runs. So the default
 * carries the weights only where an override can say so without a side effect (FSDP 0.4.1+,
 * Megatron 0.6+); elsewhere it stages what the loader opens anyway and says what the new run
 * inherits. An explicit `--carry` is honoured with the override the release takes (its side effect
 * on the new run's saves stated), or refused in one line where the release has no way at all.
 *
 * Read from VeRL's code at each tag (tag:path:line):
 * - FSDP 0.2 to 0.4.0 load model, optimizer and extra state unconditionally
 *   (v0.2.0.post2:verl/utils/checkpoint/fsdp_checkpoint_manager.py:51-94; 0.3 and 0.4.0 assert
 *   that contents hold all three: v0.3.0.post1:...:59, v0.4.0:...:66).
 * - FSDP 0.4.1+ open each kind only if it is in critic.checkpoint.load_contents (default: save_contents)
 *   (v0.4.1:verl/utils/checkpoint/fsdp_checkpoint_manager.py:109-146,
 *   v0.4.1:verl/utils/checkpoint/checkpoint_manager.py:53-58). The LR scheduler is restored only
 *   from the extra state (v0.4.1:...fsdp_checkpoint_manager.py:133-146; v0.9.0:...:240-255), so
 *   load_contents=[model,optimizer] restores the Adam state with a fresh schedule.
 * - FSDP extra = LambdaLR state + RNG. LambdaLR.load_state_dict updates __dict__: the old base_lrs
 *   (old critic.optim.lr) and last_epoch replace the new ones, the new lambda stays. The critic's
 *   scheduler comes from critic.optim.* (v0.2.0.post2:verl/workers/fsdp_workers.py:742-743,
 *   constant with warmup; v0.4.0:...:967-984 and v0.7.1:...:1581-1609, constant or cosine;
 *   v0.9.0:verl/workers/engine/fsdp/transformer_impl.py:484). Cosine has no clamp past its end
 *   (v0.4.0:verl/utils/torch_functional.py:496-501, v0.9.0:...:756-763): the LR rises again.
 * - FSDP optimizer: torch's Optimizer.load_state_dict restores the saved param groups (betas, eps,
 *   weight_decay, lr); VeRL never re-applies critic.optim.* afterwards, and the scheduler first
 *   steps after the first update_critic (v0.4.1:verl/workers/fsdp_workers.py:1119-1126).
 * - Megatron 0.3 and 0.4.0: critic.checkpoint.contents is one list for loading and saving
 *   (v0.3.0.post1:verl/utils/checkpoint/megatron_checkpoint_manager.py:185-203 and 227-288;
 *   v0.4.0:...:198-215); optimizer = load_parameter_state (main params and Adam moments,
 *   v0.3.0.post1:...:160-164), no LR scheduler; extra = RNG.
 * - Megatron 0.4.1 to 0.5: the loader asks dist_ckpt/ for save_contents and load_contents together
 *   (v0.4.1:verl/utils/checkpoint/megatron_checkpoint_manager.py:227-260, 280-327), so only
 *   save_contents narrows what is read, and that also narrows what the new run saves.
 * - Megatron 0.6+: only load_contents is read (v0.6.0:...megatron_checkpoint_manager.py:298-300;
 *   v0.9.0:...:940-964). From 0.4.1 the scheduler state sits with the optimizer and is loaded only
 *   with critic.optim.use_checkpoint_opt_param_scheduler=True (v0.4.1:...:319-324,
 *   v0.6.0:...:334-341, v0.9.0:...:952-958), default False (v0.4.1:verl/trainer/config/
 *   ppo_megatron_trainer.yaml:267, v0.9.0:verl/trainer/config/optim/megatron.yaml:49).
 *   Megatron-core's DistributedOptimizer.load_state_dict takes the saved param groups (betas,
 *   eps); its scheduler sets lr and weight_decay again at every step.
 */
import type { CheckpointBackend, CriticLoader } from './families.js';
import { SHARD_KINDS, type ShardKind } from './layout.js';

/** What `stage --carry` asks for. */
export type Carry = 'weights' | 'optimizer' | 'all';
export const CARRIES: readonly Carry[] = ['weights', 'optimizer', 'all'];

/** One kind of saved state that carries over, in words. */
export interface Carried {
  kind: ShardKind;
  what: string;
}

/** New-run settings whose values come from the old run instead, because `kind` is loaded. */
export interface Inherited {
  kind: ShardKind;
  /** By name: config keys (`critic.optim.lr`) or what the config sets (`warmup`, `betas`). */
  settings: string[];
  /**
   * What comes from the old run only for a while, said with how long (FSDP optimizer state: "the
   * lr until the scheduler's first step"); the sentence says it too. Absent when there is none.
   */
  briefly?: string[];
  /** The sentence to print: "<settings> come from the old run (<where>)...". */
  line: string;
}

export interface CarryPlan {
  /** What was asked: a --carry, or 'default' (no --carry given). */
  asked: Carry | 'default';
  /** What the plan carries: the asked one, or what the default came to on this release. */
  carry: Carry;
  /** The saved kinds the loader opens under `overrides`; the files of these kinds are staged. */
  loadKinds: ShardKind[];
  /** Hydra overrides, unquoted (`critic.checkpoint.load_contents=[model]`); [] when the release's defaults load loadKinds. */
  overrides: string[];
  carries: Carried[];
  /** Empty when only weights carry over. */
  inherits: Inherited[];
  /** What the overrides change in the new run beyond this load (what it saves), one sentence each. */
  effects: string[];
  /** Why the default did not come to weights only, one sentence; null otherwise. */
  defaultNote: string | null;
}

export interface CarryRefusal {
  asked: Carry | 'default';
  /** One line, no newline: why this release cannot load what was asked from this critic. */
  refusal: string;
  /** What stands in the way: the release's loader, or what the critic was saved with. */
  about: 'release' | 'critic';
}

export interface CarryInput {
  /** The new run's critic loader (families.ts loaderOf / LOADERS). */
  loader: CriticLoader;
  /** The kinds the critic folder holds (model is always among them: stage refuses a critic without weights first). */
  saved: readonly ShardKind[];
  /** --carry, or 'default'. `--model-only` is 'weights'. */
  carry: Carry | 'default';
  /** How to name the release in sentences ("VeRL 0.4.0"); default: the loader's range ("VeRL 0.2 to 0.4.0"). */
  release?: string;
  /** How the user asked, for refusals (`--model-only`); default `--carry <carry>`. */
  askedAs?: string;
}

/**
 * What a warm start with `input.carry` loads from a critic that holds `input.saved`, on the release
 * whose critic loader is `input.loader`: a plan, or a one-line refusal (the release has no override
 * that loads only that, or the critic was saved without what was asked). Pure and total.
 */
export function carryPlan(input: CarryInput): CarryPlan | CarryRefusal {
  const { loader, carry: asked } = input;
  const saved = SHARD_KINDS.filter((kind) => input.saved.includes(kind));
  const release = input.release ?? loader.releases;
  const refuse = (refusal: string, about: CarryRefusal['about'] = 'release'): CarryRefusal => ({ asked, refusal, about });
  if (asked === 'optimizer' && !saved.includes('optimizer')) {
    return refuse(`${input.askedAs ?? '--carry optimizer'}, but the critic was saved without its optimizer state: there is none to carry; use --carry weights`, 'critic');
  }
  const narrowing = loader.choice === 'contents' || loader.choice === 'save_and_load';
  // The default: weights where the release can ask for them without a side effect; else what it opens anyway.
  const wanted: ShardKind[] =
    asked === 'weights' || (asked === 'default' && loader.choice === 'load_contents')
      ? ['model']
      : asked === 'optimizer'
        ? ['model', 'optimizer']
        : saved;
  const loadKinds = SHARD_KINDS.filter((kind) => wanted.includes(kind));
  const partial = loadKinds.length < SHARD_KINDS.length;

  if (loader.choice === 'all' && partial) {
    const lacking = SHARD_KINDS.filter((kind) => !loadKinds.includes(kind));
    const why =
      asked === 'weights' || asked === 'optimizer'
        ? (input.askedAs ?? `--carry ${asked}`)
        : `the critic was saved without its ${lacking.map(kindWords).join(' and ')}`;
    return refuse(
      `${why}, but ${release} loads the critic's model, optimizer and extra state unconditionally ` +
        '(there is no critic.checkpoint.load_contents before 0.4.1): ' +
        (asked === 'weights' || asked === 'optimizer'
          ? 'use --carry all (what a warm start on it restores), or VeRL 0.4.1 or later'
          : 'the new run would crash on the missing files; use VeRL 0.4.1 or later'),
    );
  }

  const overrides = partial ? contentsOverrides(loader, loadKinds) : [];
  // 'all' means continue the old critic's training: from 0.4.1 Megatron's schedule sits with the optimizer.
  if (asked === 'all' && loadKinds.includes('optimizer') && hasMcoreScheduler(loader)) overrides.push(SCHEDULER_OVERRIDE);
  const effects: string[] = [];
  if (partial && narrowing) {
    const keys = overrides.filter((o) => o.startsWith('critic.checkpoint.')).map((o) => o.split('=')[0]!);
    effects.push(
      `${keys.join(' and ')} also set${keys.length > 1 ? '' : 's'} what the new run saves: its own critic checkpoints will hold only ` +
        `the ${loadKinds.map(kindWords).join(' and ')}, so keep the override when you resume it`,
    );
  }
  const carry: Carry = asked !== 'default' ? asked : loadKinds.length === 1 ? 'weights' : 'all';
  const inherits = inheritsFor(loader, loadKinds, overrides.includes(SCHEDULER_OVERRIDE));
  let defaultNote: string | null = null;
  if (asked === 'default' && carry !== 'weights') {
    defaultNote =
      loader.choice === 'all'
        ? `${release} loads the critic's model, optimizer and extra state unconditionally, so the new run inherits them; VeRL 0.4.1 or later can carry the weights only`
        : `${release} would need ${contentsOverrides(loader, ['model']).join(' ')} to load the weights only, which also makes the new run save only its critic's model; ` +
          'so the default loads what was saved and the new run inherits it; --carry weights asks for that override';
  }
  return {
    asked,
    carry,
    loadKinds,
    overrides,
    carries: carriedFor(loader, loadKinds, overrides.includes(SCHEDULER_OVERRIDE)),
    inherits,
    effects,
    defaultNote,
  };
}

/**
 * The new run's settings that loading `kinds` on `loader` replaces with the old run's, for any kind
 * set (say, what a launch's own critic.checkpoint.load_contents asks). `schedulerFromCheckpoint`:
 * Megatron 0.4.1+ launched with critic.optim.use_checkpoint_opt_param_scheduler=True.
 */
export function inheritsFor(loader: CriticLoader, kinds: readonly ShardKind[], schedulerFromCheckpoint = false): Inherited[] {
  return SHARD_KINDS.filter((kind) => kinds.includes(kind)).flatMap((kind) => inheritedFrom(loader, kind, schedulerFromCheckpoint));
}

/** What state carries over when `loader` opens `kinds`, in words (`schedulerFromCheckpoint` as for inheritsFor). */
export function carriedFor(loader: CriticLoader, kinds: readonly ShardKind[], schedulerFromCheckpoint = false): Carried[] {
  return SHARD_KINDS.filter((kind) => kinds.includes(kind)).map((kind) => ({ kind, what: carriedWords(loader, kind, schedulerFromCheckpoint) }));
}

export function isCarryRefusal(plan: CarryPlan | CarryRefusal): plan is CarryRefusal {
  return 'refusal' in plan;
}

/** The override that makes Megatron 0.4.1+ restore the old LR schedule from the optimizer state. */
export const SCHEDULER_OVERRIDE = 'critic.optim.use_checkpoint_opt_param_scheduler=True';

function hasMcoreScheduler(loader: CriticLoader): boolean {
  return loader.backend === 'megatron' && loader.id !== 'megatron-v0.3' && loader.id !== 'megatron-v0.4.0';
}

/** The overrides that make `loader` open only `kinds` (a Hydra list; quoting for the shell is the caller's). */
export function contentsOverrides(loader: CriticLoader, kinds: readonly ShardKind[]): string[] {
  const list = `[${kinds.join(',')}]`;
  switch (loader.choice) {
    case 'contents':
      return [`critic.checkpoint.contents=${list}`];
    case 'load_contents':
      return [`critic.checkpoint.load_contents=${list}`];
    case 'save_and_load':
      return [`critic.checkpoint.save_contents=${list}`, `critic.checkpoint.load_contents=${list}`];
    case 'all':
      return [];
  }
}

export function kindWords(kind: ShardKind): string {
  return kind === 'optimizer' ? 'optimizer state' : kind === 'extra' ? 'extra state' : 'model';
}

function carriedWords(loader: CriticLoader, kind: ShardKind, scheduler: boolean): string {
  const backend = backendName(loader.backend);
  if (kind === 'model') return `the critic's weights (${backend} model state)`;
  if (kind === 'extra') return loader.backend === 'fsdp' ? 'the LR scheduler state and RNG state (FSDP extra state)' : 'the RNG state (Megatron extra state)';
  if (loader.backend === 'fsdp') return "the Adam moments and the optimizer's param groups (FSDP optimizer state)";
  if (!hasMcoreScheduler(loader)) return 'the Adam moments and fp32 main params (Megatron optimizer state; no LR scheduler before 0.4.1)';
  return scheduler
    ? "the Adam moments, fp32 main params, the optimizer's param groups and the LR scheduler state (Megatron optimizer state)"
    : "the Adam moments, fp32 main params and the optimizer's param groups (Megatron optimizer state; its LR scheduler state stays unread)";
}

/** Which of the new run's settings loading `kind` replaces with the old run's, per backend and release. */
function inheritedFrom(loader: CriticLoader, kind: ShardKind, scheduler: boolean): Inherited[] {
  if (kind === 'model') return [];
  if (loader.backend === 'fsdp') {
    if (kind === 'optimizer') {
      return [
        {
          kind,
          settings: ['betas', 'eps', 'weight_decay'],
          briefly: ["the lr until the scheduler's first step"],
          line:
            'betas, eps, weight_decay come from the old run (FSDP optimizer state: torch restores the saved param groups and VeRL never ' +
            "re-applies critic.optim.*), and so does the lr until the scheduler's first step",
        },
      ];
    }
    return [
      {
        kind,
        settings: ['critic.optim.lr', 'warmup', 'schedule position'],
        line:
          "critic.optim.lr, warmup and schedule position come from the old run (FSDP extra state: the scheduler takes the old run's base lr " +
          "and step); with a cosine schedule (VeRL 0.4.0 and later), a new run with fewer total steps than that step starts past the " +
          "cosine's end, where the LR rises again",
      },
    ];
  }
  if (kind === 'extra' || !hasMcoreScheduler(loader)) return [];
  const inherited: Inherited[] = [
    {
      kind,
      settings: ['betas', 'eps'],
      line:
        'betas, eps come from the old run (Megatron optimizer state: the saved param groups); the new run\'s scheduler sets lr and ' +
        'weight_decay at every step',
    },
  ];
  if (scheduler) {
    inherited.push({
      kind,
      settings: ['critic.optim.lr', 'min_lr', 'warmup', 'decay', 'schedule position'],
      line:
        'critic.optim.lr, min_lr, warmup, decay and schedule position come from the old run (Megatron optimizer state\'s scheduler, ' +
        `loaded because of ${SCHEDULER_OVERRIDE})`,
    });
  }
  return inherited;
}

function backendName(backend: CheckpointBackend): string {
  return backend === 'fsdp' ? 'FSDP' : 'Megatron';
}
