// The installed CLI is one bundled file, dist/verl-critic-patch.js (the package's bin): loading one
// module instead of ~50 (ours, commander, yaml, jsdiff) takes about 60-130 ms off every run
// (BENCHMARKS.md). The tree-sitter native modules stay external, loaded at run time; modules a
// verb does not need are still evaluated lazily (esbuild keeps dynamic imports lazy in a bundle).
// dist/cli.js (tsc's output) stays the development entry point that the tests run.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

const outfile = new URL('../dist/verl-critic-patch.js', import.meta.url).pathname;
await build({
  entryPoints: [new URL('../src/cli.ts', import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['tree-sitter', 'tree-sitter-python'],
  // Bundled CommonJS (commander) needs `require` for Node built-ins inside an ES module.
  banner: { js: "import { createRequire as __vcpCreateRequire } from 'node:module'; const require = __vcpCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
