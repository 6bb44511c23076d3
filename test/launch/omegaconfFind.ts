/**
 * The first interpreter preflight (and stage --verl's launch checks) would compose configs with,
 * found as src/launch/compose.ts tries them (python3, then /usr/bin/python3), or null when none
 * has OmegaConf. No skip line, no CI rule: omegaconfGate.ts applies those for the tests that need
 * it; a test that does not need it but whose output depends on it asks here.
 */
import { spawnSync } from 'node:child_process';
import { pythonCandidates } from '../../src/launch/compose.js';

export function findOmegaConf(): string | null {
  for (const python of pythonCandidates(null)) {
    const run = spawnSync(python, ['-c', 'import omegaconf'], { encoding: 'utf8' });
    if (!run.error && run.status === 0) return python;
  }
  return null;
}
