#!/usr/bin/env node
// The package's bin (copied to dist/bin/verl-critic-patch.cjs by scripts/bundle.mjs). It runs the
// bundled CLI beside it, cli.cjs, through a V8 code cache made at build time (cli.cjs.v8cache),
// and hands the bundle the means to run the other files it loads through theirs (commander.cjs,
// yaml.cjs, tree-sitter's index.js: src/commonJs.ts). A run then neither compiles them nor, one by one
// as they first run, the functions a patch verb uses: about a tenth of a `diff` of one trainer
// (BENCHMARKS.md). Node.js 22 can do this itself (module.enableCompileCache); Node.js 20, our
// oldest supported, cannot.
//
// V8 rejects a cache made by another V8 or with other flags, and then compiles as usual; but it
// checks a cache against the length of the source only, and running a cache made from other
// source of the same length crashes. So a cache file starts with the exact bytes of the module it
// was made from, and is used only when they are the module's bytes: an edited bundle, or a
// tree-sitter other than the one the package was built with, compiles as usual.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, 'cli.cjs');
/** The parameters of Node.js's wrapper for a CommonJS module. */
const COMMONJS = 'exports, require, module, __filename, __dirname';

/** The cache in `cacheFile` made from exactly `bytes`, or undefined (none, or made from other bytes). */
function cachedDataFor(cacheFile, bytes) {
  let file;
  try {
    file = readFileSync(cacheFile);
  } catch {
    return undefined; // no cache: compile as usual
  }
  return file.length > bytes.length && file.subarray(0, bytes.length).equals(bytes) ? file.subarray(bytes.length) : undefined;
}

/** Build time only (scripts/bundle.mjs): at the run's exit, so the functions that ran are in it. */
function writeCacheAtExit(cacheFile, bytes, script) {
  process.once('exit', () => {
    try {
      writeFileSync(cacheFile, Buffer.concat([bytes, script.createCachedData()]));
    } catch {
      // Never an error of the run: the build checks the files are there.
    }
  });
}

/**
 * The CommonJS module in `file`, compiled in a function wrapper taking `params` (on one line, so
 * line numbers hold), through the cache named `cacheName` in this folder; `script.runInThisContext()`
 * gives the wrapper. With VERL_CRITIC_PATCH_WRITE_CODE_CACHE=1 (the build), the cache is written
 * when the process exits.
 */
function compileCommonJs(file, cacheName, params = COMMONJS) {
  const bytes = readFileSync(file);
  const cacheFile = join(__dirname, cacheName);
  const cachedData = cachedDataFor(cacheFile, bytes);
  const script = new Script(`(function (${params}) {${bytes.toString('utf8')}\n})`, { filename: file, cachedData });
  if (process.env.VERL_CRITIC_PATCH_WRITE_CODE_CACHE === '1') writeCacheAtExit(cacheFile, bytes, script);
  return { bytes, cachedData, script };
}

/** The bundle: a CommonJS module that is also given compileCommonJs, as __vcpCompileCommonJs. */
function compileBundle() {
  return compileCommonJs(BUNDLE, 'cli.cjs.v8cache', `${COMMONJS}, __vcpCompileCommonJs`);
}

if (require.main === module) {
  // The bundle resolves what it requires (tree-sitter, ./yaml.cjs) from this folder, its own.
  compileBundle().script.runInThisContext()(module.exports, require, module, BUNDLE, __dirname, compileCommonJs);
} else {
  // Required by test/cli/bundle.test.ts, to see whether V8 takes the caches.
  module.exports = { compileBundle, compileCommonJs };
}
