// The installed CLI: dist/bin/verl-critic-patch.cjs (the package's bin, scripts/bin-launcher.cjs)
// runs dist/bin/cli.cjs, which holds all of our code and jsdiff in one file, through a V8 code
// cache made here (dist/bin/cli.cjs.v8cache); the `commander` and `yaml` packages are files of
// their own beside it (commander.cjs, yaml.cjs), each with its code cache, loaded only by runs that
// need them (src/commonJs.ts). Startup is most of a run's time (BENCHMARKS.md), and each choice
// below takes a measured part of it away:
// - one file instead of ~50 modules to resolve, read and compile;
// - a code cache made by a run on the bundled example, so that a run compiles neither the bundle
//   nor the functions that example ran (most of what any patch verb runs): 7 ms of a ~100 ms
//   `diff` of a 1,800-line trainer, 3 ms of `--version` (41 and 31 interleaved runs). An earlier
//   cache (commit 709d7b9) was measured as no gain and dropped; the launcher says how this one is
//   kept from running a cache made from other bytes. The same run makes the caches of the files
//   src/commonJs.ts runs: commander's, yaml's and tree-sitter's index.js's;
// - commander out of the bundle: a patch verb given only paths never loads it (src/cli.ts), and
//   the bundle and its cache are a fifth smaller to read and deserialize (~0.4 ms of such a
//   `diff`; a run with options loads commander.cjs through its cache, ~0.5 ms more than before);
// - yaml through a code cache: ~7 ms of a `check .` of a VeRL v0.9.0 checkout (21 runs);
// - CommonJS, not an ES module: Node.js 20 wraps every built-in an ES module imports in a facade
//   (~10 ms);
// - modules a verb does not use are not evaluated (esbuild keeps `import()` lazy inside a bundle);
// - the `yaml` package, as large as everything else together, is loaded on first use
//   (src/config/yamlLib.ts), i.e. only by runs that plan a YAML target;
// - node:child_process (and the networking it pulls in, ~10 ms) loads on first use: commander
//   requires it at start only for executable subcommands, which we do not have; so does node:os
//   (only temporary file names need it), and node:module is not loaded at all (bundleRequire);
// - the `yaml` package reads the environment once, not at every token (processSnapshot below);
// - whitespace and syntax are minified (a smaller file to read and scan); names are kept, so a
//   stack trace of a bug still names our functions.
// Tried and measured as no gain, so not done: renaming identifiers; a cache made by a run on one
// trainer file rather than the example checkout (12% smaller, no faster to read); the function
// wrapper written into cli.cjs at build time (to spare the launcher one string concatenation).
// The parsers are files of their own in dist/bin/parsers/ (copyParsers below), loaded at run time
// on the path src/treeSitter.ts chooses. dist/cli.js (tsc's output) stays
// the development entry point that most tests run; test/cli/bundle.test.ts runs this one.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const outDir = `${root}dist/bin`;
const bin = `${outDir}/verl-critic-patch.cjs`;
const bundle = `${outDir}/cli.cjs`;
const requireHere = createRequire(import.meta.url);
const { version } = requireHere('../package.json');
/** A development dependency's folder (found as `require` would: not every package exports its package.json). */
const packageDir = (name) => requireHere.resolve.paths(name).map((dir) => join(dir, name)).find((dir) => existsSync(join(dir, 'package.json')));

/**
 * An esbuild plugin that gives the built-in module `builtin` (with or without `node:`) the code
 * `contents` instead; that code reaches the real module as `node:<builtin>`.
 */
function replaceBuiltin(name, builtin, contents) {
  return {
    name,
    setup(plugin) {
      plugin.onResolve({ filter: new RegExp(`^(node:)?${builtin}$`) }, (args) =>
        args.namespace === name ? { path: `node:${builtin}`, external: true } : { path: builtin, namespace: name },
      );
      plugin.onLoad({ filter: /.*/, namespace: name }, () => ({ contents, loader: 'js' }));
    },
  };
}

/** A built-in required on first use: one function per name the bundle imports from it. */
function lazyBuiltin(builtin, names) {
  return replaceBuiltin(
    `lazy-${builtin}`,
    builtin,
    names.map((name) => `export function ${name}(...args) { return require('node:${builtin}').${name}(...args); }`).join('\n'),
  );
}

/**
 * node:module's createRequire, which our modules call with their own URL to load the native
 * tree-sitter modules and the yaml bundle: inside the bundle, every module's URL is the bundle's,
 * and the bundle's own `require` already resolves from there. Loading node:module, making the
 * bundle's URL and a new Module for createRequire took ~1 ms of a `diff` run (CPU profile).
 */
const bundleRequire = replaceBuiltin('bundle-require', 'module', 'export function createRequire() { return require; }');

/**
 * The yaml package's `require('process')`: the real process, with `env` read once, when yaml.cjs
 * loads. The package reads process.env.LOG_TOKENS for every token it lexes and LOG_STREAM for
 * every part of a document (debug switches of its own), and each read of process.env is a call
 * into C++ (getenv): measured as about a tenth of a first parse of VeRL-sized configs. A
 * snapshot of the environment answers the same; everything else is the real process.
 */
const processSnapshot = replaceBuiltin(
  'process-env-snapshot',
  'process',
  "const p = require('node:process'); module.exports = Object.create(p, { env: { value: { ...p.env } } });",
);

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', minifyWhitespace: true, minifySyntax: true, legalComments: 'none', logLevel: 'warning' };

// Outputs of earlier builds, so that a development checkout holds only what this build makes.
for (const old of ['dist/bin', 'dist/bundle', 'dist/verl-critic-patch.js', 'dist/verl-critic-patch.cjs']) rmSync(`${root}${old}`, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
await build({
  ...common,
  entryPoints: [`${root}src/cli.ts`],
  outfile: bundle,
  // commander and yaml are files of their own beside the bundle (below; src/commonJs.ts loads them).
  external: ['tree-sitter', 'tree-sitter-python', '@tree-sitter-grammars/tree-sitter-yaml', 'web-tree-sitter', 'commander', 'yaml'],
  plugins: [lazyBuiltin('child_process', ['spawn', 'spawnSync']), lazyBuiltin('os', ['hostname']), bundleRequire],
  // src/version.ts reads this instead of package.json. import.meta.url is only ever handed to
  // createRequire (bundleRequire above), which needs no URL in the bundle, and to
  // src/launch/compose.ts, which takes a path as well as a URL (dist/bin/ is as deep as src/launch/).
  // __VCP_BUNDLE_DIR__: where src/parsers/files.ts finds dist/bin/parsers.
  define: { __VCP_VERSION__: JSON.stringify(version), 'import.meta.url': '__filename', __VCP_BUNDLE_DIR__: '__dirname' },
});
// Third-party code: fully minified (its names are not ours to read in a stack trace).
await build({ ...common, minify: true, entryPoints: [createRequire(import.meta.url).resolve('yaml')], outfile: `${outDir}/yaml.cjs`, plugins: [processSnapshot] });
await build({ ...common, minify: true, entryPoints: [createRequire(import.meta.url).resolve('commander')], outfile: `${outDir}/commander.cjs`, plugins: [lazyBuiltin('child_process', ['spawn'])] });
await copyParsers();
writeLicences();
// src/cli.ts's `#!` line is kept by esbuild; inside the launcher's function wrapper it is a syntax error.
writeFileSync(bundle, readFileSync(bundle, 'utf8').replace(/^#!.*/, ''));
copyFileSync(`${root}scripts/bin-launcher.cjs`, bin);
chmodSync(bin, 0o755);

// The code caches: one run of the bin on the bundled example, which writes them at its exit: the
// bundle's, and one for each file it ran through src/commonJs.ts (commander, yaml, tree-sitter's
// index.js). Its diff goes to the null device, as to a patch file, so that the cache holds the
// CLI's own writes (src/output/stdio.ts); a pipe or a terminal is Node.js's stream, none of our
// code. It names an option (the default --format), so that it goes through commander (src/cli.ts)
// and commander's cache is made; a checkout holds configs, so yaml's is.
// One run per parser path: the WebAssembly one (web-tree-sitter's cache), then the native one
// where a binding loads on the build machine (tree-sitter's index.js gets its cache; elsewhere the
// run fails at once and makes none). The last run's caches of the shared files are kept: the
// native path's where it loads, the path a default install takes on a machine like the builder.
const warmUp = (parser) =>
  spawnSync(process.execPath, [bin, 'diff', '--format', 'text', `${root}fixtures/examples/verl-0.9`], {
    env: { ...process.env, VERL_CRITIC_PATCH_WRITE_CODE_CACHE: '1', VERL_CRITIC_PATCH_PARSER: parser, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
const wasmRun = warmUp('wasm');
warmUp('native');
const caches = ['cli.cjs', 'commander.cjs', 'yaml.cjs', 'web-tree-sitter.cjs'].map((name) => `${outDir}/${name}.v8cache`);
if (wasmRun.status !== 0 || !caches.every((cache) => existsSync(cache))) {
  process.stderr.write(`bundle: the bundled CLI failed on the bundled example (exit ${wasmRun.status}), or did not write ${caches.join(', ')}:\n${wasmRun.stderr}`);
  process.exit(1);
}

/**
 * dist/bin/parsers: everything either parser path loads, so that the package needs no other
 * package and no install script (src/parsers/files.ts; docs/install.md). The native path: the
 * prebuilt binaries of tree-sitter and of the two grammars, per platform, exactly as their npm
 * packages publish them, and tree-sitter's index.js (its JS API). The WebAssembly path:
 * web-tree-sitter's CommonJS build (minified, like the other third-party files) and its runtime
 * tree-sitter.wasm, and the grammars' `.wasm` builds. Their licences: writeLicences.
 */
async function copyParsers() {
  const parsers = `${outDir}/parsers`;
  mkdirSync(parsers, { recursive: true });
  const treeSitter = packageDir('tree-sitter');
  copyFileSync(`${treeSitter}/index.js`, `${parsers}/tree-sitter.cjs`);
  const natives = [
    ['tree-sitter', 'tree-sitter'],
    ['tree-sitter-python', 'tree-sitter-python'],
    ['@tree-sitter-grammars/tree-sitter-yaml', '@tree-sitter-grammars+tree-sitter-yaml'],
  ];
  for (const [name, binary] of natives) {
    const prebuilds = `${packageDir(name)}/prebuilds`;
    for (const platform of readdirSync(prebuilds)) {
      mkdirSync(`${parsers}/${platform}`, { recursive: true });
      copyFileSync(`${prebuilds}/${platform}/${binary}.node`, `${parsers}/${platform}/${binary}.node`);
    }
  }
  copyBuiltBinding(treeSitter, parsers);
  const web = packageDir('web-tree-sitter');
  await build({ ...common, minify: true, entryPoints: [`${web}/tree-sitter.cjs`], outfile: `${parsers}/web-tree-sitter.cjs` });
  copyFileSync(`${web}/tree-sitter.wasm`, `${parsers}/tree-sitter.wasm`);
  copyFileSync(`${packageDir('tree-sitter-python')}/tree-sitter-python.wasm`, `${parsers}/tree-sitter-python.wasm`);
  copyFileSync(`${packageDir('@tree-sitter-grammars/tree-sitter-yaml')}/tree-sitter-yaml.wasm`, `${parsers}/tree-sitter-yaml.wasm`);
}

/**
 * tree-sitter's binding as `npm ci` compiled it on the build machine (build/Release, which
 * node-gyp-build fills only when the prebuilt binary did not load there), as
 * parsers/built-<platform>/tree-sitter.node, tried before the prebuilt one (src/parsers/files.ts).
 * tree-sitter 0.25.1's prebuilt linux-x64 binding needs GCC 13's libstdc++ (GLIBCXX_3.4.31); the
 * one compiled on Debian 12 needs GLIBCXX_3.4.29 and GLIBC_2.17, so the native path also loads on
 * Debian 12 and Ubuntu 22.04 (most CUDA images), where the prebuilt one does not. Whatever the
 * build machine, a binding that does not load on the user's machine costs one failed dlopen and
 * the next candidate is tried; none is shipped when npm ci did not compile one.
 */
function copyBuiltBinding(treeSitter, parsers) {
  const release = `${treeSitter}/build/Release`;
  const built = existsSync(release) ? readdirSync(release).find((name) => name.endsWith('.node')) : undefined;
  if (built === undefined) return;
  const into = `${parsers}/built-${process.platform}-${process.arch}`;
  mkdirSync(into, { recursive: true });
  copyFileSync(`${release}/${built}`, `${into}/tree-sitter.node`);
}

/**
 * dist/bin/THIRD-PARTY-LICENSES: the licence of every package whose code the bin carries (bundled
 * into cli.cjs, beside it, or in parsers/), since the installed package has no dependencies that
 * would bring their own.
 */
function writeLicences() {
  const carried = ['commander', 'diff', 'yaml', 'tree-sitter', 'tree-sitter-python', '@tree-sitter-grammars/tree-sitter-yaml', 'web-tree-sitter'];
  const licences = carried.map((name) => {
    const dir = packageDir(name);
    const { version: v, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((entry) => /^licen[cs]e/i.test(entry));
    return `${name}@${v} (${license})\n\n${readFileSync(join(dir, file), 'utf8').trim()}\n`;
  });
  writeFileSync(`${outDir}/THIRD-PARTY-LICENSES`, `The bin carries code of these packages, under these licences.\n\n${licences.join('\n---\n\n')}`);
}
