/** The fixture sets the tests share: our own Python files in VeRL's shapes, and their golden diffs. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

export const FIXTURE_DIR = join(REPO_ROOT, 'fixtures', 'python');
export const REFUSE_DIR = join(REPO_ROOT, 'fixtures', 'refuse');
export const GOLDEN_DIR = join(REPO_ROOT, 'patches');

const fixtureNames = readdirSync(FIXTURE_DIR).filter((name) => name.endsWith('.py')).sort();
/** Fixtures someone already guarded by hand, each spelling the guard another way. */
export const handGuardedFixtures = fixtureNames.filter((name) => name.startsWith('hand_guard_'));
/** Fixtures the tool patches: each has a golden diff in patches/. */
export const patchableFixtures = fixtureNames.filter((name) => !name.startsWith('hand_guard_'));
