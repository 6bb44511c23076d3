/**
 * The one place that makes tree-sitter parsers, on one of two paths that give the same trees:
 * - native: tree-sitter's Node.js binding and the grammars' prebuilt binaries (src/parsers/native.ts),
 *   the faster one, where its binary loads (macOS, Windows, Linux with GCC 13's libstdc++);
 * - wasm: web-tree-sitter and the grammars' `.wasm` builds (src/parsers/wasm.ts), which loads
 *   wherever Node.js runs (older libstdc++ such as Debian 12's and Ubuntu 22.04's, musl).
 * A run takes the native path when its binary loads, else the WebAssembly one;
 * VERL_CRITIC_PATCH_PARSER=native or =wasm forces one (the tests run every case on both).
 * The analysis reads trees through src/parsers/syntax.ts, what both paths give alike.
 */
import { badInput } from './errors.js';
import { nativeParser, nativeRuntime } from './parsers/native.js';
import { PYTHON, YAML, type Grammar, type Parser } from './parsers/syntax.js';
import { prepareWasm, wasmParser } from './parsers/wasm.js';

export { PYTHON, YAML, type Grammar, type Parser, type SyntaxNode, type Tree } from './parsers/syntax.js';
export { runtimeBinding } from './parsers/native.js';

export type ParserPath = 'native' | 'wasm';

/** The environment variable that forces a path. */
export const PARSER_ENV = 'VERL_CRITIC_PATCH_PARSER';

/** The path VERL_CRITIC_PATCH_PARSER asks for, if any; anything but `native`, `wasm` or empty is bad input. */
export function requestedPath(env: NodeJS.ProcessEnv = process.env): ParserPath | undefined {
  const value = env[PARSER_ENV];
  if (value === undefined || value === '' || value === 'auto') return undefined;
  if (value === 'native' || value === 'wasm') return value;
  throw badInput(undefined, `${PARSER_ENV}=${value}: expected native, wasm or auto`);
}

let path: ParserPath | undefined;

/** The first line of what a failed load threw (dlopen's message names the missing library or version). */
const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/**
 * Choose the path and make it ready: the native one when its runtime and Python grammar load (and
 * it is not forced off), else the WebAssembly one, started with both grammars. Awaited before a
 * run plans anything, by runAction for the verbs that declare readsCode (src/commands/action.ts). Throws a
 * ToolError (exit 2) when VERL_CRITIC_PATCH_PARSER is wrong or forces a native path that does not load.
 */
export async function prepareParsers(): Promise<ParserPath> {
  if (path) return path;
  const requested = requestedPath();
  if (requested !== 'wasm') {
    try {
      nativeParser(PYTHON);
      path = 'native';
      return path;
    } catch (error) {
      if (requested === 'native') throw badInput(undefined, `${PARSER_ENV}=native: tree-sitter's native binding does not load here (${firstLine(error)})`);
    }
  }
  await prepareWasm([PYTHON, YAML]);
  path = 'wasm';
  return path;
}

/** The path this process parses with, once chosen. */
export function parserPath(): ParserPath | undefined {
  return path;
}

/**
 * A parser for `grammar`; throws when it cannot be made. Before prepareParsers, only the native
 * path can be taken (it loads synchronously): code that parses without a run (unit tests of the
 * planners) gets it when it loads and nothing forces the WebAssembly path.
 */
export function newParser(grammar: Grammar): Parser {
  if (path === 'wasm') return wasmParser(grammar);
  if (path === undefined && requestedPath() === 'wasm') throw new Error('the WebAssembly parser was asked for before prepareParsers() started it');
  if (path === undefined) nativeRuntime();
  return nativeParser(grammar);
}
