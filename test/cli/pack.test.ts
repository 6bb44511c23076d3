/**
 * Installable like any npm CLI, on a machine with no compiler: `npm pack` (whose `prepack` builds
 * the bundled bin) gives a tarball that holds the bin with every parser file it loads
 * (dist/bin/parsers), the bundled example, the README, docs/ and LICENSE; its package.json names no
 * dependency and no install-time script. `npm install -g` of it into an empty prefix, offline, with
 * an empty npm cache and a PATH holding node and npm only (no cc, g++, make or node-gyp), succeeds
 * without a warning, and the installed bin prints exactly what the development build prints for
 * --version, --help and a diff of the example checkout.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, tempDir } from '../helpers/cli.js';
import { writeShapedVerl } from '../helpers/launchShapes.js';
import { omegaConfPython } from '../launch/omegaconfGate.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };
const work = tempDir('vcp-pack-');

afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The npm CLI this test runs under (its real file, so that a PATH of symlinks can hold it). */
function npmCli(): string {
  const found = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'npm')).find((file) => existsSync(file));
  if (!found) throw new Error('npm is not on PATH');
  return realpathSync(found);
}

/** A folder holding only `node` and `npm`: the PATH of a machine with no build tools. */
function bareBin(): string {
  const bin = join(work, 'bare-bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(npmCli(), join(bin, 'npm'));
  return bin;
}

const PLATFORMS = ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64'];
const NATIVES = ['tree-sitter.node', 'tree-sitter-python.node', '@tree-sitter-grammars+tree-sitter-yaml.node'];

describe('npm pack', () => {
  it('that fails after prepack (a --pack-destination that does not exist) leaves the manifest as it was', { timeout: 120_000 }, () => {
    // The manifest's own prepack without its build (tsc and the bundle: the test below runs them),
    // which this pack never gets to use: what is under test is the strip and its undoing.
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.prepack).toMatch(/^npm run build && (node scripts\/pack-manifest\.mjs strip)$/);
    manifest.scripts.prepack = manifest.scripts.prepack!.replace(/^npm run build && /, '');
    const copy = join(work, 'failing');
    cpSync(join(REPO_ROOT, 'scripts'), join(copy, 'scripts'), { recursive: true });
    const original = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(copy, 'package.json'), original);
    const pack = run('npm', ['pack', '--pack-destination', join(work, 'no', 'such', 'folder')], copy);
    expect(pack.code).not.toBe(0);
    expect(pack.stderr).toContain('ENOENT');
    // postpack never runs: the watcher prepack started puts the manifest back once npm has ended.
    const deadline = Date.now() + 10_000;
    while (existsSync(join(copy, '.package.json.before-pack')) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
    expect(readdirSync(copy).sort()).toEqual(['package.json', 'scripts']);
    expect(readFileSync(join(copy, 'package.json'), 'utf8')).toBe(original);
  });

  it('installs globally, offline, with no build tools and no warning, and prints what the development build prints', { timeout: 600_000 }, () => {
    // Pack a copy of the sources, so that `prepack` (tsc and the bundle) builds in the copy and not
    // under the other test files, which are running dist/cli.js right now.
    const copy = join(work, 'source');
    for (const entry of ['package.json', 'README.md', 'LICENSE', 'docs', 'tsconfig.json', 'src', 'scripts', 'python', 'fixtures/examples']) {
      cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const pack = run('npm', ['pack', '--json', '--pack-destination', work], copy);
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const packed = info!.files.map((f) => f.path);
    // preflight's composer, found two folders above dist/bin/ (src/launch/compose.ts).
    for (const file of ['package.json', 'README.md', 'LICENSE', 'docs/ci.md', 'python/preflight_compose.py', pkg.bin['verl-critic-patch']!, 'dist/bin/THIRD-PARTY-LICENSES', 'fixtures/examples/verl-0.9/verl/trainer/ppo/ray_trainer.py']) {
      expect(packed).toContain(file);
    }
    for (const file of ['cli.cjs', 'commander.cjs', 'yaml.cjs', 'web-tree-sitter.cjs'].map((name) => `${name}.v8cache`)) expect(packed).toContain(`dist/bin/${file}`);
    for (const file of ['tree-sitter.cjs', 'web-tree-sitter.cjs', 'tree-sitter.wasm', 'tree-sitter-python.wasm', 'tree-sitter-yaml.wasm']) expect(packed).toContain(`dist/bin/parsers/${file}`);
    for (const platform of PLATFORMS) for (const file of NATIVES) expect(packed).toContain(`dist/bin/parsers/${platform}/${file}`);
    const expected = /^(package\.json|README\.md|LICENSE|python\/preflight_compose\.py|docs\/[\w.-]+\.md|dist\/bin\/(verl-critic-patch\.cjs|THIRD-PARTY-LICENSES|(cli|commander|yaml|web-tree-sitter|tree-sitter)\.cjs\.v8cache|(cli|commander|yaml)\.cjs|parsers\/[^/]+|parsers\/[\w-]+\/[\w@+.-]+\.node)|fixtures\/examples\/.*)$/;
    expect(packed.filter((path) => !expected.test(path))).toEqual([]);
    expect(packed.filter((path) => path.startsWith('docs/')).sort()).toEqual(readdirSync(join(REPO_ROOT, 'docs')).map((name) => `docs/${name}`).sort());

    // What npm reads at install: no dependency to resolve, no script to run.
    // The packed manifest, as npm reads it at install (the checkout's keeps `prepare`, which
    // builds at `npm ci`; scripts/pack-manifest.mjs leaves it out of the tarball and puts it back).
    const packedManifest = run('tar', ['-xOzf', join(work, info!.filename), 'package/package.json'], work);
    expect(packedManifest.code, packedManifest.stderr).toBe(0);
    const manifest = JSON.parse(packedManifest.stdout) as Record<string, Record<string, string> | undefined>;
    expect(readFileSync(join(copy, 'package.json'), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies']) expect(manifest[field], field).toBeUndefined();
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts?.[script], script).toBeUndefined();

    const bin = bareBin();
    const env = { HOME: process.env.HOME, PATH: bin, npm_config_cache: join(work, 'empty-npm-cache') };
    for (const tool of ['cc', 'gcc', 'g++', 'make', 'node-gyp']) expect(run('/bin/sh', ['-c', `command -v ${tool} || echo none`], work, env).stdout.trim(), tool).toBe('none');
    const prefix = join(work, 'prefix');
    mkdirSync(prefix);
    const install = run('npm', ['install', '--global', '--offline', '--prefix', prefix, join(work, info!.filename)], work, env);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stderr).toBe('');
    expect(install.stdout.trim()).toMatch(/^added 1 package in [\d.]+m?s$/);
    const installed = join(prefix, 'lib', 'node_modules', pkg.name);
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);

    // The installed bin and the development build, side by side in the same folder.
    const checkout = join(work, 'checkout');
    cpSync(join(REPO_ROOT, 'fixtures', 'examples', 'verl-0.9'), checkout, { recursive: true });
    for (const args of [['--version'], ['--help'], ['diff', 'checkout'], ['check', '--json', 'checkout']]) {
      const ours = run(join(prefix, 'bin', 'verl-critic-patch'), args, work, env);
      expect(ours.code, ours.stderr).toBe(0);
      // The same bare PATH for both (no python3 there: both say the trainers were not compiled).
      expect(ours, args.join(' ')).toEqual(run(process.execPath, [CLI, ...args], work, env));
    }

    // preflight from the installed package: its composer is found beside dist/bin/ and runs.
    if (omegaConfPython !== null) {
      const shaped = writeShapedVerl(join(work, 'shaped'), '0.9.0');
      const check = run(join(prefix, 'bin', 'verl-critic-patch'), ['preflight', '--verl', shaped, '--', 'trainer.resume_mode=auto'], work);
      expect(check.code, check.stderr).toBe(1);
      expect(check.stdout).toContain('error   [2] trainer.resume_mode: resume_mode=auto finds no checkpoint');
    }
  });
});
