/**
 * The system packages tests need beyond Node.js, and the one rule for a test that needs one: where
 * the package is missing, the test is skipped, with one line on stderr saying what to install and
 * why; where env CI is set (.ci/run sets it, after installing them all), a missing package fails
 * the test file instead, so that CI can never go green by skipping.
 *
 *   it.skipIf(lacks(OMEGACONF))('...', () => { ... });     a test, or describe.skipIf: a group
 *   skipFileWithout(GIT);                                   every test of the file
 *
 * Something that is not a package (not root, a file system without `chattr +i`) is no reason to
 * fail in CI: `skipBecause` skips with its reason, CI or not.
 */
import { spawnSync } from 'node:child_process';
import { beforeEach } from 'vitest';

export interface SystemPackage {
  /** The Debian package to install, as .ci/run does. */
  name: string;
  /** What the tests prove with it, for the skip line. */
  why: string;
  /** Why it cannot be used here, in a few words, or null when it can. */
  problem(): string | null;
}

/** CI is set, to anything but an empty string, 0 or false (as most CI services and .ci/run set it). */
export const CI = !['', '0', 'false'].includes((process.env.CI ?? '').trim().toLowerCase());

/**
 * The interpreter that runs the OmegaConf checks: /usr/bin/python3, the one python3-omegaconf
 * installs for; VCP_OMEGACONF_PYTHON names another (a Python without omegaconf shows the skip and
 * the CI failure whatever this machine has installed).
 */
export const OMEGACONF_PYTHON = process.env.VCP_OMEGACONF_PYTHON || '/usr/bin/python3';

/** The Python that compiles and stub-runs generated files (test/helpers/python.ts). */
export const PYTHON = process.env.PYTHON || 'python3';

/** Null when `command args` runs and exits 0; else why not, in a few words. */
function runs(command: string, args: string[]): string | null {
  const run = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const code = (run.error as NodeJS.ErrnoException | undefined)?.code;
  if (run.error) return code === 'ENOENT' ? `${command} not found` : `${command}: ${code ?? run.error.message}`;
  if (run.status === 0) return null;
  return run.stderr.trim().split('\n').pop() || `${command} exited with ${run.status}`;
}

/** Null when `command` is on PATH (it ran, whatever its exit code: some take no --version). */
function onPath(command: string): string | null {
  const run = spawnSync(command, ['--version'], { stdio: 'ignore' });
  return (run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' ? `no ${command} on PATH` : null;
}

export const OMEGACONF: SystemPackage = {
  name: 'python3-omegaconf',
  why: `Hydra's struct-mode merge of trainer.load_critic_only=true into the YAMLs, run with ${OMEGACONF_PYTHON}`,
  problem: () => runs(OMEGACONF_PYTHON, ['-c', 'import omegaconf']),
};
export const GIT: SystemPackage = { name: 'git', why: 'the tests make git repositories and git apply the diffs', problem: () => runs('git', ['--version']) };
export const PATCH: SystemPackage = { name: 'patch', why: 'patch -p1 applies the diffs as git apply does', problem: () => runs('patch', ['--version']) };
export const PYTHON3: SystemPackage = { name: 'python3', why: 'CPython compiles the patched files and runs them with stubs', problem: () => runs(PYTHON, ['-c', '']) };
export const CHATTR: SystemPackage = { name: 'e2fsprogs', why: 'chattr +i makes a file that even root cannot write', problem: () => onPath('chattr') };
export const SETPRIV: SystemPackage = { name: 'util-linux', why: 'setpriv runs the CLI as nobody, whom the kernel refuses', problem: () => onPath('setpriv') };
export const SCRIPT: SystemPackage = { name: 'bsdutils', why: 'script runs the CLI on a terminal', problem: () => runs('script', ['--version']) };

/**
 * Null when `chattr +i` works on `path` (then it is undone): it needs root and a file system with
 * the flag (ext4, xfs, btrfs; not tmpfs or overlayfs). Not a package: no CI failure without it.
 */
export function chattrProblem(path: string): string | null {
  const run = spawnSync('chattr', ['+i', path], { encoding: 'utf8' });
  if (run.status !== 0) return `chattr +i does not work here (${run.stderr.trim() || run.error?.message || `exit ${run.status}`})`;
  spawnSync('chattr', ['-i', path]);
  return null;
}

const checked = new Map<SystemPackage, string | null>();

/**
 * True when the tests needing `pkg` are to be skipped: it is missing here and CI is not set (then
 * one line says so, once per test file). Throws when it is missing and CI is set.
 */
export function lacks(pkg: SystemPackage): boolean {
  if (!checked.has(pkg)) {
    const problem = pkg.problem();
    checked.set(pkg, problem);
    if (problem !== null && !CI) note(`tests that need ${pkg.name} (${pkg.why})`, `${problem}; install it: apt-get install -y ${pkg.name}`);
  }
  const problem = checked.get(pkg)!;
  if (problem !== null && CI) {
    throw new Error(`${pkg.name} is missing (${problem}); CI is set, so tests that need it fail instead of skipping (${pkg.why}): apt-get install -y ${pkg.name}`);
  }
  return problem !== null;
}

/** Every test of the calling file is skipped (or, with CI, fails) where one of `pkgs` is missing. */
export function skipFileWithout(...pkgs: SystemPackage[]): void {
  if (pkgs.map(lacks).some(Boolean)) beforeEach((context) => context.skip());
}

/** For it.skipIf: skip, with one line giving the reason, when `reason` is not null (CI or not). */
export function skipBecause(what: string, reason: string | null): boolean {
  if (reason !== null) note(what, reason);
  return reason !== null;
}

function note(what: string, reason: string): void {
  process.stderr.write(`skipped: ${what}: ${reason}\n`);
}
