/**
 * The native path: tree-sitter's Node.js binding and the grammars' native modules, loaded on first
 * use, so that verbs that never parse (inspect, stage, --help) do not pay for them. Each is a
 * prebuilt binary that may not load here (tree-sitter 0.25.1's linux-x64 one needs GCC 13's
 * libstdc++, GLIBCXX_3.4.31; none is built for musl): loading throws, and src/treeSitter.ts takes
 * the WebAssembly path instead.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type NativeParser from 'tree-sitter';
import { loadCommonJs } from '../commonJs.js';
import { bundledBinary, bundledParsers, bundledRuntimeBindings } from './files.js';
import type { Grammar, Parser } from './syntax.js';

const require = createRequire(import.meta.url);

type Language = NativeParser.Language & { nodeSubclasses?: unknown[] };

/**
 * The grammar's native module. A grammar package's index.js finds it with node-gyp-build (its
 * package.json read, build folders and prebuilds listed: about 1 ms a run) and parses its
 * node-types.json (65 KB for Python), which only the per-type classes we skip (below) read. Its
 * prebuilt binary sits at the path the package's own Bun branch names; where there is none for
 * this platform, or it does not load (a libc it was not built for), the package's index.js finds
 * the right one (a development checkout may have compiled it). The bundled bin has only the
 * prebuilt one.
 */
function loadGrammar(grammar: Grammar): Language {
  if (bundledParsers) return require(bundledBinary(grammar.binary)) as Language;
  try {
    return require(`${grammar.package}/prebuilds/${process.platform}-${process.arch}/${grammar.binary}.node`) as Language;
  } catch {
    return require(grammar.package) as Language;
  }
}

/**
 * A parser for `grammar`; throws when a native module cannot be loaded.
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
export function nativeParser(grammar: Grammar): Parser {
  const ParserClass = nativeRuntime();
  const language = loadGrammar(grammar);
  const plainNode = (ParserClass as unknown as { SyntaxNode?: unknown }).SyntaxNode;
  if (plainNode) language.nodeSubclasses ??= new Proxy([], { get: () => plainNode });
  const parser = new ParserClass();
  parser.setLanguage(language);
  // The binding's nodes, trees and parse have the members and meaning of src/parsers/syntax.ts.
  return parser as unknown as Parser;
}

let runtime: typeof NativeParser | undefined;

/**
 * tree-sitter's JS API (its index.js), loaded once; throws when its binding does not load. Its
 * index.js finds its native binding with node-gyp-build, which cost more than loading the binding
 * itself: about 1.5 ms of a `diff` run, a seventh of parsing a 1,800-line trainer (requiring
 * node-gyp-build, which loads node:os; reading tree-sitter's package.json; listing its folders).
 * So where the binding is where node-gyp-build would find it (runtimeBinding), index.js runs here
 * with that binding handed to it, and in the bundled bin (its copy of index.js, and this
 * platform's prebuilt binding) through a code cache made at build time (src/commonJs.ts);
 * anywhere else, or when tree-sitter is loaded already, it is required as usual. Either way it is
 * in require.cache, so that it is never evaluated twice (it patches the binding's classes).
 */
export function nativeRuntime(): typeof NativeParser {
  if (runtime) return runtime;
  if (bundledParsers) {
    // The binding first: when it does not load, index.js is not run (nor left half-loaded).
    const binding = firstLoading(bundledRuntimeBindings());
    runtime = runWithBinding(join(bundledParsers, 'tree-sitter.cjs'), binding) as typeof NativeParser;
    return runtime;
  }
  const index = require.resolve('tree-sitter');
  const binding = require.cache[index] ? undefined : runtimeBinding(dirname(index));
  runtime = (binding === undefined ? require('tree-sitter') : runWithBinding(index, require(binding))) as typeof NativeParser;
  return runtime;
}

/** The first of `files` that loads; throws the last one's error when none does. */
function firstLoading(files: readonly string[]): unknown {
  let failure: unknown;
  for (const file of files) {
    try {
      return require(file);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/**
 * The file node-gyp-build would load for tree-sitter (version 4.8, the one tree-sitter
 * requires): the first `.node` file in build/Release, else in build/Debug (a binding compiled on
 * this machine, where the prebuilt one did not load), else the prebuilt
 * prebuilds/<platform>-<arch>/tree-sitter.node when it is the only file there (a name without
 * tags, which node-gyp-build takes on any runtime and libc). Undefined whenever node-gyp-build
 * could decide otherwise: its environment switches set, or any other layout.
 */
export function runtimeBinding(dir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const switches = ['PREBUILDS_ONLY', 'TREE_SITTER_PREBUILD', 'npm_config_arch', 'npm_config_platform'];
  if (switches.some((name) => env[name] !== undefined)) return undefined;
  for (const build of ['Release', 'Debug']) {
    const files = listing(join(dir, 'build', build))?.filter((name) => name.endsWith('.node'));
    if (files?.[0] !== undefined) return join(dir, 'build', build, files[0]);
  }
  const prebuilds = join(dir, 'prebuilds', `${process.platform}-${process.arch}`);
  const files = listing(prebuilds);
  return files?.length === 1 && files[0] === 'tree-sitter.node' ? join(prebuilds, files[0]) : undefined;
}

function listing(dir: string): string[] | undefined {
  try {
    return readdirSync(dir);
  } catch {
    return undefined;
  }
}

/**
 * Run tree-sitter's index.js as Node.js would, except that its `require('node-gyp-build')` answers
 * `binding`. Built-in modules (`util`) are required as from anywhere; anything else it may require
 * in a later version, from its own folder.
 */
function runWithBinding(index: string, binding: unknown): unknown {
  const requireFromIndex = (id: string): unknown => {
    if (id === 'node-gyp-build') return () => binding;
    if (id === 'util' || id.startsWith('node:')) return require(id);
    return (require('node:module') as typeof import('node:module')).createRequire(index)(id);
  };
  return loadCommonJs(index, 'tree-sitter.cjs.v8cache', requireFromIndex);
}
