/**
 * Generated inputs for the reliability properties: every fixture of fixtures/python (and the
 * refusal fixtures), mutated at random the ways real trainer files differ from ours.
 *
 * A case is a plain JSON-able spec (so fast-check can shrink it and a failure can be replayed)
 * turned into bytes by `buildCase`, in this order:
 *   1. structural edits on the fixture, at places found with tree-sitter so that the result is
 *      still Python: blank, whitespace-only and comment lines (any Unicode but line breaks)
 *      inside the checkpoint methods, and extra statements before or after the actor load and
 *      other statements (non-ASCII names and strings, compound statements, `pass;` sharing the
 *      load's line, a trailing comment on it);
 *   2. whole-file transforms: indentation re-done with tabs, 2 or 4 spaces; LF, CRLF, mixed line
 *      endings (some with a lone CR); trailing whitespace; a BOM added or removed; the final line
 *      break dropped or doubled;
 *   3. optionally a byte-level mutation of the encoded file: truncated at a random byte, bytes
 *      flipped, random bytes inserted, or emptied.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parsePython, type SyntaxNode } from '../../src/python/parser.js';
import { REPO_ROOT } from '../helpers/cli.js';

export const FIXTURE_DIR = join(REPO_ROOT, 'fixtures', 'python');
export const REFUSE_DIR = join(REPO_ROOT, 'fixtures', 'refuse');

export interface Fixture {
  name: string;
  dir: string;
  bytes: Buffer;
  text: string; // decoded leniently: the refusal fixtures include binary and non-UTF-8 files
  info: FixtureInfo;
}

interface Line {
  body: string; // without its line break
  eol: string; // '\n', '\r\n', '\r' or '' (last line)
}

interface Anchor {
  row: number; // 0-based line of the statement's first line (insert before) or after its last
  indent: string;
  where: 'before' | 'after';
  load: boolean; // the statement is a real actor load
}

interface FixtureInfo {
  unit: string; // the fixture's own indentation unit
  /** Rows before which a whole line may be inserted (not inside a string, not after a backslash). */
  lineSlots: number[];
  /** The subset of lineSlots inside methods named *load_checkpoint* or called from them. */
  methodSlots: number[];
  anchors: Anchor[];
  loadRows: number[]; // first rows of the real actor loads
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const re = /([^\r\n]*)(\r\n|\n|\r|$)/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    if (match[0] === '' && match.index >= text.length) break;
    lines.push({ body: match[1]!, eol: match[2]! });
    if (match[2] === '') break;
  }
  return lines;
}

const joinLines = (lines: readonly Line[]) => lines.map((l) => l.body + l.eol).join('');

function walk(node: SyntaxNode, visit: (n: SyntaxNode) => void): void {
  visit(node);
  for (const child of node.children) walk(child, visit);
}

const leading = (body: string) => /^[ \t]*/.exec(body)![0];

function isActorLoad(node: SyntaxNode): boolean {
  if (node.type !== 'call') return false;
  const fn = node.childForFieldName('function');
  if (!fn || !/actor_rollout_wg\s*\.\s*load_checkpoint$/.test(fn.text.replace(/\\\s*\n\s*/g, ''))) return false;
  const first = node.childForFieldName('arguments')?.namedChildren[0];
  return !!first && first.text !== 'None' && !/^local_path\s*=\s*None$/.test(first.text);
}

function analyse(text: string): FixtureInfo {
  const lines = splitLines(text);
  const root = parsePython(text);
  const insideString = new Set<number>();
  walk(root, (n) => {
    if (n.type === 'string' && n.endPosition.row > n.startPosition.row) {
      for (let r = n.startPosition.row + 1; r <= n.endPosition.row; r++) insideString.add(r);
    }
  });
  const slotOk = (row: number) => !insideString.has(row) && !(row > 0 && lines[row - 1]!.body.trimEnd().endsWith('\\'));
  const lineSlots = Array.from({ length: lines.length + 1 }, (_, r) => r).filter(slotOk);

  const methodRows = new Set<number>();
  const anchors: Anchor[] = [];
  const loadRows: number[] = [];
  walk(root, (n) => {
    if (n.type === 'function_definition' && /load_checkpoint|checkpoint/.test(n.childForFieldName('name')?.text ?? '')) {
      for (let r = n.startPosition.row + 1; r <= n.endPosition.row + 1; r++) methodRows.add(r);
    }
    if (n.parent?.type !== 'block') return;
    const row = n.startPosition.row;
    const body = lines[row]?.body ?? '';
    const indent = leading(body);
    if (n.startPosition.column !== indent.length) return; // shares its line with something before
    let load = false;
    walk(n, (m) => {
      if (m.type === 'call' && isActorLoad(m) && n.type === 'expression_statement') load = true;
    });
    if (load) loadRows.push(row);
    if (slotOk(row)) anchors.push({ row, indent, where: 'before', load });
    const endRow = n.endPosition.row;
    const rest = (lines[endRow]?.body ?? '').slice(n.endPosition.column);
    if (/^\s*(#.*)?$/.test(rest) && slotOk(endRow + 1)) anchors.push({ row: endRow + 1, indent, where: 'after', load });
  });
  const unit = /^\t/m.test(text) ? '\t' : minIndent(lines) === 2 ? '  ' : '    ';
  return { unit, lineSlots, methodSlots: lineSlots.filter((r) => methodRows.has(r)), anchors, loadRows };
}

function minIndent(lines: readonly Line[]): number {
  let min = Infinity;
  for (const { body } of lines) {
    const n = leading(body).length;
    if (n > 0 && body.trim() !== '' && !body.trim().startsWith('#')) min = Math.min(min, n);
  }
  return min;
}

function loadFixtures(dir: string, filter: (name: string) => boolean): Fixture[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.py') && filter(name))
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dir, name));
      const text = bytes.toString('utf8');
      return { name, dir, bytes, text, info: analyse(text) };
    });
}

/** Every fixture of fixtures/python (patchable and hand-guarded) and of fixtures/refuse. */
export const PATCHABLE = loadFixtures(FIXTURE_DIR, () => true);
export const REFUSED = loadFixtures(REFUSE_DIR, () => true);
export const ALL_FIXTURES = [...PATCHABLE, ...REFUSED];

// ------------------------------------------------------------------------------------------------
// Specs
// ------------------------------------------------------------------------------------------------

export type IndentStyle = 'keep' | 'tabs' | 'two' | 'four';
export type EolStyle = 'keep' | 'lf' | 'crlf' | 'mixed' | 'mixed-cr';

export interface LineInsert {
  slot: number; // index into methodSlots (inMethod) or lineSlots, modulo their length
  inMethod: boolean;
  kind: 'blank' | 'spaces' | 'comment';
  indent: number; // extra spaces before a comment or in a whitespace-only line
  text: string;
}

export interface StatementInsert {
  anchor: number; // index into the load anchors (onLoad) or all anchors, modulo
  onLoad: boolean;
  template: number;
  text: string;
}

export type ByteMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; flips: Array<[number, number]> }
  | { kind: 'insert'; inserts: Array<[number, number[]]> }
  | { kind: 'empty' };

export interface CaseSpec {
  fixture: number; // index into the pool, modulo
  lines: LineInsert[];
  statements: StatementInsert[];
  semicolonOnLoad: boolean;
  commentOnLoad: string | null;
  indent: IndentStyle;
  eol: EolStyle;
  eolSeed: number;
  trailingSpaces: number[]; // rows (modulo) that get trailing blanks
  bom: 'keep' | 'add' | 'remove';
  finalNewline: 'keep' | 'drop' | 'double';
  bytes: ByteMutation | null;
}

/** Text without line breaks or NUL: anything else may sit in a comment or a string. */
const TRICKY = ['\u00e9', '\u00fc', '\u4e2d\u6587', '\u{1F680}', '\u2028', '\u2029', '\u0085', '\u000c', '\u000b', '\t', '\u00a0', '\ufeff', '\u200b', 'e\u0301', '\u{1D518}', '\u05e2\u05d1', '#', '"', "'", '\\', '"""', '{', '}'];
const freeText = fc
  .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 3 }), fc.constantFrom(...TRICKY)), { maxLength: 6 })
  .map((parts) => parts.join('').replace(/[\r\n\0]/g, ' '));
/** For the inside of a "..." literal: no quote, backslash or line break. */
const stringText = freeText.map((s) => s.replace(/["\\\u2028\u2029\u0085]/g, '_'));

const lineInsert: fc.Arbitrary<LineInsert> = fc.record({
  slot: fc.nat(),
  inMethod: fc.boolean(),
  kind: fc.constantFrom('blank', 'spaces', 'comment'),
  indent: fc.nat({ max: 12 }),
  text: freeText,
});

/**
 * Statements inserted into methods and class bodies. `{s}` is generated text, `{u}` the fixture's
 * indentation unit, `{n}` the insert's index in the case: every insert binds names of its own, as
 * a class body may refuse a name bound twice (an Enum's does: "TypeError: 'x' already defined").
 */
export const STATEMENT_TEMPLATES = [
  'pass',
  'x_vcp{n} = 1',
  'donn\u00e9es_vcp{n} = "{s}"',
  '\u03bb_vcp{n} = ("{s}", 2)',
  '_vcp{n}_note = getattr(locals().get("self"), "_vcp_note", None)',
  'print("{s}")',
  'if True:\n{u}pass',
  'try:\n{u}import json as _vcp{n}_json\nexcept ImportError:\n{u}pass',
  '_vcp{n}_value = [\n{u}1,  # {s}\n{u}2,\n]',
  '# {s}',
  'for _vcp{n}_i in range(0):\n{u}print(_vcp{n}_i)',
  '_vcp{n}_text = """{s}\n{s}"""',
];

const statementInsert: fc.Arbitrary<StatementInsert> = fc.record({
  anchor: fc.nat(),
  onLoad: fc.boolean(),
  template: fc.nat({ max: STATEMENT_TEMPLATES.length - 1 }),
  text: stringText,
});

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), inserts: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' as const }) },
);

export function caseSpec(options: { bytes?: boolean; poolSize: number }): fc.Arbitrary<CaseSpec> {
  return fc.record({
    fixture: fc.nat({ max: options.poolSize - 1 }),
    lines: fc.array(lineInsert, { maxLength: 5 }),
    statements: fc.array(statementInsert, { maxLength: 3 }),
    semicolonOnLoad: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    commentOnLoad: fc.option(freeText, { freq: 5 }),
    indent: fc.constantFrom<IndentStyle>('keep', 'tabs', 'two', 'four'),
    eol: fc.constantFrom<EolStyle>('keep', 'keep', 'keep', 'lf', 'lf', 'crlf', 'crlf', 'mixed', 'mixed', 'mixed-cr'),
    eolSeed: fc.nat(),
    trailingSpaces: fc.array(fc.nat(), { maxLength: 3 }),
    bom: fc.constantFrom('keep', 'add', 'remove'),
    finalNewline: fc.constantFrom('keep', 'keep', 'drop', 'double'),
    bytes: options.bytes === false ? fc.constant(null) : fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: byteMutation }),
  });
}

// ------------------------------------------------------------------------------------------------
// Building a case
// ------------------------------------------------------------------------------------------------

const pick = <T>(items: readonly T[], index: number): T | undefined => (items.length === 0 ? undefined : items[index % items.length]);

/** Structural edits only (step 1): still the fixture's indentation, line endings and BOM. */
export function structural(fixture: Fixture, spec: Pick<CaseSpec, 'lines' | 'statements' | 'semicolonOnLoad' | 'commentOnLoad'>): string {
  const lines = splitLines(fixture.text);
  const info = fixture.info;
  const eolAt = (row: number) => lines[Math.min(row, lines.length - 1)]?.eol || lines.find((l) => l.eol)?.eol || '\n';
  const inserts: Array<{ row: number; order: number; lines: string[] }> = [];
  let order = 0;
  for (const insert of spec.lines) {
    const row = pick(insert.inMethod && info.methodSlots.length ? info.methodSlots : info.lineSlots, insert.slot);
    if (row === undefined) continue;
    const indent = leading(lines[row]?.body ?? '') + ' '.repeat(insert.indent);
    const text = insert.kind === 'blank' ? '' : insert.kind === 'spaces' ? ' '.repeat(insert.indent) : `${indent}#${insert.text}`;
    inserts.push({ row, order: order++, lines: [text] });
  }
  const loadAnchors = info.anchors.filter((a) => a.load);
  for (const [n, statement] of spec.statements.entries()) {
    const anchor = pick(statement.onLoad && loadAnchors.length ? loadAnchors : info.anchors, statement.anchor);
    if (!anchor) continue;
    const template = STATEMENT_TEMPLATES[statement.template]!;
    // {s} last: the generated text may hold "{n}" or "{u}" itself.
    const body = template.replaceAll('{n}', String(n)).replaceAll('{u}', info.unit).replaceAll('{s}', statement.text);
    inserts.push({ row: anchor.row, order: order++, lines: body.split('\n').map((l) => anchor.indent + l) });
  }
  // Edits on the load's own line: these change rows' contents, not the row count.
  for (const row of info.loadRows.slice(0, 1)) {
    const line = lines[row]!;
    if (spec.semicolonOnLoad) line.body = line.body.replace(/^([ \t]*)/, '$1pass; ');
  }
  if (spec.commentOnLoad !== null && info.loadRows.length) {
    // The last line of the first load statement: find where its parentheses close.
    const row = lastRowOfStatement(lines, info.loadRows[0]!);
    if (row !== undefined && !lines[row]!.body.trimEnd().endsWith('\\')) lines[row]!.body += `  # ${spec.commentOnLoad}`;
  }
  inserts.sort((a, b) => b.row - a.row || b.order - a.order);
  for (const insert of inserts) {
    const eol = eolAt(insert.row);
    const added = insert.lines.map((body) => ({ body, eol }));
    if (insert.row >= lines.length) {
      const last = lines[lines.length - 1];
      if (last && last.eol === '') last.eol = eol;
      added[added.length - 1]!.eol = '';
    }
    lines.splice(insert.row, 0, ...added);
  }
  return joinLines(lines);
}

function lastRowOfStatement(lines: readonly Line[], start: number): number | undefined {
  let depth = 0;
  for (let row = start; row < lines.length; row++) {
    const body = lines[row]!.body;
    for (const ch of body.replace(/#.*$/, '')) {
      if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) depth--;
    }
    if (depth <= 0 && !body.trimEnd().endsWith('\\')) return row;
  }
  return undefined;
}

/** Step 2: whole-file transforms. `seed` drives the per-line choices of mixed line endings. */
export function wholeFile(text: string, spec: Pick<CaseSpec, 'indent' | 'eol' | 'eolSeed' | 'trailingSpaces' | 'bom' | 'finalNewline'>, unit: string): string {
  const hadBom = text.startsWith('\ufeff');
  const lines = splitLines(hadBom ? text.slice(1) : text);
  if (spec.indent !== 'keep') {
    const target = spec.indent === 'tabs' ? '\t' : spec.indent === 'two' ? '  ' : '    ';
    for (const line of lines) line.body = reindent(line.body, unit, target);
  }
  for (const index of spec.trailingSpaces) {
    const line = pick(lines, index);
    if (line && !line.body.trimEnd().endsWith('\\')) line.body += index % 2 ? ' \t' : '   ';
  }
  let state = spec.eolSeed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  for (const line of lines) {
    if (line.eol === '') continue;
    if (spec.eol === 'lf') line.eol = '\n';
    else if (spec.eol === 'crlf') line.eol = '\r\n';
    else if (spec.eol === 'mixed') line.eol = random() < 0.5 ? '\n' : '\r\n';
    else if (spec.eol === 'mixed-cr') line.eol = ['\n', '\r\n', '\r'][Math.floor(random() * 3)]!;
  }
  const last = lines[lines.length - 1];
  if (last && spec.finalNewline === 'drop') {
    if (last.eol === '' && last.body === '' && lines.length > 1) lines.pop();
    const end = lines[lines.length - 1];
    if (end) end.eol = '';
  } else if (last && spec.finalNewline === 'double') {
    const eol = lines.find((l) => l.eol)?.eol ?? '\n';
    if (last.eol === '') last.eol = eol;
    lines.push({ body: '', eol });
  }
  const body = joinLines(lines);
  const bom = spec.bom === 'add' || (spec.bom === 'keep' && hadBom);
  return (bom ? '\ufeff' : '') + body;
}

function reindent(body: string, unit: string, target: string): string {
  const ws = leading(body);
  if (ws === '') return body;
  if (unit === '\t') {
    const tabs = /^\t*/.exec(ws)![0].length;
    return target.repeat(tabs) + ws.slice(tabs) + body.slice(ws.length);
  }
  if (ws.includes('\t')) return body;
  const units = Math.floor(ws.length / unit.length);
  return target.repeat(units) + ' '.repeat(ws.length - units * unit.length) + body.slice(ws.length);
}

/** Step 3: byte-level mutations. */
export function mutateBytes(bytes: Buffer, mutation: ByteMutation | null): Buffer {
  if (!mutation) return bytes;
  const at = (fraction: number, length: number) => Math.min(length, Math.floor(fraction * (length + 1)));
  switch (mutation.kind) {
    case 'empty':
      return Buffer.alloc(0);
    case 'truncate':
      return bytes.subarray(0, at(mutation.at, bytes.length));
    case 'flip': {
      const out = Buffer.from(bytes);
      for (const [fraction, xor] of mutation.flips) {
        if (out.length === 0) break;
        const index = Math.min(out.length - 1, at(fraction, out.length - 1));
        out[index] = out[index]! ^ xor;
      }
      return out;
    }
    case 'insert': {
      let out = Buffer.from(bytes);
      for (const [fraction, added] of mutation.inserts) {
        const index = at(fraction, out.length);
        out = Buffer.concat([out.subarray(0, index), Buffer.from(added), out.subarray(index)]);
      }
      return out;
    }
  }
}

export interface BuiltCase {
  fixture: Fixture;
  structured: string; // after step 1
  bytes: Buffer; // after steps 2 and 3
  byteMutated: boolean;
}

export function buildCase(spec: CaseSpec, pool: readonly Fixture[]): BuiltCase {
  const fixture = pool[spec.fixture % pool.length]!;
  const structured = structural(fixture, spec);
  const text = wholeFile(structured, spec, fixture.info.unit);
  const encoded = fixture.dir === REFUSE_DIR && !Buffer.from(fixture.text, 'utf8').equals(fixture.bytes) ? fixture.bytes : Buffer.from(text, 'utf8');
  return { fixture, structured, bytes: mutateBytes(encoded, spec.bytes), byteMutated: spec.bytes !== null };
}

/** A short, replayable description of a case for failure messages. */
export function describeCase(spec: CaseSpec, pool: readonly Fixture[]): string {
  return `${pool[spec.fixture % pool.length]!.name} ${JSON.stringify(spec)}`;
}
