/**
 * Parsing Python with tree-sitter (src/treeSitter.ts makes the parser, on first use), and
 * re-parsing an edited text incrementally for the planner's self-check.
 */
import type { TextEdit } from '../edits.js';
import type { Point } from '../parsers/syntax.js';
import { newParser, PYTHON, type Parser, type SyntaxNode, type Tree } from '../treeSitter.js';

export type { SyntaxNode };

let parser: Parser | undefined;

function getParser(): Parser {
  parser ??= newParser(PYTHON);
  return parser;
}

/**
 * The last text parsed and its tree, kept so that parsing an edited version of it (the planner's
 * self-check of its own patch) re-reads only what changed, and so that asking for the same text
 * again costs nothing.
 */
let last: { source: string; tree: Tree } | undefined;

/** Parse Python source; offsets on the returned nodes are JavaScript string indices. */
export function parsePython(source: string): SyntaxNode {
  if (last?.source === source) return last.tree.rootNode;
  // The string form: the callback form costs a JS round trip per chunk, and both runtimes take
  // strings of tens of megabytes (a 21 MB file parses; see the reliability tests).
  const tree = getParser().parse(source);
  last = { source, tree };
  return tree.rootNode;
}

/**
 * Parse `edited`, the text `source` becomes after `edits`, reusing the tree of `source` when it is
 * the last text parsed: tree-sitter re-reads only the edited region (a few lines) instead of the
 * whole file, and gives the tree a fresh parse would (test/python/parser.test.ts compares them).
 *
 * The tree of `source` is edited in place, so nodes read from it before this call must not be
 * used after it; it is forgotten, and parsing `source` again parses it afresh.
 */
export function parsePythonEdited(source: string, edits: readonly TextEdit[], edited: string): SyntaxNode {
  if (last?.source !== source || edits.length === 0) return parsePython(edited);
  const previous = last.tree;
  last = undefined;
  // One edit spanning all of them: tree-sitter re-reads the span, which is as correct as listing
  // each edit and, for the few nearby edits of a guard, about as fast.
  const start = Math.min(...edits.map((e) => e.start));
  const oldEnd = Math.max(...edits.map((e) => e.end));
  const newEnd = oldEnd + (edited.length - source.length);
  const startPosition = pointAt(source, start);
  previous.edit({
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition,
    oldEndPosition: movePoint(startPosition, source, start, oldEnd),
    newEndPosition: movePoint(startPosition, edited, start, newEnd),
  });
  const tree = getParser().parse(edited, previous);
  last = { source: edited, tree };
  return tree.rootNode;
}

/** tree-sitter's point for a string index: rows end at `\n` only, columns count UTF-16 units. */
function pointAt(text: string, index: number): Point {
  return movePoint({ row: 0, column: 0 }, text, 0, index);
}

/** The point of `to`, given the point of `from` (<= to) in the same text. */
function movePoint(point: Point, text: string, from: number, to: number): Point {
  let row = point.row;
  let lineStart = from - point.column;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) {
    row++;
    lineStart = at + 1;
  }
  return { row, column: to - lineStart };
}

/** The first ERROR or MISSING node in document order, for a one-line message. */
export function firstSyntaxError(node: SyntaxNode): SyntaxNode | undefined {
  if (!node.hasError) return undefined;
  if (node.type === 'ERROR' || node.isMissing) return node;
  for (const child of node.children) {
    const found = firstSyntaxError(child);
    if (found) return found;
  }
  return node;
}
