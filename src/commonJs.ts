/**
 * Running a CommonJS file ourselves, as Node.js's `require` would, so that it can go through a
 * V8 code cache made at build time: the bundled bin's launcher (scripts/bin-launcher.cjs) hands
 * the bundle its compiler, `__vcpCompileCommonJs`, which uses the cache beside the bin when it was
 * made from exactly the file's bytes. Used for the files a run loads only when it needs them: the
 * `yaml` and `commander` packages (dist/bin/yaml.cjs, commander.cjs) and tree-sitter's index.js
 * (src/treeSitter.ts). Outside the bundle (tsc's output, the tests) there is no cache: the file is
 * compiled as Node.js would.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** In the bundled bin: its launcher's compiler of CommonJS files through code caches. */
declare const __vcpCompileCommonJs: ((file: string, cacheName: string) => { script: Script }) | undefined;

const require = createRequire(import.meta.url);

/** Whether this is the bundled bin, whose launcher keeps code caches. */
export const hasCodeCaches = typeof __vcpCompileCommonJs === 'function';

/**
 * The exports of the CommonJS file `file`, run once: through the code cache `cacheName` in the
 * bundled bin, its own `require` answered by `requireFromFile`. The module is in require.cache
 * while it runs and after, as Node.js's own are, so that a later `require` of the file gets it
 * rather than running it twice.
 */
export function loadCommonJs(file: string, cacheName: string, requireFromFile: (id: string) => unknown): unknown {
  const cached = require.cache[file];
  if (cached) return cached.exports;
  const wrapper = compile(file, cacheName).runInThisContext() as (...args: unknown[]) => void;
  const module = { id: file, filename: file, path: dirname(file), exports: {}, loaded: false, children: [], paths: [] };
  require.cache[file] = module as unknown as NodeJS.Module;
  try {
    wrapper.call(module.exports, module.exports, requireFromFile, module, file, dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  module.loaded = true;
  return module.exports;
}

/** The file in Node.js's function wrapper for a CommonJS module. */
function compile(file: string, cacheName: string): Script {
  if (typeof __vcpCompileCommonJs === 'function') return __vcpCompileCommonJs(file, cacheName).script;
  return new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, { filename: file });
}

/**
 * A file of the bundled bin's folder (`yaml.cjs`), through its code cache (`yaml.cjs.v8cache`).
 * It is resolved, and its own requires are answered, from that folder, the launcher's.
 */
function loadBundledFile(name: string): unknown {
  return loadCommonJs(require.resolve(`./${name}`), `${name}.v8cache`, require);
}

/**
 * A package the bundled bin carries as a file of its own beside the bundle (`yaml` as yaml.cjs,
 * `commander` as commander.cjs: scripts/bundle.mjs), loaded through its code cache; outside the
 * bundle, the package itself.
 */
export function requirePackage(pkg: string, bundledFile: string): unknown {
  return hasCodeCaches ? loadBundledFile(bundledFile) : require(pkg);
}
