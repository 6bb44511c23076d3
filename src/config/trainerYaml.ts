/**
 * The pure core of the config half of the patch: declare `trainer.load_critic_only` in VeRL's
 * trainer YAMLs.
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
 * section uses those). Nothing else changes: the edits are plain text insertions/removals at
 * offsets found with the `yaml` package's node ranges; the file is never re-serialised.
 *
 * Everything here is pure (text in, `TextEdit[]` out); reading and writing files is the caller's.
 * Every plan is checked before it is returned: the edited text is parsed again and must hold the
 * same data plus (or minus) exactly this key, otherwise the file is refused (exit 1) instead of
 * being written wrongly.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Pair,
  type YAMLError,
  type YAMLMap,
} from 'yaml';
import { applyEdits, type TextEdit } from '../edits.js';
import { badInput, cannotPatch } from '../errors.js';

/** The key this tool declares in the `trainer:` mapping. */
export const LOAD_CRITIC_ONLY_KEY = 'load_critic_only';

/**
 * The text of the comment that goes with the key in hand-written YAMLs (without the `#`). It is
 * also the marker `planRemoveLoadCriticOnly` uses to tell our line from one added by hand.
 */
export const LOAD_CRITIC_ONLY_COMMENT =
  "Whether to load only the critic checkpoint, not the actor's (added by verl-critic-patch)";

export type YamlPlan =
  /**
   * planAdd: the edits insert the key (and its comment); planRemove: the edits remove exactly
   * the line(s) planAdd inserted. `summary` is one human-readable line for reports.
   */
  | { status: 'patch'; edits: TextEdit[]; summary: string }
  /**
   * planAdd: the trainer mapping already declares load_critic_only (ours or by hand, any value);
   * planRemove: there is nothing of ours to remove (no key, or a key someone added by hand).
   */
  | { status: 'already-patched'; reason: string }
  /** No top-level `trainer:` mapping holding `resume_mode`: not a target; skip it silently. */
  | { status: 'not-a-trainer-config'; reason: string };

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
 * Plan the insertion of `load_critic_only: False` into the top-level `trainer:` mapping of one
 * YAML file's text.
 *
 * - `not-a-trainer-config` when the first document has no top-level `trainer:` mapping holding
 *   `resume_mode` (an evaluation config, a trainer section of another shape, an empty file).
 * - `already-patched` when that mapping already has a `load_critic_only` key, with any value,
 *   written by this tool or by hand.
 * - otherwise `patch`, one insertion after the line of `resume_from_path` (or `resume_mode`).
 *
 * Throws `badInput` (exit 2) when the YAML does not parse, and `cannotPatch` (exit 1) for shapes
 * where a line insertion is not safe: a flow-style `trainer: {...}`, a trainer mapping that is an
 * alias or takes `resume_mode` from a merge key (`<<`), a `resume_from_path`/`resume_mode` that
 * does not start its own line or whose value is a block scalar or block collection, or text after
 * the value that is not a comment.
 */
export function planAddLoadCriticOnly(text: string, file: string): YamlPlan {
  const doc = parseFirstDocument(text, file);
  const found = findTrainerMapping(doc, text, file);
  if (found.kind === 'none') return { status: 'not-a-trainer-config', reason: found.reason };
  const { map } = found;

  const existing = findPair(map, LOAD_CRITIC_ONLY_KEY);
  if (existing) {
    return {
      status: 'already-patched',
      reason: `trainer.${LOAD_CRITIC_ONLY_KEY} is already declared (line ${lineOf(text, keyStart(existing))})`,
    };
  }
  if (map.flow) {
    throw cannotPatch(file, 'the trainer: mapping is written in flow style ({...}); add load_critic_only to it by hand');
  }

  const anchor = anchorLine(text, file, map);
  const generated = isGeneratedSnapshot(file);
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

  verifyEdit(text, doc, applyEdits(text, [edit]), file, 'add', generated);
  return {
    status: 'patch',
    edits: [edit],
    summary: `add trainer.${LOAD_CRITIC_ONLY_KEY}: ${generated ? 'false' : 'False'} after ${anchor.name} (line ${anchor.line})`,
  };
}

/**
 * Plan the removal of what `planAddLoadCriticOnly` inserted, and only that: applying the plan to
 * planAdd's output gives back the original text byte for byte.
 *
 * Ours means, in a hand-written file, the line `load_critic_only: False` directly under our
 * comment line (or carrying our comment as a trailing comment); in a `_generated_*.yaml`
 * snapshot (no comment there), the exact line `load_critic_only: false` directly after the line
 * of `resume_from_path`/`resume_mode`. A key that is not ours (added by hand) is left alone:
 * `already-patched`, with a reason saying so. When our comment is there but the key line under it
 * was changed by hand, removing it would drop someone's edit: `cannotPatch` (exit 1).
 */
export function planRemoveLoadCriticOnly(text: string, file: string): YamlPlan {
  const doc = parseFirstDocument(text, file);
  const found = findTrainerMapping(doc, text, file);
  if (found.kind === 'none') return { status: 'not-a-trainer-config', reason: found.reason };
  const { map } = found;

  const pair = findPair(map, LOAD_CRITIC_ONLY_KEY);
  if (!pair) {
    return { status: 'already-patched', reason: `trainer.${LOAD_CRITIC_ONLY_KEY} is not declared; nothing to remove` };
  }
  const start = keyStart(pair);
  const keyLineNo = lineOf(text, start);
  const handAdded: YamlPlan = {
    status: 'already-patched',
    reason: `trainer.${LOAD_CRITIC_ONLY_KEY} on line ${keyLineNo} was not added by verl-critic-patch; left as it is`,
  };
  if (map.flow) return handAdded;

  const key = lineAt(text, start);
  const indent = text.slice(key.start, start);
  if (!/^ *$/.test(indent)) return handAdded;
  const generated = isGeneratedSnapshot(file);
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
      // No marker in snapshots: ours only where planAdd puts it, right after the anchor line.
      const without = applyEdits(text, [removal(key.start)]);
      const anchor = anchorLine(without, file, mustFindTrainer(parseFirstDocument(without, file), without, file));
      const expectedStart = anchor.nextLineStart ?? without.length;
      if (key.start === expectedStart || (key.nextLineStart === undefined && anchor.nextLineStart === undefined)) {
        edit = removal(key.start);
      }
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
      throw cannotPatch(
        file,
        `line ${keyLineNo} (trainer.${LOAD_CRITIC_ONLY_KEY}) was added by verl-critic-patch and then changed by hand; ` +
          'remove it and its comment by hand',
      );
    }
  }
  if (!edit) return handAdded;

  verifyEdit(text, doc, applyEdits(text, [edit]), file, 'remove', generated);
  return {
    status: 'patch',
    edits: [edit],
    summary: `remove trainer.${LOAD_CRITIC_ONLY_KEY} (line ${keyLineNo})`,
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing and locating

/** Parse `text` and return its first document; any parse error in any document is exit 2. */
function parseFirstDocument(text: string, file: string): Document.Parsed | undefined {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const streamErrors = (docs as { errors?: YAMLError[] }).errors ?? [];
  const errors = [...streamErrors, ...docs.flatMap((d) => d.errors)];
  const first = errors[0];
  if (first) throw badInput(file, `YAML does not parse: ${describeError(first)}`);
  return docs[0];
}

function describeError(error: YAMLError): string {
  const head = (error.message.split('\n')[0] ?? error.message).replace(/:\s*$/, '');
  if (/\bline \d+/.test(head)) return head;
  const pos = error.linePos?.[0];
  return pos ? `${head} at line ${pos.line}, column ${pos.col}` : head;
}

type TrainerLookup = { kind: 'found'; map: YAMLMap } | { kind: 'none'; reason: string };

/**
 * The top-level `trainer:` mapping of the document, if it holds `resume_mode`. Throws
 * `cannotPatch` where it does, but not in a form this tool edits (an alias, a merge key).
 */
function findTrainerMapping(doc: Document.Parsed | undefined, text: string, file: string): TrainerLookup {
  if (!doc || !isMap(doc.contents)) {
    return { kind: 'none', reason: 'the (first) YAML document is not a mapping, so it has no top-level trainer: section' };
  }
  const trainer = findPair(doc.contents, 'trainer');
  if (!trainer) return { kind: 'none', reason: 'no top-level trainer: section' };
  const value = trainer.value;
  if (isAlias(value)) {
    const target = value.resolve(doc);
    if (isMap(target) && findPair(target, 'resume_mode')) {
      throw cannotPatch(
        file,
        `the top-level trainer: (line ${lineOf(text, keyStart(trainer))}) is an alias (*${value.source}); ` +
          'add load_critic_only where its anchor is defined, by hand',
      );
    }
    return { kind: 'none', reason: 'the top-level trainer: is an alias of something without resume_mode' };
  }
  if (!isMap(value)) return { kind: 'none', reason: 'the top-level trainer: is not a mapping' };
  if (!findPair(value, 'resume_mode')) {
    const merge = findPair(value, '<<');
    if (merge && mergeSources(doc, merge.value).some((m) => findPair(m, 'resume_mode'))) {
      throw cannotPatch(
        file,
        `the trainer: mapping takes resume_mode from a YAML merge key (<<, line ${lineOf(text, keyStart(merge))}); ` +
          'add load_critic_only to it by hand',
      );
    }
    return { kind: 'none', reason: 'the top-level trainer: section has no resume_mode' };
  }
  return { kind: 'found', map: value };
}

function mustFindTrainer(doc: Document.Parsed | undefined, text: string, file: string): YAMLMap {
  const found = findTrainerMapping(doc, text, file);
  if (found.kind === 'none') throw cannotPatch(file, `internal check failed: ${found.reason}`);
  return found.map;
}

function mergeSources(doc: Document.Parsed, value: unknown): YAMLMap[] {
  const nodes = isSeq(value) ? value.items : [value];
  const out: YAMLMap[] = [];
  for (const node of nodes) {
    const resolved = isAlias(node) ? node.resolve(doc) : node;
    if (isMap(resolved)) out.push(resolved);
  }
  return out;
}

/** The pair of `map` whose key is the plain string `name` (quoted keys count too). */
function findPair(map: YAMLMap, name: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === name);
}

function keyStart(pair: Pair): number {
  const key = pair.key;
  if (isScalar(key) && key.range) return key.range[0];
  throw new Error('yaml pair without a scalar key range');
}

interface Anchor {
  /** `resume_from_path` or `resume_mode`. */
  name: string;
  pairIndex: number;
  /** 1-based line of the anchor key. */
  line: number;
  /** Spaces before the anchor key: the siblings' indentation. */
  indent: string;
  /** Line ending of the anchor's last line, or of the file when that line has none. */
  eol: string;
  /** Start of the line after the anchor's value, or undefined at the end of a file with no final line break. */
  nextLineStart: number | undefined;
}

/**
 * Where the new key goes: after the line holding the end of `resume_from_path`'s value (the
 * value may be empty, null, quoted, carry a trailing comment, or be a plain scalar continued on
 * more-indented lines), or of `resume_mode`'s when there is no `resume_from_path`.
 */
function anchorLine(text: string, file: string, map: YAMLMap): Anchor {
  let pairIndex = map.items.findIndex((p) => isScalar(p.key) && p.key.value === 'resume_from_path');
  if (pairIndex < 0) pairIndex = map.items.findIndex((p) => isScalar(p.key) && p.key.value === 'resume_mode');
  const pair = map.items[pairIndex];
  if (!pair || !isScalar(pair.key)) throw new Error('anchorLine called on a mapping without resume_mode');
  const name = String(pair.key.value);
  const start = keyStart(pair);
  const line = lineOf(text, start);
  const keyLine = lineAt(text, start);
  const indent = text.slice(keyLine.start, start);
  if (!/^ *$/.test(indent)) {
    throw cannotPatch(file, `${name} (line ${line}) does not start its own line; add load_critic_only to the trainer section by hand`);
  }

  const value = pair.value;
  if (isCollection(value) && !value.flow) {
    throw cannotPatch(file, `${name} (line ${line}) has a nested mapping or list as its value; add load_critic_only to the trainer section by hand`);
  }
  if (isScalar(value) && (value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED')) {
    throw cannotPatch(file, `${name} (line ${line}) has a block scalar (| or >) as its value; add load_critic_only to the trainer section by hand`);
  }
  const valueEnd = valueEndOf(text, pair);
  const last = lineAt(text, valueEnd);
  const tail = text.slice(valueEnd, last.contentEnd);
  if (!/^[ \t]*(#.*)?$/.test(tail)) {
    throw cannotPatch(file, `${name} (line ${line}) is followed by "${tail.trim()}" on its line; add load_critic_only to the trainer section by hand`);
  }
  const eol = last.nextLineStart !== undefined ? text.slice(last.contentEnd, last.nextLineStart) : fileEol(text);
  return { name, pairIndex, line, indent, eol, nextLineStart: last.nextLineStart };
}

/**
 * The end of what is written for the pair's value: after the scalar, alias or flow collection, or
 * right after the `:` when the value is empty (the parser puts an empty value's range at the next
 * token, which may be a trailing comment).
 */
function valueEndOf(text: string, pair: Pair): number {
  const key = pair.key;
  const keyEnd = isScalar(key) && key.range ? key.range[1] : keyStart(pair);
  const colon = text.indexOf(':', keyEnd);
  const afterColon = colon < 0 ? keyEnd : colon + 1;
  const value = pair.value;
  if (value && (isScalar(value) || isCollection(value) || isAlias(value)) && value.range) {
    const end = value.range[1];
    return end > afterColon && !/^\s*$/.test(text.slice(afterColon, end)) ? end : afterColon;
  }
  return afterColon;
}

type CommentStyle = { kind: 'above'; marker: string } | { kind: 'inline'; gap: string; marker: string };

/**
 * How the trainer section writes its comments: comment lines above keys (VeRL since 2025), or
 * trailing comments after values (older releases). The majority wins, ties and sections without
 * comments get a comment line above. The marker (`# `, `#`, `## `...) and, for trailing comments,
 * the gap before it are copied from the nearest such comment to the anchor.
 */
function commentStyle(text: string, map: YAMLMap, anchorIndex: number): CommentStyle {
  const order = map.items
    .map((pair, index) => ({ pair, index }))
    .sort((a, b) => Math.abs(a.index - anchorIndex) - Math.abs(b.index - anchorIndex) || a.index - b.index);
  let above: { marker: string } | undefined;
  let inline: { gap: string; marker: string } | undefined;
  let aboveCount = 0;
  let inlineCount = 0;
  for (const { pair } of order) {
    const start = keyStart(pair);
    const line = lineAt(text, start);
    const indent = text.slice(line.start, start);
    if (line.start > 0) {
      const prev = lineAt(text, line.start - 1);
      const m = /^( *)(#+ ?)/.exec(text.slice(prev.start, prev.contentEnd));
      if (m && m[1] === indent) {
        aboveCount++;
        above ??= { marker: m[2] ?? '# ' };
      }
    }
    const value = pair.value;
    if ((isScalar(value) || value === null) && !(isScalar(value) && (value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED'))) {
      const end = valueEndOf(text, pair);
      const valueLine = lineAt(text, end);
      const m = /^([ \t]+)(#+ ?)/.exec(text.slice(end, valueLine.contentEnd));
      if (m) {
        inlineCount++;
        inline ??= { gap: m[1] ?? ' ', marker: m[2] ?? '# ' };
      }
    }
  }
  if (inline && inlineCount > aboveCount) return { kind: 'inline', ...inline };
  return { kind: 'above', marker: above?.marker ?? '# ' };
}

// ---------------------------------------------------------------------------------------------
// Checking a plan

/**
 * Parse the edited text again and compare its data with the original: exactly one key more (or
 * less) in the trainer mapping, with the value false, and nothing else different. A plan that
 * fails this is refused rather than written.
 */
function verifyEdit(
  beforeText: string,
  before: Document.Parsed | undefined,
  afterText: string,
  file: string,
  mode: 'add' | 'remove',
  generated: boolean,
): void {
  const fail = (why: string) =>
    cannotPatch(file, `internal check failed after ${mode === 'add' ? 'adding' : 'removing'} ${LOAD_CRITIC_ONLY_KEY}: ${why}; edit it by hand`);
  let after: Document.Parsed | undefined;
  try {
    after = parseFirstDocument(afterText, file);
  } catch {
    throw fail('the edited YAML does not parse');
  }
  const oldData = toData(before) as Record<string, unknown>;
  const newData = toData(after) as Record<string, unknown>;
  const withKey = mode === 'add' ? newData : oldData;
  const withoutKey = mode === 'add' ? oldData : newData;
  const trainer = (withKey?.trainer ?? undefined) as Record<string, unknown> | undefined;
  if (!trainer || trainer[LOAD_CRITIC_ONLY_KEY] !== false) throw fail(`trainer.${LOAD_CRITIC_ONLY_KEY} does not read as false`);
  const rest = { ...withKey, trainer: { ...trainer } };
  delete rest.trainer[LOAD_CRITIC_ONLY_KEY];
  if (!isDeepStrictEqual(rest, withoutKey)) throw fail('other values changed');
  // The key must also be where it belongs: in the trainer mapping, spelled as planned.
  const map = mode === 'add' ? mustFindTrainer(after, afterText, file) : mustFindTrainer(before, beforeText, file);
  const pair = findPair(map, LOAD_CRITIC_ONLY_KEY);
  const source = pair && isScalar(pair.value) ? pair.value.source : undefined;
  if (source !== (generated ? 'false' : 'False')) throw fail(`the value is spelled ${String(source)}`);
}

function toData(doc: Document.Parsed | undefined): unknown {
  return doc ? doc.toJS({ maxAliasCount: -1 }) : null;
}

// ---------------------------------------------------------------------------------------------
// Text helpers

interface LineInfo {
  /** Offset of the line's first character. */
  start: number;
  /** Offset of its line break (or the end of the text). */
  contentEnd: number;
  /** Offset of the next line, undefined when the line is the last one with no line break. */
  nextLineStart: number | undefined;
}

function lineAt(text: string, offset: number): LineInfo {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  if (nl < 0) return { start, contentEnd: text.length, nextLineStart: undefined };
  const contentEnd = nl > start && text[nl - 1] === '\r' ? nl - 1 : nl;
  return { start, contentEnd, nextLineStart: nl + 1 };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The file's line ending, from its first line break; LF for a one-line file. */
function fileEol(text: string): string {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
