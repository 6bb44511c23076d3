/**
 * Reading a trainer YAML: its first document, the top-level `trainer:` mapping, the line the key
 * goes after, and the comment style around it. Nothing here edits text; where a shape cannot take
 * a line insertion safely, the answer says why instead of throwing.
 */
import type { Document, Pair, YAMLError, YAMLMap } from 'yaml';
import { eolOfLine, lineAt, lineNumberAt } from '../text/lines.js';
import { yamlLib } from './yamlLib.js';

/**
 * The 1-based line of an offset. The planner may read a view of the file that keeps its offsets
 * but not all of its line breaks (src/config/plannerView.ts); line numbers come from the file.
 */
export type LineOf = (offset: number) => number;

type Parsed = { doc: Document.Parsed | undefined } | { error: string };

/**
 * The last text parsed and its result: revert's check of a snapshot parses the text without our
 * line to find where patch would put it, and the self-check then parses that same text again.
 * Nothing mutates a parsed document, so the second answer can be the first.
 */
let last: { text: string; parsed: Parsed } | undefined;

/** The first document of `text`, or why the text does not parse (any error in any document). */
export function parseFirstDocument(text: string): Parsed {
  if (last?.text === text) return last.parsed;
  const docs = yamlLib().parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const streamErrors = (docs as { errors?: YAMLError[] }).errors ?? [];
  const first = [...streamErrors, ...docs.flatMap((d) => d.errors)][0];
  const unresolved = first || !text.includes('*') ? undefined : docs.map((doc) => unresolvedAlias(doc, text)).find((why) => why);
  const parsed: Parsed = first ? { error: `YAML does not parse: ${describeError(first)}` } : unresolved ? { error: unresolved } : { doc: docs[0] };
  last = { text, parsed };
  return parsed;
}

/**
 * An alias whose anchor is not defined before it: the yaml package parses it without an error and
 * throws when the document is read as data, so it is a parse error here.
 */
function unresolvedAlias(doc: Document.Parsed, text: string): string | undefined {
  let why: string | undefined;
  yamlLib().visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc)) return undefined;
      why = `YAML does not parse: the alias *${alias.source} has no anchor &${alias.source} before it (line ${lineNumberAt(text, alias.range?.[0] ?? 0)})`;
      return yamlLib().visit.BREAK;
    },
  });
  return why;
}

function describeError(error: YAMLError): string {
  const head = (error.message.split('\n')[0] ?? error.message).replace(/:\s*$/, '');
  if (/\bline \d+/.test(head)) return head;
  const pos = error.linePos?.[0];
  return pos ? `${head} at line ${pos.line}, column ${pos.col}` : head;
}

export type TrainerLookup =
  | { kind: 'found'; map: YAMLMap }
  /** No trainer section holding resume_mode: the file is no target. */
  | { kind: 'none'; reason: string }
  /** There is one, in a form this tool does not edit (an alias, a merge key). */
  | { kind: 'refused'; reason: string };

/** The top-level `trainer:` mapping of the document, if it holds `resume_mode`. */
export function findTrainerMapping(doc: Document.Parsed | undefined, text: string): TrainerLookup {
  const { isAlias, isMap } = yamlLib();
  if (!doc || !isMap(doc.contents)) {
    return { kind: 'none', reason: 'the (first) YAML document is not a mapping, so it has no top-level trainer: section' };
  }
  const trainer = findPair(doc.contents, 'trainer');
  if (!trainer) return { kind: 'none', reason: 'no top-level trainer: section' };
  const value = trainer.value;
  if (isAlias(value)) {
    const target = value.resolve(doc);
    if (isMap(target) && findPair(target, 'resume_mode')) {
      return {
        kind: 'refused',
        reason:
          `the top-level trainer: (line ${lineNumberAt(text, keyStart(trainer))}) is an alias (*${value.source}); ` +
          'add load_critic_only where its anchor is defined, by hand',
      };
    }
    return { kind: 'none', reason: 'the top-level trainer: is an alias of something without resume_mode' };
  }
  if (!isMap(value)) return { kind: 'none', reason: 'the top-level trainer: is not a mapping' };
  if (!findPair(value, 'resume_mode')) {
    const merge = findPair(value, '<<');
    if (merge && mergeSources(doc, merge.value).some((m) => findPair(m, 'resume_mode'))) {
      return {
        kind: 'refused',
        reason:
          `the trainer: mapping takes resume_mode from a YAML merge key (<<, line ${lineNumberAt(text, keyStart(merge))}); ` +
          'add load_critic_only to it by hand',
      };
    }
    return { kind: 'none', reason: 'the top-level trainer: section has no resume_mode' };
  }
  return { kind: 'found', map: value };
}

function mergeSources(doc: Document.Parsed, value: unknown): YAMLMap[] {
  const { isAlias, isMap, isSeq } = yamlLib();
  const nodes = isSeq(value) ? value.items : [value];
  const out: YAMLMap[] = [];
  for (const node of nodes) {
    const resolved = isAlias(node) ? node.resolve(doc) : node;
    if (isMap(resolved)) out.push(resolved);
  }
  return out;
}

/** The pair of `map` whose key is the plain string `name` (quoted keys count too). */
export function findPair(map: YAMLMap, name: string): Pair | undefined {
  const { isScalar } = yamlLib();
  return map.items.find((p) => isScalar(p.key) && p.key.value === name);
}

export function keyStart(pair: Pair): number {
  const key = pair.key;
  if (yamlLib().isScalar(key) && key.range) return key.range[0];
  throw new Error('yaml pair without a scalar key range'); // the parser gives every scalar key a range
}

export interface Anchor {
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
 * more-indented lines), or of `resume_mode`'s when there is no `resume_from_path`. Or why a line
 * inserted there would not be safe.
 */
export function anchorLine(text: string, map: YAMLMap, lineOf: LineOf = (offset) => lineNumberAt(text, offset)): Anchor | { refused: string } {
  const { isCollection, isScalar } = yamlLib();
  let pairIndex = map.items.findIndex((p) => isScalar(p.key) && p.key.value === 'resume_from_path');
  if (pairIndex < 0) pairIndex = map.items.findIndex((p) => isScalar(p.key) && p.key.value === 'resume_mode');
  const pair = map.items[pairIndex];
  if (!pair || !isScalar(pair.key)) throw new Error('anchorLine called on a mapping without resume_mode'); // findTrainerMapping checked
  const name = String(pair.key.value);
  const start = keyStart(pair);
  const line = lineOf(start);
  const keyLine = lineAt(text, start);
  const indent = text.slice(keyLine.start, start);
  const byHand = 'add load_critic_only to the trainer section by hand';
  if (!/^ *$/.test(indent)) return { refused: `${name} (line ${line}) does not start its own line; ${byHand}` };

  const value = pair.value;
  if (isCollection(value) && !value.flow) return { refused: `${name} (line ${line}) has a nested mapping or list as its value; ${byHand}` };
  if (isBlockScalar(value)) return { refused: `${name} (line ${line}) has a block scalar (| or >) as its value; ${byHand}` };
  const valueEnd = valueEndOf(text, pair);
  const last = lineAt(text, valueEnd);
  const tail = text.slice(valueEnd, last.contentEnd);
  if (!/^[ \t]*(#.*)?$/.test(tail)) return { refused: `${name} (line ${line}) is followed by "${tail.trim()}" on its line; ${byHand}` };
  return { name, pairIndex, line, indent, eol: eolOfLine(text, valueEnd), nextLineStart: last.nextLineStart };
}

function isBlockScalar(value: unknown): boolean {
  return yamlLib().isScalar(value) && (value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED');
}

/**
 * The end of what is written for the pair's value: after the scalar, alias or flow collection, or
 * right after the `:` when the value is empty (the parser puts an empty value's range at the next
 * token, which may be a trailing comment).
 */
function valueEndOf(text: string, pair: Pair): number {
  const { isAlias, isCollection, isScalar } = yamlLib();
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

export type CommentStyle = { kind: 'above'; marker: string } | { kind: 'inline'; gap: string; marker: string };

/**
 * How the trainer section writes its comments: comment lines above keys (VeRL since 2025), or
 * trailing comments after values (older releases). The majority wins, ties and sections without
 * comments get a comment line above. The marker (`# `, `#`, `## `...) and, for trailing comments,
 * the gap before it are copied from the nearest such comment to the anchor.
 */
export function commentStyle(text: string, map: YAMLMap, anchorIndex: number): CommentStyle {
  const { isScalar } = yamlLib();
  const order = map.items
    .map((pair, index) => ({ pair, index }))
    .sort((a, b) => Math.abs(a.index - anchorIndex) - Math.abs(b.index - anchorIndex) || a.index - b.index);
  let above: { marker: string } | undefined;
  let inline: { gap: string; marker: string } | undefined;
  let aboveCount = 0;
  let inlineCount = 0;
  for (const { pair } of order) {
    if (!isScalar(pair.key) || !pair.key.range) continue; // `? ` with no key, or a collection key: no line of its own to read
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
    if ((isScalar(value) || value === null) && !isBlockScalar(value)) {
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

/**
 * Does the document configure a PPO run: a top-level `critic:` or `actor_rollout_ref:`, or a
 * `defaults:` list that pulls in a PPO trainer config (`- ppo_trainer`, `- /ppo_megatron_trainer`,
 * `- verl/trainer/config/ppo_trainer.yaml`)? SFT, evaluation and generation configs of VeRL have a
 * trainer section too, but no PPO launch reads them.
 */
export function configuresPpo(doc: Document.Parsed | undefined): boolean {
  const { isMap, isScalar, isSeq } = yamlLib();
  if (!doc || !isMap(doc.contents)) return false;
  if (findPair(doc.contents, 'critic') || findPair(doc.contents, 'actor_rollout_ref')) return true;
  const defaults = findPair(doc.contents, 'defaults')?.value;
  if (!isSeq(defaults)) return false;
  return defaults.items.some((item) => {
    const entry = isMap(item) ? item.items[0]?.value : item;
    return isScalar(entry) && typeof entry.value === 'string' && isPpoTrainerConfigName(entry.value);
  });
}

function isPpoTrainerConfigName(name: string): boolean {
  const last = name.split('/').pop() ?? '';
  return /ppo.*trainer$/i.test(last.replace(/\.ya?ml$/i, ''));
}
