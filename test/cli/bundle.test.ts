/**
 * The package's bin (scripts/bundle.mjs): dist/bin/verl-critic-patch.cjs runs the bundle,
 * dist/bin/cli.cjs, through the V8 code cache beside it, with the `yaml` package in
 * dist/bin/yaml.cjs. The other tests run tsc's output (dist/cli.js); these show the bin behaves
 * exactly like it (same stdout, stderr and exit code on every verb, on success, refusal and bad
 * input), that V8 takes the caches and the bin runs as well without them or with stale ones, and
 * that a run on one Python file never loads the YAML half.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const BIN = join(REPO_ROOT, pkg.bin['verl-critic-patch']!);
const EXAMPLE = join(REPO_ROOT, 'fixtures', 'examples', 'verl-0.9');
const work = tempDir('vcp-bundle-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the bundled bin', () => {
  it.each([
    [['--version']],
    [['--help']],
    [['diff', '--help']],
    [['diff', 'fixtures/examples/verl-0.9']],
    [['diff', 'fixtures/python/v0_9_keyword_only.py']],
    [['check', '--json', 'fixtures/examples/verl-0.9']],
    [['check', '--format', 'github', 'fixtures/refuse/super_only_subclass.py']],
    [['diff', 'fixtures/refuse/syntax_error_in_method.py']],
    [['diff', 'fixtures/config/no-such-file.yaml']],
    [['diff', '--colour', 'x']],
    [['inspect', 'no/such/run']],
    [['nonsense']],
  ])('answers %j exactly as dist/cli.js does', (args) => {
    const bundled = runCli(args, { entry: BIN });
    const unbundled = runCli(args, { entry: CLI });
    expect(bundled).toEqual(unbundled);
  });

  it('applies and reverts a checkout exactly as dist/cli.js does', () => {
    const results = ['bundled', 'unbundled'].map((name) => {
      const checkout = join(work, name);
      cpSync(EXAMPLE, checkout, { recursive: true });
      const entry = name === 'bundled' ? BIN : CLI;
      const apply = runCli(['apply', checkout], { entry, cwd: work });
      const patched = readFileSync(join(checkout, 'verl/trainer/ppo/ray_trainer.py'), 'utf8');
      const revert = runCli(['revert', '--json', checkout], { entry, cwd: work });
      return { apply: { ...apply, stdout: apply.stdout.replaceAll(name, 'X'), stderr: apply.stderr.replaceAll(name, 'X') }, patched, revert: revert.stdout.replaceAll(name, 'X') };
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.patched).toContain('load_critic_only');
  });

  /** How the bin in `dir` finds its code cache: taken by V8, rejected, or none to take (a fresh process, as a run). */
  function cacheState(dir: string): string {
    const script = `const { cachedData, script } = require(${JSON.stringify(join(dir, 'verl-critic-patch.cjs'))}).compileBundle();
process.stdout.write(cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used');`;
    return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout;
  }

  it('runs through a code cache that V8 takes', () => {
    expect(cacheState(join(REPO_ROOT, 'dist', 'bin'))).toBe('used');
  });

  it('runs, compiling as usual, when the code cache is damaged, stale or missing', () => {
    const copy = join(work, 'install');
    cpSync(join(REPO_ROOT, 'dist', 'bin'), copy, { recursive: true });
    const bundle = join(copy, 'cli.cjs');
    const cache = `${bundle}.v8cache`;
    const args = ['diff', 'fixtures/python/v0_9_keyword_only.py'];
    // The copy needs nothing outside its folder, as a global install (dist/bin/parsers).
    const env = {};
    const expected = runCli(args);
    const original = readFileSync(bundle);
    // The same number of bytes, one of them changed: V8 alone would take the cache (it checks the
    // source's length) and crash running code made from other source.
    const sameLength = Buffer.from(original.toString('latin1').replace('diff --output', 'diff --outpuT'), 'latin1');
    const cut = readFileSync(cache).subarray(0, original.length + 1000);
    for (const [state, damage] of [
      ['none', () => writeFileSync(bundle, sameLength)],
      ['rejected', () => (writeFileSync(bundle, original), writeFileSync(cache, cut))],
      ['rejected', () => writeFileSync(cache, Buffer.concat([original, Buffer.alloc(4096, 7)]))],
      ['none', () => rmSync(cache)],
    ] as const) {
      damage();
      expect(cacheState(copy)).toBe(state);
      expect(runCli(args, { entry: join(copy, 'verl-critic-patch.cjs'), env })).toEqual(expected);
    }
  });

  /** Whether the bin's own prebuilt native binding loads on this machine (else it parses with WebAssembly). */
  // Either candidate of tree-sitter's binding (src/parsers/files.ts, bundledRuntimeBindings): the
  // one compiled where the package was built, when there is one, or the prebuilt one.
  const parsers = join(REPO_ROOT, 'dist', 'bin', 'parsers');
  const bindings = [join(parsers, `built-${process.platform}-${process.arch}`, 'tree-sitter.node'), join(parsers, `${process.platform}-${process.arch}`, 'tree-sitter.node')];
  const nativeLoads = bindings.some((file) => existsSync(file) && spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`]).status === 0);

  it("has a code cache for tree-sitter's index.js exactly where its native binding loads", () => {
    expect(existsSync(join(REPO_ROOT, 'dist', 'bin', 'tree-sitter.cjs.v8cache'))).toBe(nativeLoads);
  });

  /**
   * The files a run compiles through a cache of its own (src/commonJs.ts), each with a command
   * line that loads it: tree-sitter's index.js (where its binding loads) and web-tree-sitter, in
   * dist/bin/parsers; commander and yaml, beside the bin.
   */
  const MODULE_CACHES = [
    ...(nativeLoads ? ([["tree-sitter's index.js", (dir: string) => join(dir, 'parsers', 'tree-sitter.cjs'), 'tree-sitter.cjs.v8cache', ['diff', 'fixtures/python/v0_9_keyword_only.py']]] as const) : []),
    ['web-tree-sitter', (dir: string) => join(dir, 'parsers', 'web-tree-sitter.cjs'), 'web-tree-sitter.cjs.v8cache', ['diff', 'fixtures/python/v0_9_keyword_only.py']],
    ['commander', (dir: string) => join(dir, 'commander.cjs'), 'commander.cjs.v8cache', ['diff', '--quiet', 'fixtures/python/v0_9_keyword_only.py']],
    ['yaml', (dir: string) => join(dir, 'yaml.cjs'), 'yaml.cjs.v8cache', ['diff', 'fixtures/examples/verl-0.9']],
  ] as const;

  /** Whether V8 takes the cache `cacheName` the bin in `dir` has for `file`. */
  function moduleCacheState(dir: string, file: string, cacheName: string): string {
    const script = `const { cachedData, script } = require(${JSON.stringify(join(dir, 'verl-critic-patch.cjs'))}).compileCommonJs(${JSON.stringify(file)}, ${JSON.stringify(cacheName)});
process.stdout.write(cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used');`;
    return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout;
  }

  it.each(MODULE_CACHES)('runs %s through a code cache that V8 takes, and as usual without one', (name, fileIn, cacheName, args) => {
    expect(moduleCacheState(join(REPO_ROOT, 'dist', 'bin'), fileIn(join(REPO_ROOT, 'dist', 'bin')), cacheName)).toBe('used');
    const copy = join(work, `install-${cacheName}`);
    cpSync(join(REPO_ROOT, 'dist', 'bin'), copy, { recursive: true });
    const file = fileIn(copy);
    const cache = join(copy, cacheName);
    // The web-tree-sitter row is run on its path wherever the native one would be taken.
    const env = cacheName === 'web-tree-sitter.cjs.v8cache' ? { VERL_CRITIC_PATCH_PARSER: 'wasm' } : {};
    const expected = runCli([...args]);
    const original = readFileSync(cache);
    for (const [state, damage] of [
      // Made from other bytes (another tree-sitter's index.js, an edited file).
      ['none', () => writeFileSync(cache, Buffer.concat([Buffer.from('x'), original]))],
      // Made by another V8 (here: no cache at all after the bytes, which V8 tells apart as it does a cache of another version).
      ['rejected', () => writeFileSync(cache, Buffer.concat([readFileSync(file), Buffer.alloc(4096, 7)]))],
      ['none', () => rmSync(cache)],
    ] as const) {
      damage();
      expect(moduleCacheState(copy, file, cacheName)).toBe(state);
      expect(runCli([...args], { entry: join(copy, 'verl-critic-patch.cjs'), env })).toEqual(expected);
    }
  });

  it('loads the yaml half only when a YAML can be a target', () => {
    // NODE_DEBUG=module logs every module Node.js loads; the YAML half is dist/bin/yaml.cjs.
    const trainerOnly = runCli(['diff', 'fixtures/python/v0_9_keyword_only.py'], { entry: BIN, env: { NODE_DEBUG: 'module' } });
    expect(trainerOnly.code).toBe(0);
    expect(trainerOnly.stderr).not.toContain('yaml.cjs');
    const checkout = runCli(['diff', 'fixtures/examples/verl-0.9'], { entry: BIN, env: { NODE_DEBUG: 'module' } });
    expect(checkout.code).toBe(0);
    expect(checkout.stderr).toContain('yaml.cjs');
  });
});
