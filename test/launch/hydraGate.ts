/**
 * The Hydra test environment scripts/test-env-hydra.sh builds (and .ci/run runs): hydra-core 1.3.2
 * in a cached venv, and VeRL's configs from its PyPI wheels. Without it, the tests that need it
 * skip with one line saying to run the script, and fail where CI is set (systemPackages.ts's rule).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Release } from '../helpers/exampleLaunches.js';
import { CI, skipBecause } from '../helpers/systemPackages.js';

export const HYDRA_CACHE = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'verl-critic-patch');
export const HYDRA_PYTHON = join(HYDRA_CACHE, 'hydra-venv', 'bin', 'python');
export const RELEASES: Release[] = ['0.5.0', '0.7.1', '0.9.1'];
export const configsOf = (release: Release) => join(HYDRA_CACHE, 'verl-configs', release);

function problem(): string | null {
  if (!existsSync(join(HYDRA_CACHE, 'hydra-venv', '.ready-hydra-core==1.3.2'))) return `no ${join(HYDRA_CACHE, 'hydra-venv')}`;
  const missing = RELEASES.filter((release) => !existsSync(join(configsOf(release), '.ready')));
  return missing.length > 0 ? `no VeRL ${missing.join(', ')} configs in ${join(HYDRA_CACHE, 'verl-configs')}` : null;
}

let checked: string | null | undefined;

/**
 * True: skip (one line says to run scripts/test-env-hydra.sh); under CI a missing environment
 * throws instead, so that CI can never pass by skipping.
 */
export function lacksHydra(): boolean {
  if (checked === undefined) checked = problem();
  const why = 'hydra-core 1.3.2 and VeRL configs from PyPI (Hydra composing launches, the oracle the emulation is compared with)';
  if (checked !== null && CI) throw new Error(`${checked}; CI is set, so tests that need ${why} fail instead of skipping: run scripts/test-env-hydra.sh`);
  return skipBecause(`tests that need ${why}`, checked === null ? null : `${checked}; run scripts/test-env-hydra.sh`);
}
