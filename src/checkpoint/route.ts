/**
 * Two routes to a warm start, one decision. The new run must load the staged critic and not the
 * actor, whose folder (`<staged>/global_step_0/actor`) stage never makes:
 *
 * - `patch`: `trainer.load_critic_only=true` on a trainer that carries the guard (`apply`); every
 *   release with `_load_checkpoint` (0.2 on).
 * - `overrides`: no code change. `actor_rollout_ref.actor.checkpoint.load_contents=[]` makes the
 *   actor's checkpoint manager load nothing, so the trainer's unguarded actor load of the missing
 *   folder opens no file. Only where VeRL's code was read (and run) to do exactly that.
 *
 * Which routes a release, an actor backend and a trainer's state allow, with the reason where one
 * does not, cited as `tag:path:line`. Pure.
 */
import { shellWord } from '../hydra.js';
import { atLeast, type Release } from '../verl/release.js';

export type Route = 'patch' | 'overrides';
export const ROUTES: readonly Route[] = ['patch', 'overrides'];

/** The actor's contents key and the override of the override route. */
export const ACTOR_LOAD_CONTENTS_KEY = 'actor_rollout_ref.actor.checkpoint.load_contents';
export const ACTOR_OVERRIDE = `${ACTOR_LOAD_CONTENTS_KEY}=[]`;
/** The override route as advice, shell-quoted (zsh refuses an unquoted `[]`), in the words stage and preflight share. */
export const WRITE_OVERRIDE_INSTEAD = `write ${shellWord(ACTOR_OVERRIDE)} instead of trainer.load_critic_only=true`;

export type RouteVerdict = { ok: true; why: string } | { ok: false; reason: string };

/** What the override route depends on. */
export interface OverrideFacts {
  release: Release;
  /** `actor_rollout_ref.actor.strategy` (stage takes the critic's backend); null: unknown. */
  strategy: string | null;
  /** Whether the trainer config declares the actor's `checkpoint.load_contents`; null: unknown. */
  keyDeclared: boolean | null;
  /** The config file that lacks it, for the reason. */
  configFile?: string | null;
}

const MEGATRON_REASON =
  "VeRL's Megatron checkpoint manager asserts the folder exists before it reads load_contents " +
  '(v0.9.0:verl/utils/checkpoint/megatron_checkpoint_manager.py:865; the same assert from 0.4.1 on, v0.4.1:verl/utils/checkpoint/megatron_checkpoint_manager.py:282), ' +
  'so a Megatron actor stops on the missing actor/ even with load_contents=[]';

/** The FSDP strategies whose checkpoint manager honours an empty load_contents. */
const FSDP_STRATEGIES = ['fsdp', 'fsdp2'];

/**
 * Where the override route works, and why not elsewhere:
 * - From 0.4.1 the base checkpoint manager keeps `load_contents` as given (None alone means all,
 *   v0.4.1:verl/utils/checkpoint/checkpoint_manager.py:53-56; v0.9.0 the same lines), and FSDP's
 *   `load_checkpoint` opens each kind only `if self.should_load_*`
 *   (v0.4.1:verl/utils/checkpoint/fsdp_checkpoint_manager.py:110-146,
 *   v0.9.0:verl/utils/checkpoint/fsdp_checkpoint_manager.py:193-255): with `[]` it opens nothing.
 *   The actor's manager gets `actor_rollout_ref.actor.checkpoint` (v0.4.1:verl/workers/fsdp_workers.py:586,
 *   v0.7.1:verl/workers/fsdp_workers.py:977; from 0.8 through the engine,
 *   v0.9.0:verl/workers/engine_workers.py:606, v0.9.0:verl/workers/engine/fsdp/transformer_impl.py:203),
 *   and neither the trainer nor the worker looks at the folder first
 *   (v0.9.0:verl/trainer/ppo/ray_trainer.py:1088-1093, v0.9.0:verl/trainer/ppo/v1/trainer_base.py:819-822,
 *   v0.9.0:verl/workers/engine_workers.py:710-712, v0.9.0:verl/workers/engine/fsdp/transformer_impl.py:868-881).
 *   The dataclass it becomes from 0.6 (`CheckpointConfig`, v0.9.0:verl/trainer/config/config.py:47-48)
 *   has no check on the list.
 * - Before 0.4.1 the FSDP manager opens model, optimizer and extra state unconditionally.
 * - Megatron's manager asserts the folder exists before it reads load_contents, in every release
 *   that has load_contents.
 */
export function overrideRoute(facts: OverrideFacts): RouteVerdict {
  const { release } = facts;
  if (!atLeast(release, '0.4.1')) {
    return {
      ok: false,
      reason:
        `VeRL ${release.text} has no actor checkpoint.load_contents: its FSDP checkpoint manager opens the actor's model, optimizer and extra-state files ` +
        'unconditionally (v0.4.0:verl/utils/checkpoint/fsdp_checkpoint_manager.py:93-99, v0.3.0.post1:verl/utils/checkpoint/fsdp_checkpoint_manager.py:72-79), ' +
        'so the missing actor/ crashes the load; the override route needs VeRL 0.4.1 or later',
    };
  }
  const strategy = facts.strategy;
  if (strategy === 'megatron') return { ok: false, reason: MEGATRON_REASON };
  if (strategy !== null && !FSDP_STRATEGIES.includes(strategy)) {
    return { ok: false, reason: `the actor's strategy is ${strategy}: the override route is verified for FSDP and FSDP2 actors only (their checkpoint manager opens nothing with load_contents=[])` };
  }
  if (facts.keyDeclared === false) {
    return { ok: false, reason: `${facts.configFile ?? 'the trainer config'} declares no ${ACTOR_LOAD_CONTENTS_KEY} (Hydra would refuse the override)` };
  }
  return { ok: true, why: `VeRL ${release.text}'s FSDP checkpoint manager opens no file of the actor with ${ACTOR_OVERRIDE}` };
}

export interface RouteRequest {
  /** --route; undefined: the default. */
  asked?: Route;
  /** The new run's release (--verl); null: unknown, judged by the layout's savers. */
  release: Release | null;
  /** With no release: whether the releases that save the critic's layout allow the override route (0.4.1+ FSDP). */
  layoutAllowsOverrides: boolean;
  /** 'fsdp' or 'megatron': the critic's backend, taken as the actor's (VeRL's configs set both alike). */
  backend: 'fsdp' | 'megatron';
  /** Whether the trainer carries the guard; null: unknown (no --verl, or no trainer found). */
  trainerPatched: boolean | null;
  allowUnpatched: boolean;
  actorKeyDeclared: boolean | null;
  configFile: string | null;
}

export interface RouteDecision {
  route: Route;
  /** Which routes work for this VeRL, each with its reason. */
  routes: Record<Route, RouteVerdict>;
}

/**
 * A refusal: `unpatched` (the default found the trainer unguarded and no override route, whose
 * reason is given; the caller words the apply advice) or `route` (the route asked for does not work).
 */
export type RouteOutcome = RouteDecision | { routes: Record<Route, RouteVerdict>; refused: 'unpatched' | 'route'; reason: string };

/**
 * The route stage prints: --route when the VeRL allows it; by default the patch where the trainer
 * is patched (or --allow-unpatched says it will be, or no VeRL is named), the overrides where it
 * is not and the release allows them. Neither: refused in one line.
 */
export function chooseRoute(request: RouteRequest): RouteOutcome {
  const routes: Record<Route, RouteVerdict> = { patch: patchVerdict(request), overrides: overridesVerdict(request) };
  const pick = (route: Route): RouteOutcome => {
    const verdict = routes[route];
    // An unpatched trainer under --allow-unpatched: the patch is the user's to make before the launch.
    if (verdict.ok || (route === 'patch' && request.allowUnpatched)) return { route, routes };
    return { routes, refused: route === 'patch' ? 'unpatched' : 'route', reason: reasonOf(verdict) };
  };
  if (request.asked) return pick(request.asked);
  if (request.trainerPatched === false && !request.allowUnpatched) {
    if (routes.overrides.ok) return { route: 'overrides', routes };
  }
  return pick('patch');
}

export function reasonOf(verdict: RouteVerdict): string {
  return verdict.ok ? verdict.why : verdict.reason;
}

function patchVerdict(request: RouteRequest): RouteVerdict {
  if (request.trainerPatched === false) return { ok: false, reason: 'the trainer does not guard the actor load yet' };
  return { ok: true, why: request.trainerPatched ? 'the trainer carries the load_critic_only guard' : 'once the trainer carries the guard (verl-critic-patch apply)' };
}

function overridesVerdict(request: RouteRequest): RouteVerdict {
  if (request.release) {
    return overrideRoute({
      release: request.release,
      strategy: request.backend === 'megatron' ? 'megatron' : 'fsdp',
      keyDeclared: request.actorKeyDeclared,
      configFile: request.configFile,
    });
  }
  if (request.backend === 'megatron') return { ok: false, reason: MEGATRON_REASON };
  if (!request.layoutAllowsOverrides) {
    return { ok: false, reason: 'the releases that save this layout (before 0.4.1) have no actor checkpoint.load_contents; pass --verl if the new run uses VeRL 0.4.1 or later' };
  }
  return { ok: true, why: `VeRL 0.4.1 and later open no file of an FSDP actor with ${ACTOR_OVERRIDE} (assumed from the layout; pass --verl to check)` };
}
