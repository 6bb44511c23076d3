/**
 * The one place that loads tree-sitter. The native modules are loaded lazily, so verbs that
 * never parse Python (inspect, stage, --help) do not pay for them.
 */
import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';

export type SyntaxNode = Parser.SyntaxNode;

const require = createRequire(import.meta.url);
let parser: Parser | undefined;

function getParser(): Parser {
  if (!parser) {
    const ParserClass = require('tree-sitter') as typeof Parser;
    const python = require('tree-sitter-python') as Parser.Language;
    parser = new ParserClass();
    parser.setLanguage(python);
  }
  return parser;
}

/**
 * The last text parsed and its tree. The planner's self-check reads the patched text twice (is it
 * fully guarded? does it revert?); trees are never edited, so the second read reuses the first
 * parse instead of parsing the same text again.
 */
let last: { source: string; root: SyntaxNode } | undefined;

/** Parse Python source; offsets on the returned nodes are JavaScript string indices. */
export function parsePython(source: string): SyntaxNode {
  if (last?.source === source) return last.root;
  // The string form: the callback form costs a JS round trip per chunk, and the binding takes
  // strings of tens of megabytes (a 21 MB file parses; see the reliability tests).
  const root = getParser().parse(source).rootNode;
  last = { source, root };
  return root;
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
