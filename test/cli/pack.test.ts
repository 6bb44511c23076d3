/**
 * Installable like any npm CLI: `npm pack` (whose `prepare` builds the bundled bin) gives a tarball
 * that holds the bin, the bundled example and the README only, installs into an empty prefix with
 * no dev dependencies, and runs (--help, --version, and a diff of the bundled example). Slow (the
 * install builds or fetches the tree-sitter native modules, 30-60 s) and needs the npm registry
 * for the runtime dependencies.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { writeShapedVerl } from '../helpers/launchShapes.js';
import { omegaConfPython } from '../launch/omegaconfGate.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  devDependencies: Record<string, string>;
};
const npmCli = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = tempDir('vcp-pack-');

afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe('npm pack', () => {
  it('installs into an empty prefix without dev dependencies, and the bin runs', { timeout: 600_000 }, () => {
    // Pack a copy of the sources, so that `prepare` (tsc and the bundle) builds in the copy and not
    // under the other test files, which are running dist/cli.js right now.
    const copy = join(work, 'source');
    for (const entry of ['package.json', 'README.md', 'tsconfig.json', 'src', 'scripts', 'python', 'fixtures/examples']) {
      cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const pack = run(npmCli, ['pack', '--json', '--pack-destination', work], copy);
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const packed = info!.files.map((f) => f.path);
    expect(packed).toContain('package.json');
    expect(packed).toContain('README.md');
    expect(packed).toContain(pkg.bin['verl-critic-patch']);
    expect(packed).toContain('fixtures/examples/verl-0.9/verl/trainer/ppo/ray_trainer.py');
    expect(packed).toContain('dist/bin/yaml.cjs');
    expect(packed).toContain('dist/bin/cli.cjs.v8cache');
    expect(packed).toContain('dist/bin/tree-sitter.cjs.v8cache');
    expect(packed).toContain('dist/bin/commander.cjs.v8cache');
    expect(packed).toContain('dist/bin/yaml.cjs.v8cache');
    // preflight's composer, found two folders above dist/bin/ (src/launch/compose.ts).
    expect(packed).toContain('python/preflight_compose.py');
    expect(packed.filter((path) => !/^(package\.json|README\.md|LICENSE|python\/preflight_compose\.py|dist\/bin\/(verl-critic-patch\.cjs|(cli|commander|yaml)\.cjs(\.v8cache)?|tree-sitter\.cjs\.v8cache)|fixtures\/examples\/.*)$/.test(path))).toEqual([]);

    const prefix = join(work, 'prefix');
    mkdirSync(prefix);
    const install = run(npmCli, ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefix', prefix, join(work, info!.filename)], work);
    expect(install.code, install.stderr).toBe(0);
    for (const dev of Object.keys(pkg.devDependencies)) expect(existsSync(join(prefix, 'node_modules', dev)), dev).toBe(false);

    const bin = join(prefix, 'node_modules', '.bin', 'verl-critic-patch');
    const help = run(bin, ['--help'], work);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: verl-critic-patch');
    expect(run(bin, ['--version'], work).stdout).toBe(`${pkg.version}\n`);

    const example = join(prefix, 'node_modules', pkg.name, 'fixtures', 'examples', 'verl-0.9');
    const diff = run(bin, ['diff', example], work);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('+        if not self.config.trainer.get("load_critic_only", False):');
    expect(diff.stderr).toContain('VeRL 0.9.0 checkout');

    // preflight from the installed package: its composer is found beside dist/bin/ and runs.
    if (omegaConfPython !== null) {
      const shaped = writeShapedVerl(join(work, 'shaped'), '0.9.0');
      const check = run(bin, ['preflight', '--verl', shaped, '--', 'trainer.resume_mode=auto'], work);
      expect(check.code, check.stderr).toBe(1);
      expect(check.stdout).toContain('error   [2] trainer.resume_mode: resume_mode=auto finds no checkpoint');
    }
  });
});
