/**
 * The pure core for trainer YAMLs: declare `trainer.load_critic_only` (patch) or remove what this
 * tool declared (revert). Text in, a Plan (src/plan.ts) out; no I/O, no throws.
 *
 * Why: VeRL composes its config with Hydra in struct mode, so `trainer.load_critic_only=true` on
 * the command line fails ("Key 'load_critic_only' is not in struct") unless the key exists in the
 * YAML. The guarded Python code reads the key with `.get("load_critic_only", False)`, so it works
 * without the key; the key only makes the plain override possible and documents the flag.
 *
 * What: one new line `load_critic_only: False` (lowercase `false` in the `_generated_*.yaml`
 * snapshots) in the top-level `trainer:` mapping, right after `resume_from_path` (or after
 * `resume_mode` when there is no `resume_from_path`), at the indentation of its siblings, with the
 * file's line ending, plus, in hand-written files only, a one-line comment in the style of the
 * comments around it (a comment line above the key, or a trailing comment where the trainer
 * section uses those). The edits are plain text insertions/removals at offsets found with the
 * `yaml` package's node ranges (src/config/trainerSection.ts); the file is never re-serialised.
 *
 * Every change is checked before it is returned: the edited text is parsed again and must hold the
 * same data plus (or minus) exactly this key, otherwise the file is refused instead of being
 * written wrongly.
 *
 * Where the file's structure allows, all of this runs on a view of the file that keeps only the
 * entries the planner reads, at their offsets (src/config/plannerView.ts): the parse and the
 * self-check then cover the trainer section, not the whole ~1,000-line config.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Document, YAMLMap } from 'yaml';
import { applyEdits, type TextEdit } from '../edits.js';
import type { Direction, Plan } from '../plan.js';
import { lineAt, lineNumberAt, type LineSpan } from '../text/lines.js';
import { anchorLine, commentStyle, configuresPpo, findPair, findTrainerMapping, keyStart, parseFirstDocument, type LineOf, type TrainerLookup } from './trainerSection.js';
import { plannerView } from './plannerView.js';
import { yamlLib } from './yamlLib.js';

/** The key this tool declares in the `trainer:` mapping. */
export const LOAD_CRITIC_ONLY_KEY = 'load_critic_only';

/**
 * The text of the comment that goes with the key in hand-written YAMLs (without the `#`). It is
 * also the marker revert uses to tell our line from one added by hand.
 */
export const LOAD_CRITIC_ONLY_COMMENT =
  "Whether to load only the critic checkpoint, not the actor's (added by verl-critic-patch)";

const NOT_PPO =
  'not a PPO trainer config (no top-level critic: or actor_rollout_ref:, and no PPO trainer config in its defaults:), so no PPO launch reads it';

/**
 * True for VeRL's generated config snapshots (`verl/trainer/config/_generated_*.yaml`): they get
 * lowercase `false` and no comment, the way VeRL's generator writes them, so that VeRL's own CI
 * (which compares them with the hand-written source) sees the same change in both.
 */
export function isGeneratedSnapshot(file: string): boolean {
  const base = file.split(/[\\/]/).pop() ?? '';
  return base.startsWith('_generated_');
}

/**
 * Plan one trainer YAML. `path` only decides whether it is a generated snapshot.
 *
 * - malformed: the YAML does not parse (any document), as far as the planner reads it: where the
 *   file has a view (src/config/plannerView.ts), tree-sitter checks the whole file's syntax and
 *   the yaml package the entries the view keeps; an error only a full load finds elsewhere (a
 *   key written twice inside another section) is Hydra's to report;
 * - refused, notATarget: the first document has no top-level `trainer:` mapping holding
 *   `resume_mode` (an evaluation config, a trainer section of another shape, an empty file), or
 *   (patch only) it does not configure PPO (an SFT config: nothing there reads the key);
 * - refused: the trainer section is there, in a shape where a line insertion or removal is not
 *   safe (flow style `{...}`, an alias, `resume_mode` from a merge key `<<`, an anchor value that
 *   does not start its own line, a block value, text after the value), or our line was changed by
 *   hand (revert);
 * - unchanged: patch, the key is already declared (by this tool or by hand, any value); revert,
 *   there is nothing of ours to remove (no key, or a key someone added by hand);
 * - change: patch, one insertion after the anchor line; revert, the removal of exactly what
 *   patch inserted, so that revert(patch(x)) is x byte for byte.
 */
export function planTrainerConfig(direction: Direction, text: string, path: string): Plan {
  // The view keeps offsets and lines, so its plan is the file's. A view the yaml package cannot
  // parse is not taken for a verdict on the file: the whole text is read, and tells why.
  const view = plannerView(text);
  if (view !== undefined) {
    const plan = planConfigText(direction, view, path, (offset) => lineNumberAt(text, offset));
    if (plan.status !== 'malformed') return plan;
  }
  return planConfigText(direction, text, path);
}

/**
 * The planner itself, on the text it is given: the whole file, or a view of it (then `lineOf`
 * counts lines in the file). planTrainerConfig is what callers want; tests compare the two.
 */
export function planConfigText(direction: Direction, text: string, path: string, lineOf: LineOf = (offset) => lineNumberAt(text, offset)): Plan {
  const parsed = parseFirstDocument(text);
  if ('error' in parsed) return { status: 'malformed', reason: parsed.error };
  const found = findTrainerMapping(parsed.doc, text);
  if (found.kind === 'none') return { status: 'refused', reason: `cannot declare trainer.${LOAD_CRITIC_ONLY_KEY}: ${found.reason}`, notATarget: true };
  if (found.kind === 'refused') return { status: 'refused', reason: found.reason };
  const ppo = configuresPpo(parsed.doc);
  if (direction === 'patch' && !ppo) {
    return { status: 'refused', reason: `cannot declare trainer.${LOAD_CRITIC_ONLY_KEY}: ${NOT_PPO}`, notATarget: true };
  }
  const section = { text, lineOf, doc: parsed.doc, map: found.map, generated: isGeneratedSnapshot(path) };
  if (direction === 'patch') return planAdd(section);
  // Revert still removes a key an earlier version of this tool added to an SFT config; with
  // nothing to remove, such a config is no target of revert either (a scan passes it over).
  const plan = planRemove(section);
  return plan.status === 'unchanged' && !ppo ? { ...plan, notATarget: true } : plan;
}

interface TrainerSection {
  text: string;
  lineOf: LineOf;
  doc: Document.Parsed | undefined;
  map: YAMLMap;
  generated: boolean;
}

const unchanged = (summary: string): Plan => ({ status: 'unchanged', summary, actorLoads: [] });
const change = (edit: TextEdit, summary: string): Plan => ({ status: 'change', edits: [edit], summary, actorLoads: [] });

function planAdd({ text, lineOf, doc, map, generated }: TrainerSection): Plan {
  const existing = findPair(map, LOAD_CRITIC_ONLY_KEY);
  if (existing) return unchanged(`trainer.${LOAD_CRITIC_ONLY_KEY} is already declared at line ${lineOf(keyStart(existing))}`);
  if (map.flow) return { status: 'refused', reason: 'the trainer: mapping is written in flow style ({...}); add load_critic_only to it by hand' };

  const anchor = anchorLine(text, map, lineOf);
  if ('refused' in anchor) return { status: 'refused', reason: anchor.refused };
  const keyLine = `${anchor.indent}${LOAD_CRITIC_ONLY_KEY}: ${generated ? 'false' : 'False'}`;
  let lines: string[];
  if (generated) {
    lines = [keyLine];
  } else {
    const style = commentStyle(text, map, anchor.pairIndex);
    lines =
      style.kind === 'above'
        ? [`${anchor.indent}${style.marker}${LOAD_CRITIC_ONLY_COMMENT}`, keyLine]
        : [`${keyLine}${style.gap}${style.marker}${LOAD_CRITIC_ONLY_COMMENT}`];
  }

  const { eol } = anchor;
  const edit: TextEdit =
    anchor.nextLineStart === undefined
      ? // The anchor is the last line and has no line break: keep the file without a final one.
        { start: text.length, end: text.length, text: lines.map((l) => eol + l).join('') }
      : { start: anchor.nextLineStart, end: anchor.nextLineStart, text: lines.map((l) => l + eol).join('') };

  const wrong = checkEdit(text, doc, applyEdits(text, [edit]), 'add', generated);
  if (wrong) return wrong;
  return change(edit, `add trainer.${LOAD_CRITIC_ONLY_KEY}: ${generated ? 'false' : 'False'} after ${anchor.name} at line ${anchor.line}`);
}

/**
 * Ours means, in a hand-written file, the line `load_critic_only: False` directly under our
 * comment line (or carrying our comment as a trailing comment); in a `_generated_*.yaml`
 * snapshot (no comment there), the exact line `load_critic_only: false` directly after the line
 * of `resume_from_path`/`resume_mode`. A key that is not ours (added by hand) is left alone. When
 * our comment is there but the key line under it was changed by hand, removing it would drop
 * someone's edit: refused.
 */
function planRemove({ text, lineOf, doc, map, generated }: TrainerSection): Plan {
  const pair = findPair(map, LOAD_CRITIC_ONLY_KEY);
  if (!pair) return unchanged(`trainer.${LOAD_CRITIC_ONLY_KEY} is not declared; nothing to remove`);
  const start = keyStart(pair);
  const keyLineNo = lineOf(start);
  const handAdded = unchanged(`trainer.${LOAD_CRITIC_ONLY_KEY} on line ${keyLineNo} was not added by verl-critic-patch; left as it is`);
  if (map.flow) return handAdded;

  const key = lineAt(text, start);
  const indent = text.slice(key.start, start);
  if (!/^ *$/.test(indent)) return handAdded;
  const expectedKeyLine = `${indent}${LOAD_CRITIC_ONLY_KEY}: ${generated ? 'false' : 'False'}`;
  const keyText = text.slice(key.start, key.contentEnd);
  const prev = key.start > 0 ? lineAt(text, key.start - 1) : undefined;

  // The range to remove: from `first` (a line start) through the key line and its line break;
  // when the key line is the last one and has no line break, take the break before `first`.
  const removal = (first: number): TextEdit => {
    if (key.nextLineStart !== undefined) return { start: first, end: key.nextLineStart, text: '' };
    const before = first > 0 ? lineAt(text, first - 1) : undefined;
    return { start: before ? before.contentEnd : first, end: text.length, text: '' };
  };

  let edit: TextEdit | undefined;
  if (generated) {
    if (keyText === expectedKeyLine) {
      const ours = isWhereAddPutsIt(text, key, removal(key.start));
      if (typeof ours !== 'boolean') return ours;
      if (ours) edit = removal(key.start);
    }
  } else {
    const ourCommentLine = new RegExp(`^${indent}#+ ?${escapeRegExp(LOAD_CRITIC_ONLY_COMMENT)}[ \\t]*$`);
    const ourTrailing = new RegExp(`^${escapeRegExp(expectedKeyLine)}[ \\t]+#+ ?${escapeRegExp(LOAD_CRITIC_ONLY_COMMENT)}[ \\t]*$`);
    const prevText = prev ? text.slice(prev.start, prev.contentEnd) : '';
    const hasOurComment = (prev !== undefined && ourCommentLine.test(prevText)) || keyText.includes(LOAD_CRITIC_ONLY_COMMENT);
    if (prev && ourCommentLine.test(prevText) && keyText === expectedKeyLine) {
      edit = removal(prev.start);
    } else if (ourTrailing.test(keyText)) {
      edit = removal(key.start);
    } else if (hasOurComment) {
      return {
        status: 'refused',
        reason:
          `line ${keyLineNo} (trainer.${LOAD_CRITIC_ONLY_KEY}) was added by verl-critic-patch and then changed by hand; ` +
          'remove it and its comment by hand',
      };
    }
  }
  if (!edit) return handAdded;

  const wrong = checkEdit(text, doc, applyEdits(text, [edit]), 'remove', generated);
  if (wrong) return wrong;
  return change(edit, `remove trainer.${LOAD_CRITIC_ONLY_KEY} at line ${keyLineNo}`);
}

/**
 * In a snapshot (no marker comment) the key is ours only where planAdd puts it: right after the
 * anchor line of the text without it. (A text without it that no longer reads as a trainer
 * section cannot happen for a well-formed mapping; it is refused rather than guessed at.)
 */
function isWhereAddPutsIt(text: string, key: LineSpan, removal: TextEdit): boolean | Plan {
  const without = applyEdits(text, [removal]);
  const parsed = parseFirstDocument(without);
  if ('error' in parsed) return { status: 'malformed', reason: parsed.error };
  const found = findTrainerMapping(parsed.doc, without);
  if (found.kind !== 'found') return internalCheckFailed(found);
  const anchor = anchorLine(without, found.map);
  if ('refused' in anchor) return { status: 'refused', reason: anchor.refused };
  const expectedStart = anchor.nextLineStart ?? without.length;
  return key.start === expectedStart || (key.nextLineStart === undefined && anchor.nextLineStart === undefined);
}

/** A trainer section that a planned edit made disappear, or turned into one this tool refuses. */
function internalCheckFailed(found: Exclude<TrainerLookup, { kind: 'found' }>): Plan {
  return { status: 'refused', reason: found.kind === 'none' ? `internal check failed: ${found.reason}` : found.reason };
}

/**
 * A refusal when an edit is wrong, or undefined when it is right: the edited text must parse
 * again and hold the original data with exactly one key more (or less) in the trainer mapping,
 * valued false and spelled as planned.
 */
function checkEdit(beforeText: string, before: Document.Parsed | undefined, afterText: string, mode: 'add' | 'remove', generated: boolean): Plan | undefined {
  const fail = (why: string): Plan => ({
    status: 'refused',
    reason: `internal check failed after ${mode === 'add' ? 'adding' : 'removing'} ${LOAD_CRITIC_ONLY_KEY}: ${why}; edit it by hand`,
  });
  const parsed = parseFirstDocument(afterText);
  if ('error' in parsed) return fail('the edited YAML does not parse');
  const after = parsed.doc;
  const oldData = toData(before);
  const newData = toData(after);
  if (oldData instanceof Error) return fail(`the YAML does not read as data (${oldData.message})`);
  if (newData instanceof Error) return fail(`the edited YAML does not read as data (${newData.message})`);
  const withKey = mode === 'add' ? newData : oldData;
  const withoutKey = mode === 'add' ? oldData : newData;
  if (!(withKey instanceof Map)) return fail('the document is no longer a mapping');
  const trainer: unknown = withKey.get('trainer');
  if (!(trainer instanceof Map) || trainer.get(LOAD_CRITIC_ONLY_KEY) !== false) return fail(`trainer.${LOAD_CRITIC_ONLY_KEY} does not read as false`);
  const trainerWithout = new Map(trainer);
  trainerWithout.delete(LOAD_CRITIC_ONLY_KEY);
  if (!isDeepStrictEqual(new Map(withKey).set('trainer', trainerWithout), withoutKey)) return fail('other values changed');
  // The key must also be where it belongs: in the trainer mapping, spelled as planned.
  const found = mode === 'add' ? findTrainerMapping(after, afterText) : findTrainerMapping(before, beforeText);
  if (found.kind !== 'found') return internalCheckFailed(found);
  const pair = findPair(found.map, LOAD_CRITIC_ONLY_KEY);
  const source = pair && yamlLib().isScalar(pair.value) ? pair.value.source : undefined;
  if (source !== (generated ? 'false' : 'False')) return fail(`the value is spelled ${String(source)}`);
  return undefined;
}

/**
 * The document as data: mappings as Maps, so that keys that are not strings (`? [a, b]`) stay
 * themselves instead of being stringified (with a process warning on stderr). An Error when the
 * document cannot be read as data.
 */
function toData(doc: Document.Parsed | undefined): unknown {
  try {
    return doc ? doc.toJS({ maxAliasCount: -1, mapAsMap: true }) : null;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
