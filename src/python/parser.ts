/**
 * The one place that loads tree-sitter. The native modules are loaded lazily, so verbs that
 * never parse Python (inspect, stage, --help) do not pay for them.
 */
import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';
import type { TextEdit } from '../edits.js';

export type SyntaxNode = Parser.SyntaxNode;

const require = createRequire(import.meta.url);
let parser: Parser | undefined;

type PythonLanguage = Parser.Language & { nodeSubclasses?: unknown[] };

/**
 * The Python grammar's native module. tree-sitter-python's index.js finds it with node-gyp-build
 * (its package.json read, build folders and prebuilds listed: about 1 ms a run) and parses its
 * 65 KB node-types.json, which only the per-type classes we skip (below) read. Its prebuilt binary
 * sits at the path the package's own Bun branch names; where there is none for this platform, or
 * it does not load (a libc it was not built for), the package's index.js finds the right one.
 */
function loadPython(): PythonLanguage {
  try {
    return require(`tree-sitter-python/prebuilds/${process.platform}-${process.arch}/tree-sitter-python.node`) as PythonLanguage;
  } catch {
    return require('tree-sitter-python') as PythonLanguage;
  }
}

function getParser(): Parser {
  if (!parser) {
    const ParserClass = require('tree-sitter') as typeof Parser;
    const python = loadPython();
    // setLanguage builds one JS class per node type, compiled from source text, so that `node.type`
    // is a constant and `node.nameNode`-style field getters exist: 8 ms per run, a third of parsing
    // a 2,000-line trainer. We read types through the native getter and fields through
    // childForFieldName, so every type gets the plain SyntaxNode class (what the binding itself
    // uses for ERROR nodes and types it has no class for); setLanguage skips its work when the
    // language already has this table. The table answers the plain class for any type id: the
    // binding only ever indexes it, and an array covering every possible id (a TSSymbol is a
    // uint16) is half a megabyte, which made the run's garbage collections slower.
    // Should a later binding stop exporting SyntaxNode, setLanguage simply does its own work.
    const plainNode = (ParserClass as unknown as { SyntaxNode?: unknown }).SyntaxNode;
    if (plainNode) python.nodeSubclasses ??= new Proxy([], { get: () => plainNode });
    parser = new ParserClass();
    parser.setLanguage(python);
  }
  return parser;
}

/**
 * The last text parsed and its tree, kept so that parsing an edited version of it (the planner's
 * self-check of its own patch) re-reads only what changed, and so that asking for the same text
 * again costs nothing.
 */
let last: { source: string; tree: Parser.Tree } | undefined;

/** Parse Python source; offsets on the returned nodes are JavaScript string indices. */
export function parsePython(source: string): SyntaxNode {
  if (last?.source === source) return last.tree.rootNode;
  // The string form: the callback form costs a JS round trip per chunk, and the binding takes
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
function pointAt(text: string, index: number): Parser.Point {
  return movePoint({ row: 0, column: 0 }, text, 0, index);
}

/** The point of `to`, given the point of `from` (<= to) in the same text. */
function movePoint(point: Parser.Point, text: string, from: number, to: number): Parser.Point {
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
