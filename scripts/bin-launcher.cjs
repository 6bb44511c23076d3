#!/usr/bin/env node
// The package's bin (copied to dist/bin/verl-critic-patch.cjs by scripts/bundle.mjs). It runs the
// bundled CLI beside it, cli.cjs, through a V8 code cache made at build time (cli.cjs.v8cache), so
// that a run neither compiles the bundle nor, one by one as they first run, the functions a run
// of a patch verb uses: about a tenth of a `diff` of one trainer (BENCHMARKS.md). Node.js 22 can
// do this itself (module.enableCompileCache); Node.js 20, our oldest supported, cannot.
//
// V8 rejects a cache made by another V8 or with other flags, and then compiles as usual; but it
// checks a cache against the length of the source only, and running a cache made from other
// source of the same length crashes. So the cache file starts with the exact bytes of the bundle
// it was made from, and is used only when they are the bundle's bytes.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, 'cli.cjs');
const CACHE = `${BUNDLE}.v8cache`;

/** The V8 code cache made from exactly `bundle`, or undefined (none, or made from other bytes). */
function cachedDataFor(bundle) {
  let file;
  try {
    file = readFileSync(CACHE);
  } catch {
    return undefined; // no cache: compile as usual
  }
  return file.length > bundle.length && file.subarray(0, bundle.length).equals(bundle) ? file.subarray(bundle.length) : undefined;
}

/** The bundle, compiled in the wrapper Node.js gives every CommonJS module (one line, so line numbers hold). */
function compileBundle() {
  const bundle = readFileSync(BUNDLE);
  const source = `(function (exports, require, module, __filename, __dirname) {${bundle.toString('utf8')}\n})`;
  const cachedData = cachedDataFor(bundle);
  return { bundle, cachedData, script: new Script(source, { filename: BUNDLE, cachedData }) };
}

/** Build time only (scripts/bundle.mjs): at the run's exit, so the functions that ran are in it. */
function writeCacheAtExit(bundle, script) {
  process.once('exit', () => {
    try {
      writeFileSync(CACHE, Buffer.concat([bundle, script.createCachedData()]));
    } catch {
      // Never an error of the run: the build checks the file is there.
    }
  });
}

if (require.main === module) {
  const { bundle, script } = compileBundle();
  if (process.env.VERL_CRITIC_PATCH_WRITE_CODE_CACHE === '1') writeCacheAtExit(bundle, script);
  // The bundle resolves what it requires (tree-sitter, ./yaml.cjs) from this folder, its own.
  script.runInThisContext()(module.exports, require, module, BUNDLE, __dirname);
} else {
  // Required by test/cli/bundle.test.ts, to see whether V8 takes the cache.
  module.exports = { compileBundle };
}
