/**
 * preflight composes configs through a Python with OmegaConf (src/launch/compose.ts tries the
 * same interpreters). Without one, the tests that compose skip with one line saying what to
 * install; with env CI set they FAIL instead (CI must install it). Minimal on purpose: a shared
 * helper for this rule is being written in test/helpers/ (wt-suite); switch to it once merged.
 */
import { spawnSync } from 'node:child_process';
import { pythonCandidates } from '../../src/launch/compose.js';

const INSTALL = 'apt-get install python3-omegaconf (or pip install omegaconf)';

function findOmegaConf(): string | null {
  for (const python of pythonCandidates(null)) {
    const run = spawnSync(python, ['-c', 'import omegaconf'], { encoding: 'utf8' });
    if (!run.error && run.status === 0) return python;
  }
  return null;
}

export const omegaConfPython = findOmegaConf();

if (omegaConfPython === null) {
  if (process.env.CI) throw new Error(`no Python with OmegaConf (tried ${pythonCandidates(null).join(', ')}): ${INSTALL}`);
  console.log(`skipped: preflight composition tests need a Python with OmegaConf: ${INSTALL}`);
}
