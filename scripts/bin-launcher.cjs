#!/usr/bin/env node
// The package's bin (copied to dist/verl-critic-patch.cjs by scripts/bundle.mjs). It runs the
// bundled CLI, dist/bundle/cli.cjs, through V8's code cache (dist/bundle/cli.cjs.v8cache, written at
// build time), so that a run does not compile half a megabyte of JavaScript first: ~15 ms of every
// start (BENCHMARKS.md). Node.js 22 can do this itself (module.enableCompileCache); Node.js 20, our
// oldest supported, cannot. V8 checks the cache against its own version, flags and the source,
// and on any mismatch (another Node.js, an edited bundle) compiles the bundle as usual.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, 'bundle', 'cli.cjs');
const cacheFile = `${bundle}.v8cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // No cache (a development build): compile as usual.
}
// The wrapper Node.js puts around every CommonJS module, kept on one line so line numbers hold.
const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`;
const script = new Script(source, { filename: bundle, cachedData });
if (process.env.VERL_CRITIC_PATCH_WRITE_CODE_CACHE === '1') {
  // Build time only (scripts/bundle.mjs): after a run, so the functions that run compiled are in it.
  // Never an error of a run: the build checks that the file is there.
  process.once('exit', () => {
    try {
      writeFileSync(cacheFile, script.createCachedData());
    } catch {
      // A read-only install: there is nothing to do about it at exit.
    }
  });
}
if (process.env.VERL_CRITIC_PATCH_REPORT_CODE_CACHE === '1') {
  process.stderr.write(`code cache: ${cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
}
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, createRequire(bundle), bundleModule, bundle, dirname(bundle));
