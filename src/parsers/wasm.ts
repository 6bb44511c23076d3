/**
 * The WebAssembly path: web-tree-sitter (tree-sitter's own C library compiled to WebAssembly, the
 * same project as the native binding) with the grammars' `.wasm` builds, which their npm packages
 * publish beside the native ones. It loads wherever Node.js runs: no binary of a libc, libstdc++
 * or CPU of its own. Starting it is asynchronous (WebAssembly instantiation, and web-tree-sitter's
 * API is async there), so src/treeSitter.ts awaits prepareWasm before a run plans anything; parsing
 * is synchronous, as on the native path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Web from 'web-tree-sitter';
import { loadCommonJs } from '../commonJs.js';
import { bundledParsers, grammarWasm } from './files.js';
import type { Grammar, Parser, Tree } from './syntax.js';

const require = createRequire(import.meta.url);

/** web-tree-sitter's CommonJS build: the bundled bin's copy through its code cache, else the package. */
function webTreeSitter(): typeof Web {
  if (!bundledParsers) return require('web-tree-sitter') as typeof Web;
  return loadCommonJs(join(bundledParsers, 'web-tree-sitter.cjs'), 'web-tree-sitter.cjs.v8cache', require) as typeof Web;
}

/** The runtime file web-tree-sitter's CommonJS build loads, beside it. */
function runtimeWasm(): string {
  return bundledParsers ? join(bundledParsers, 'tree-sitter.wasm') : require.resolve('web-tree-sitter/tree-sitter.wasm');
}

let web: typeof Web | undefined;
const languages = new Map<Grammar, Web.Language>();

/**
 * Start the runtime and load `grammars`, once. V8 compiles WebAssembly lazily with its baseline
 * compiler (Liftoff) and then again, for functions that run often, with its optimising one
 * (TurboFan) on background threads: for a one-shot CLI on a busy 2-core machine that second
 * compile cost more than it saved (a 1,787-line trainer's first parse took 150-600 ms with it,
 * 45-110 ms with Liftoff only). So this process compiles WebAssembly with Liftoff only, from here
 * on. The flag is set after web-tree-sitter's JavaScript is loaded, because V8 takes a code cache
 * only under the flags it was made with (and changing any flag changes that for the rest of the
 * process): the bin's caches are made by a build run that leaves the flag alone
 * (VERL_CRITIC_PATCH_WRITE_CODE_CACHE, scripts/bundle.mjs), and every file a run loads before this
 * point takes its cache. The one loaded later, yaml.cjs, compiles as usual on this path.
 */
export async function prepareWasm(grammars: readonly Grammar[]): Promise<void> {
  if (!web) {
    const module = webTreeSitter();
    if (process.env.VERL_CRITIC_PATCH_WRITE_CODE_CACHE !== '1') (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--liftoff-only');
    await module.Parser.init({ wasmBinary: readFileSync(runtimeWasm()) } as Parameters<typeof module.Parser.init>[0]);
    web = module;
  }
  const runtime = web;
  await Promise.all(
    grammars
      .filter((grammar) => !languages.has(grammar))
      .map(async (grammar) => languages.set(grammar, await runtime.Language.load(readFileSync(grammarWasm(grammar))))),
  );
}

/** A parser for `grammar`, which prepareWasm has loaded; throws if it has not. */
export function wasmParser(grammar: Grammar): Parser {
  const language = languages.get(grammar);
  if (!web || !language) throw new Error(`the WebAssembly parser for ${grammar.package} was not loaded before use`);
  const parser = new web.Parser();
  parser.setLanguage(language);
  return {
    parse(text: string, oldTree?: Tree): Tree {
      const tree = parser.parse(text, oldTree as Web.Tree | undefined);
      // Null only when a parse is cancelled or times out, which we never ask for.
      if (!tree) throw new Error('tree-sitter returned no tree');
      // Its nodes and trees have the members and meaning of src/parsers/syntax.ts.
      return tree as unknown as Tree;
    },
  };
}
