/**
 * The one place that makes tree-sitter parsers. The native modules load on first use, so verbs
 * that never parse (inspect, stage, --help) do not pay for them.
 */
import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';

const require = createRequire(import.meta.url);

type Language = Parser.Language & { nodeSubclasses?: unknown[] };

/** A grammar's npm package, and the file name (without `.node`) of its prebuilt binaries. */
export interface Grammar {
  package: string;
  binary: string;
}

export const PYTHON: Grammar = { package: 'tree-sitter-python', binary: 'tree-sitter-python' };
export const YAML: Grammar = { package: '@tree-sitter-grammars/tree-sitter-yaml', binary: '@tree-sitter-grammars+tree-sitter-yaml' };

/**
 * The grammar's native module. A grammar package's index.js finds it with node-gyp-build (its
 * package.json read, build folders and prebuilds listed: about 1 ms a run) and parses its
 * node-types.json (65 KB for Python), which only the per-type classes we skip (below) read. Its
 * prebuilt binary sits at the path the package's own Bun branch names; where there is none for
 * this platform, or it does not load (a libc it was not built for), the package's index.js finds
 * the right one.
 */
function loadGrammar(grammar: Grammar): Language {
  try {
    return require(`${grammar.package}/prebuilds/${process.platform}-${process.arch}/${grammar.binary}.node`) as Language;
  } catch {
    return require(grammar.package) as Language;
  }
}

/**
 * A parser for `grammar`; throws when its native module cannot be loaded at all.
 *
 * setLanguage builds one JS class per node type, compiled from source text, so that `node.type`
 * is a constant and `node.nameNode`-style field getters exist: 8 ms per run for Python, a third of
 * parsing a 2,000-line trainer. We read types through the native getter and fields through
 * childForFieldName, so every type gets the plain SyntaxNode class (what the binding itself uses
 * for ERROR nodes and types it has no class for); setLanguage skips its work when the language
 * already has this table. The table answers the plain class for any type id: the binding only
 * ever indexes it, and an array covering every possible id (a TSSymbol is a uint16) is half a
 * megabyte, which made the run's garbage collections slower. Should a later binding stop
 * exporting SyntaxNode, setLanguage simply does its own work.
 */
export function newParser(grammar: Grammar): Parser {
  const ParserClass = require('tree-sitter') as typeof Parser;
  const language = loadGrammar(grammar);
  const plainNode = (ParserClass as unknown as { SyntaxNode?: unknown }).SyntaxNode;
  if (plainNode) language.nodeSubclasses ??= new Proxy([], { get: () => plainNode });
  const parser = new ParserClass();
  parser.setLanguage(language);
  return parser;
}
