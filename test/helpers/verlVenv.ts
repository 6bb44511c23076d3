/**
 * The Python venv that runs VeRL's own code (torch 2.13.0 CPU, Hydra, transformers, ...) and the
 * VeRL releases fetched from PyPI beside it, both made by scripts/verl-venv.sh and cached between
 * runs under ${XDG_CACHE_HOME:-~/.cache}/verl-critic-patch. For `npm run test:verl`, and for any
 * test that wants a real Hydra or a real VeRL: `verlVenv()` is null where it was not built.
 *
 *   const python = verlVenv();                        // the venv's python, or null
 *   const release = verlRelease('0.9.1');             // that release's unpacked wheel, or null
 *   if (skipWithoutVerlVenv()) ...                    // one skip line; under CI a failure
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CI } from './systemPackages.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const VERL_VENV_SCRIPT = join(REPO_ROOT, 'scripts', 'verl-venv.sh');
export const VERL_REQUIREMENTS = join(REPO_ROOT, 'test', 'verl', 'requirements.txt');
export const VERL_RELEASES_LIST = join(REPO_ROOT, 'test', 'verl', 'releases.txt');

function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'verl-critic-patch');
}

/**
 * Where scripts/verl-venv.sh puts the venv of the current requirement list: named by the sha256 of
 * its requirement lines (what `grep -v '^[[:space:]]*\(#\|$\)'` keeps, each ending in a newline).
 */
export function verlVenvDir(): string {
  const lines = readFileSync(VERL_REQUIREMENTS, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(#|$)/.test(line));
  const hash = createHash('sha256').update(lines.map((line) => `${line}\n`).join('')).digest('hex').slice(0, 12);
  return join(cacheRoot(), `verl-venv-${hash}`);
}

/** The venv's python, or null when it has not been built (completely) for the current list. */
export function verlVenv(): string | null {
  const dir = verlVenvDir();
  return existsSync(join(dir, '.complete')) ? join(dir, 'bin', 'python') : null;
}

/** The releases test/verl/releases.txt names, in its order. */
export function verlReleaseVersions(): string[] {
  return readFileSync(VERL_RELEASES_LIST, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The unpacked wheel of `verl==version` (holding `verl/`), or null when it was not fetched. */
export function verlRelease(version: string): string | null {
  const dir = join(cacheRoot(), 'verl-releases', version);
  return existsSync(join(dir, '.complete')) ? dir : null;
}

/** What is missing, in a few words, or null when the venv and every listed release are there. */
export function verlVenvProblem(): string | null {
  if (verlVenv() === null) return `no venv at ${verlVenvDir()}`;
  const missing = verlReleaseVersions().filter((version) => verlRelease(version) === null);
  return missing.length > 0 ? `VeRL ${missing.join(', ')} not fetched` : null;
}

/**
 * True when the tests needing the venv are to be skipped: it is missing and CI is not set (one line
 * on stderr says how to build it). Throws when it is missing and CI is set, so CI cannot pass by skipping.
 */
export function skipWithoutVerlVenv(what = 'VeRL in the loop (npm run test:verl)'): boolean {
  const problem = verlVenvProblem();
  if (problem === null) return false;
  const fix = `build it: ${VERL_VENV_SCRIPT} (about 5 minutes, cached)`;
  if (CI) throw new Error(`${what}: ${problem}; CI is set, so this fails instead of skipping: ${fix}`);
  process.stderr.write(`skipped: ${what}: ${problem}; ${fix}\n`);
  return true;
}
