/**
 * src/parsers/native.ts loads tree-sitter's index.js itself, handing it the native binding that
 * node-gyp-build would find. These show that the file it picks is node-gyp-build's own answer on
 * any layout of a tree-sitter folder (or that it declines, and node-gyp-build decides), and that
 * tree-sitter is evaluated once and is what `require('tree-sitter')` gives.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeParser } from '../src/parsers/native.js';
import { PYTHON, runtimeBinding } from '../src/treeSitter.js';
import { tempDir } from './helpers/cli.js';

const require = createRequire(import.meta.url);
const nodeGypBuild = require(require.resolve('node-gyp-build', { paths: [dirname(require.resolve('tree-sitter'))] })) as { path(dir: string): string };
const work = tempDir('vcp-tree-sitter-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** node-gyp-build's answer for `dir`, or undefined where it finds nothing (it throws). */
function nodeGypBuildPath(dir: string): string | undefined {
  try {
    return nodeGypBuild.path(dir);
  } catch {
    return undefined;
  }
}

const here = `${process.platform}-${process.arch}`;
const fileName = fc.constantFrom('tree-sitter.node', 'tree_sitter_runtime_binding.node', 'tree-sitter.napi.node', 'tree-sitter.glibc.node', 'tree-sitter.musl.node', 'node.abi115.node', 'README.md');
const folder = fc.uniqueArray(fileName, { maxLength: 3 });
// Build folders are often absent, and this platform's prebuilds folder often there: the layouts
// where the prebuilds decide are the ones most worth trying.
const layout = fc.record({
  release: fc.option(folder, { freq: 2 }),
  debug: fc.option(folder, { freq: 2 }),
  prebuilds: fc.dictionary(fc.constantFrom(here, here, `${process.platform}-other`, `other-${process.arch}`, `${here}+arm64`), folder, { maxKeys: 3 }),
});

type Layout = typeof layout extends fc.Arbitrary<infer T> ? T : never;

let cases = 0;
/** A tree-sitter package folder holding `spec`'s build and prebuild files (empty files: only names matter). */
function makeLayout(spec: Layout): string {
  const dir = join(work, `case-${cases++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tree-sitter' }));
  const put = (folderPath: string, files: string[]) => {
    mkdirSync(folderPath, { recursive: true });
    for (const name of files) writeFileSync(join(folderPath, name), '');
  };
  if (spec.release) put(join(dir, 'build', 'Release'), spec.release);
  if (spec.debug) put(join(dir, 'build', 'Debug'), spec.debug);
  for (const [tuple, files] of Object.entries(spec.prebuilds)) put(join(dir, 'prebuilds', tuple), files);
  return dir;
}

describe('runtimeBinding', () => {
  it("is node-gyp-build's own answer, or undefined, on any layout of the folder", () => {
    let answered = 0;
    fc.assert(
      fc.property(layout, (spec) => {
        const dir = makeLayout(spec);
        const ours = runtimeBinding(dir, {});
        if (ours !== undefined) {
          answered++;
          expect(ours).toBe(nodeGypBuildPath(dir));
        }
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 500 },
    );
    expect(answered).toBeGreaterThan(100); // the common layouts are answered, not declined
  });

  it('finds the binding of the installed tree-sitter where node-gyp-build does', () => {
    const dir = dirname(require.resolve('tree-sitter'));
    expect(runtimeBinding(dir, {})).toBe(nodeGypBuildPath(dir));
  });

  it("declines whenever node-gyp-build's environment switches could change its answer", () => {
    const dir = makeLayout({ release: ['tree_sitter_runtime_binding.node'], debug: null, prebuilds: { [here]: ['tree-sitter.node'] } });
    expect(runtimeBinding(dir, {})).toBe(join(dir, 'build', 'Release', 'tree_sitter_runtime_binding.node'));
    for (const name of ['PREBUILDS_ONLY', 'TREE_SITTER_PREBUILD', 'npm_config_arch', 'npm_config_platform']) {
      expect(runtimeBinding(dir, { [name]: '1' })).toBeUndefined();
    }
  });
});

describe('loading tree-sitter natively', () => {
  it("evaluates its index.js once, as the module require('tree-sitter') gives", () => {
    const python = nativeParser(PYTHON);
    const again = nativeParser(PYTHON);
    const TreeSitter = require('tree-sitter') as new () => object;
    expect(python).toBeInstanceOf(TreeSitter);
    expect(again.constructor).toBe(python.constructor);
    // Evaluated twice, its wrappers would wrap each other and parse would fail.
    expect(python.parse('x = 1\n').rootNode.toString()).toBe('(module (expression_statement (assignment left: (identifier) right: (integer))))');
  });
});
