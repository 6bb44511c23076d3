/**
 * preflight composes configs through the first Python with OmegaConf among those it tries itself
 * (src/launch/compose.ts: python3, then /usr/bin/python3). Without one, the tests that compose
 * skip with one line saying what to install, and fail where CI is set: the rule of
 * test/helpers/systemPackages.ts, applied to that list of interpreters.
 */
import { spawnSync } from 'node:child_process';
import { pythonCandidates } from '../../src/launch/compose.js';
import { lacks, type SystemPackage } from '../helpers/systemPackages.js';
import { findOmegaConf } from './omegaconfFind.js';

const found = findOmegaConf();

const PREFLIGHT_OMEGACONF: SystemPackage = {
  name: 'python3-omegaconf',
  why: `preflight composes launch configs with OmegaConf through ${pythonCandidates(null).join(' or ')} (or pip install omegaconf)`,
  problem: () => (found === null ? `no omegaconf for ${pythonCandidates(null).join(', ')}` : null),
};

/** The interpreter the composition tests run with; null: skip them (never null under CI: lacks throws). */
export const omegaConfPython = lacks(PREFLIGHT_OMEGACONF) ? null : found;

/** Its OmegaConf's version, as the report names it. */
export const omegaConfVersion = omegaConfPython === null ? null : spawnSync(omegaConfPython, ['-c', 'import omegaconf; print(omegaconf.__version__)'], { encoding: 'utf8' }).stdout.trim();
