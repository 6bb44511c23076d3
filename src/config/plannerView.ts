/**
 * Parse only what can hold the key. A VeRL trainer YAML is up to ~1,000 lines (the
 * `_generated_*.yaml` snapshots) of which the planner reads a few dozen: the top-level `trainer:`
 * section, `defaults:`, and whether `critic:` / `actor_rollout_ref:` are there. The `yaml` package
 * composes every node of a file at about 1 MB/s in a one-shot process, which made YAML most of a
 * checkout run's time (BENCHMARKS.md); tree-sitter's YAML grammar reads the structure natively,
 * about ten times faster.
 *
 * So the planner is given a *view* of the text: the same length, with those top-level entries
 * kept byte for byte, on their own lines, and everything between them turned into blank and
 * comment lines. Offsets in the view are those of the file (line numbers are counted in the file),
 * so a plan made on the view (its edits, its messages) is the plan of the file, and the planner's
 * self-check re-parses a few dozen lines instead of the whole file. Comments and blank lines
 * between top-level entries mean nothing in YAML, so the view is the file minus the other entries.
 *
 * That holds only where YAML's block structure is all there is. Anything else gets no view, and
 * the planner reads the whole file as before: a text tree-sitter cannot parse (the `yaml` package
 * then says why), more or fewer than one document, directives, anything but a block mapping at
 * the top, an anchor, alias or tag anywhere (they reach across entries), a key that is not a
 * plain scalar starting its entry (quoted, explicit `? `), a top-level key written twice, no
 * top-level `trainer:` at all, or no YAML grammar on this platform.
 */
import { contentEndAt } from '../text/lines.js';
import { newParser, YAML, type Parser, type SyntaxNode } from '../treeSitter.js';

/** Kept whole (on whole lines, with their comments): what the planner reads inside them. */
const KEPT_ENTRIES = new Set(['trainer', 'defaults']);
/** Kept as `key:` only: the planner asks whether they are there (configuresPpo). */
const KEPT_KEYS = new Set(['critic', 'actor_rollout_ref']);

let parser: Parser | null | undefined;

function yamlParser(): Parser | undefined {
  if (parser === undefined) {
    try {
      parser = newParser(YAML);
    } catch {
      parser = null; // no prebuilt grammar for this platform: every file is read whole
    }
  }
  return parser ?? undefined;
}

/** The view of `text` the planner needs, or undefined when only the whole text will do. */
export function plannerView(text: string): string | undefined {
  const parser = yamlParser();
  if (!parser) return undefined;
  const mapping = topLevelMapping(parser.parse(text).rootNode);
  if (!mapping) return undefined;
  const kept = keptRanges(text, mapping);
  return kept && blankAllBut(text, kept);
}

/** The block mapping that is the file's one document, when the text is that simple. */
function topLevelMapping(stream: SyntaxNode): SyntaxNode | undefined {
  if (stream.hasError) return undefined;
  const documents = stream.namedChildren.filter((n) => n.type !== 'comment');
  const document = only(documents, 'document');
  const body = document && only(document.namedChildren.filter((n) => n.type !== 'comment'), 'block_node');
  const mapping = body && only(body.namedChildren.filter((n) => n.type !== 'comment'), 'block_mapping');
  if (!mapping || document.descendantsOfType(['anchor', 'alias', 'tag']).length > 0) return undefined;
  return mapping;
}

function only(nodes: SyntaxNode[], type: string): SyntaxNode | undefined {
  return nodes.length === 1 && nodes[0]?.type === type ? nodes[0] : undefined;
}

/** [start, end) ranges of the text to keep, in order; undefined when an entry is not plain. */
function keptRanges(text: string, mapping: SyntaxNode): [number, number][] | undefined {
  const kept: [number, number][] = [];
  const seen = new Set<string>();
  for (const entry of mapping.namedChildren) {
    if (entry.type === 'comment') continue;
    const key = entry.type === 'block_mapping_pair' ? entry.childForFieldName('key') : null;
    if (!key || key.startIndex !== entry.startIndex) return undefined;
    const scalar = key.namedChildren;
    if (key.type !== 'flow_node' || scalar.length !== 1 || scalar[0]?.type !== 'plain_scalar') return undefined;
    const name = key.text;
    if (seen.has(name)) return undefined;
    seen.add(name);
    // Kept to the end of its last line, so trailing comments stay. A value may end just past a line
    // break (a block scalar's), so that line is the one holding the entry's last character.
    if (KEPT_ENTRIES.has(name)) kept.push([entry.startIndex, contentEndAt(text, Math.max(entry.startIndex, entry.endIndex - 1))]);
    else if (KEPT_KEYS.has(name)) {
      const colon = entry.children.find((c) => c.type === ':');
      if (!colon) return undefined;
      kept.push([entry.startIndex, colon.endIndex]);
    }
  }
  // Without a trainer entry the file is no target, and the whole text says so in its own words.
  return seen.has('trainer') ? kept : undefined;
}

/**
 * `text` with what lies outside `kept` filled in: same length, so offsets stay; the line break
 * ending each kept line stays as it was (the planner copies it), and the rest of a gap becomes one
 * comment line of spaces. Fewer lines, not only fewer characters: the yaml package spends its time
 * per line, blank or not (a view that kept every line break parsed twice as slowly).
 */
function blankAllBut(text: string, kept: [number, number][]): string | undefined {
  const parts: string[] = [];
  let at = text.startsWith('\uFEFF') ? 1 : 0;
  parts.push(text.slice(0, at));
  for (const [start, end] of kept) {
    if (start < at) return undefined; // entries that share a line: not the plain block structure the view is for
    parts.push(fill(text, at, start), text.slice(start, end));
    at = end;
  }
  parts.push(fill(text, at, text.length));
  return parts.join('');
}

/**
 * What replaces text[from, to): spaces to the end of the line `from` is on, that line's own line
 * break, then a comment line of spaces as long as the rest, ending where the next kept entry
 * starts its line (or where the file ends).
 */
function fill(text: string, from: number, to: number): string {
  const newline = text.indexOf('\n', from);
  if (newline < 0 || newline >= to) return ' '.repeat(to - from);
  const crlf = newline > from && text[newline - 1] === '\r';
  const firstLine = ' '.repeat(newline - from - (crlf ? 1 : 0)) + (crlf ? '\r\n' : '\n');
  const rest = to - newline - 1;
  if (rest === 0) return firstLine;
  if (to < text.length || text.endsWith('\n')) return firstLine + (rest === 1 ? '\n' : `#${' '.repeat(rest - 2)}\n`);
  return firstLine + `#${' '.repeat(rest - 1)}`;
}
