// The installed CLI: dist/verl-critic-patch.cjs (the package's bin, scripts/bin-launcher.cjs) runs
// dist/bundle/cli.cjs, all of our code, commander, jsdiff and yaml in one file, through a V8 code
// cache made here. Startup is most of a run's time (BENCHMARKS.md), and each choice below takes a
// measured part of it away:
// - one file instead of ~50 modules to resolve, read and compile;
// - CommonJS, not an ES module: Node.js 20 gives ES modules no code cache, and wraps every built-in
//   an ES module imports in a facade (~10 ms);
// - modules a verb does not use are not evaluated (esbuild keeps `import()` lazy inside a bundle);
// - node:child_process (and the networking it pulls in, ~10 ms) loads on first use: commander
//   requires it at start only for executable subcommands, which we do not have;
// - the code cache spares compiling the bundle (~15 ms; scripts/bin-launcher.cjs).
// The tree-sitter native modules stay outside, loaded at run time. dist/cli.js (tsc's output) stays
// the development entry point that most tests run; test/bundle.test.ts runs this one.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const bin = `${root}dist/verl-critic-patch.cjs`;
const bundle = `${root}dist/bundle/cli.cjs`;
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

/** node:child_process, required on first use: one function per name the bundle imports. */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(plugin) {
    plugin.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.namespace === 'lazy-child-process' ? { path: 'node:child_process', external: true } : { path: 'child_process', namespace: 'lazy-child-process' },
    );
    plugin.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: ['spawn', 'spawnSync']
        .map((name) => `export function ${name}(...args) { return require('node:child_process').${name}(...args); }`)
        .join('\n'),
      loader: 'js',
    }));
  },
};

/** The `yaml` package lives in its own file (yaml.cjs), required only by runs that plan a YAML. */
const yamlApart = {
  name: 'yaml-apart',
  setup(plugin) {
    plugin.onResolve({ filter: /^yaml$/ }, () => ({ path: './yaml.cjs', external: true }));
  },
};

rmSync(`${root}dist/bundle`, { recursive: true, force: true });
rmSync(`${root}dist/verl-critic-patch.js`, { force: true }); // the bin of earlier builds
mkdirSync(`${root}dist/bundle`, { recursive: true });
await build({
  entryPoints: [`${root}src/cli.ts`],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['tree-sitter', 'tree-sitter-python'],
  plugins: [lazyChildProcess, yamlApart],
  // src/version.ts reads this instead of package.json; modules that resolve files next to
  // themselves (createRequire(import.meta.url)) get the bundle's own URL.
  define: { __VCP_VERSION__: JSON.stringify(version), 'import.meta.url': '__vcpBundleUrl' },
  banner: { js: "const __vcpBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
await build({
  entryPoints: [createRequire(import.meta.url).resolve('yaml')],
  outfile: `${root}dist/bundle/yaml.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
// src/cli.ts's `#!` line is kept by esbuild; inside the launcher's function wrapper it is a syntax error.
writeFileSync(bundle, readFileSync(bundle, 'utf8').replace(/^#!.*/, ''));
copyFileSync(`${root}scripts/bin-launcher.cjs`, bin);
chmodSync(bin, 0o755);

// The code cache: one run of the bin on the bundled example, which writes the cache at its exit.
const warmUp = spawnSync(process.execPath, [bin, 'diff', `${root}fixtures/examples/verl-0.9`], {
  env: { ...process.env, VERL_CRITIC_PATCH_WRITE_CODE_CACHE: '1', NO_COLOR: '1' },
  encoding: 'utf8',
});
if (warmUp.status !== 0 || !existsSync(`${bundle}.v8cache`)) {
  process.stderr.write(`bundle: the bundled CLI failed on the bundled example (exit ${warmUp.status}), or wrote no code cache:\n${warmUp.stderr}`);
  process.exit(1);
}
