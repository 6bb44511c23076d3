/**
 * The one place that makes tree-sitter parsers. The native modules load on first use, so verbs
 * that never parse (inspect, stage, --help) do not pay for them.
 */
import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';

const require = createRequire(import.meta.url);

/** A TSSymbol is a uint16, so this covers every node type id any grammar can have. */
const SYMBOL_ID_COUNT = 1 << 16;

/**
 * A parser for the grammar the npm package `grammar` exports (tree-sitter-python, the YAML one).
 *
 * setLanguage builds one JS class per node type, compiled from source text, so that `node.type`
 * is a constant and `node.nameNode`-style field getters exist: 8 ms per run for Python, a third of
 * parsing a 2,000-line trainer. We read types through the native getter and fields through
 * childForFieldName, so every type gets the plain SyntaxNode class (what the binding itself uses
 * for ERROR nodes and types it has no class for); setLanguage skips its work when the language
 * already has this table. Should a later binding stop exporting SyntaxNode, setLanguage simply
 * does its own work.
 */
export function newParser(grammar: string): Parser {
  const ParserClass = require('tree-sitter') as typeof Parser;
  const language = require(grammar) as Parser.Language & { nodeSubclasses?: unknown[] };
  const plainNode = (ParserClass as unknown as { SyntaxNode?: unknown }).SyntaxNode;
  if (plainNode) language.nodeSubclasses ??= new Array<unknown>(SYMBOL_ID_COUNT).fill(plainNode);
  const parser = new ParserClass();
  parser.setLanguage(language);
  return parser;
}
