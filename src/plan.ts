/**
 * The one contract between the pure cores and the edges. Every kind of target file is planned by
 * a pure function, text in, a Plan out: no I/O, no throws, no exit codes (src/planner.ts picks the
 * planner for a kind). What a verdict means to the user (a word, an exit code) is decided by the
 * edges (src/errors.ts, src/commands/).
 *
 *   change     the edits to make (patch: add the guard or the key; revert: remove ours)
 *   unchanged  nothing to do in this direction (already guarded; or nothing of ours to remove)
 *   refused    a well-formed file whose shape this tool will not edit
 *   malformed  text that does not parse
 *
 * Every `change` has been checked by its planner before it is returned (src/python/plan.ts,
 * src/config/trainerYaml.ts): a plan failing its own check comes back `refused`.
 *
 * Types only, importing nothing but TextEdit: the planners below and the edges above both import
 * them, so nothing here may import either.
 */
import type { TextEdit } from './edits.js';

/** A trainer `.py` file (the guard), or a Hydra trainer YAML (the config key). */
export type TargetKind = 'trainer' | 'config';

/** `patch` adds what this tool writes; `revert` removes exactly that. */
export type Direction = 'patch' | 'revert';

/** One statement-level real actor load of a trainer. */
export interface ActorLoad {
  method: string; // Class.method holding the load
  line: number; // 1-based line of the load in the planned text
  guarded: boolean;
}

export type Plan =
  /**
   * `summary`: one line for people (which loads, or what the YAML edit does). `after`: the text the
   * edits give, when the planner made it for its self-check (the edges need not make it again).
   */
  | { status: 'change'; edits: TextEdit[]; summary: string; actorLoads: ActorLoad[]; after?: string }
  /** notATarget (revert): nothing to remove from a file no PPO launch reads, so a scan passes it over. */
  | { status: 'unchanged'; summary: string; actorLoads: ActorLoad[]; notATarget?: boolean }
  /**
   * notATarget: the file holds nothing this tool edits (no actor load, no PPO trainer section), so
   * a scan passes it over; code 'no-checkpoint-method': not even a checkpoint method (a VeRL that
   * predates checkpoint resume); 'subclass': a trainer subclass that inherits the method or only
   * calls the parent's (a project's trainer, never VeRL's own: the parent's file holds the load).
   */
  | { status: 'refused'; reason: string; line?: number; notATarget?: boolean; code?: 'no-checkpoint-method' | 'subclass' }
  | { status: 'malformed'; reason: string; line?: number };

