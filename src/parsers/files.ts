/**
 * Where the parser files are. The bundled bin carries all of them in dist/bin/parsers/
 * (scripts/bundle.mjs copies them there): tree-sitter's index.js and, per platform, the prebuilt
 * binaries of tree-sitter and the two grammars, exactly as their npm packages publish them; the
 * WebAssembly runtime (web-tree-sitter's CommonJS build and its tree-sitter.wasm) and the two
 * grammars' `.wasm` builds. So an install runs no install script and needs no other package
 * (docs/install.md, "The npm package"). Outside the bundle (tsc's output, the tests) they are the development
 * dependencies' own files in node_modules.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Grammar } from './syntax.js';

/** In the bundled bin: its folder, dist/bin (scripts/bundle.mjs defines it as the bundle's __dirname). */
declare const __VCP_BUNDLE_DIR__: string | undefined;

const require = createRequire(import.meta.url);

/** dist/bin/parsers, when this is the bundled bin. */
export const bundledParsers: string | undefined = typeof __VCP_BUNDLE_DIR__ === 'string' ? join(__VCP_BUNDLE_DIR__, 'parsers') : undefined;

/** This platform's folder of prebuilt binaries, as the packages name it (`linux-x64`). */
export const PLATFORM = `${process.platform}-${process.arch}`;

/**
 * The bundled bin's prebuilt binary `<name>.node` for this platform (it may not exist, or not load).
 * The linux ones are built against glibc: on musl (Alpine, whose loader is /lib/ld-musl-*.so.1)
 * they are not tried at all, since a glibc binary is not known to fail cleanly there (with
 * gcompat it may load), so that the WebAssembly path is taken by construction.
 */
export function bundledBinary(name: string): string {
  if (process.platform === 'linux' && existsSync(`/lib/ld-musl-${process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch}.so.1`)) {
    throw new Error('no prebuilt binary for musl');
  }
  return join(bundledParsers!, PLATFORM, `${name}.node`);
}

/**
 * The bundled bin's candidates for tree-sitter's own binding, in the order to try them: the one
 * compiled where the package was built, when it was (scripts/bundle.mjs, copyBuiltBinding: on
 * Debian 12 it needs only GLIBCXX_3.4.29, where the prebuilt one needs GCC 13's 3.4.31), then
 * the prebuilt one tree-sitter publishes. Same musl rule as bundledBinary.
 */
export function bundledRuntimeBindings(): string[] {
  const prebuilt = bundledBinary('tree-sitter');
  const built = join(bundledParsers!, `built-${PLATFORM}`, 'tree-sitter.node');
  return existsSync(built) ? [built, prebuilt] : [prebuilt];
}

/** The grammar's WebAssembly build. */
export function grammarWasm(grammar: Grammar): string {
  return bundledParsers ? join(bundledParsers, grammar.wasm) : require.resolve(`${grammar.package}/${grammar.wasm}`);
}
