/**
 * The override route (issue 31), proven by running VeRL's own code: for every release of
 * test/verl/releases.txt, test/verl/override_route.py runs that release's FSDP checkpoint manager
 * and unpatched trainer `_load_checkpoint` with `actor_rollout_ref.actor.checkpoint.load_contents=[]`
 * on CPU. What VeRL does must be what the tool claims: the release's route verdict
 * (src/checkpoint/route.ts, the one stage and preflight use) is "ok" exactly where the script
 * proves nothing of the old actor is loaded and the critic loads as staged, and "refused" where
 * VeRL does load (or crash on) the missing actor/.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { overrideRoute } from '../../src/checkpoint/route.js';
import { parseRelease } from '../../src/verl/release.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { skipWithoutVerlVenv, verlRelease, verlReleaseVersions, verlVenv } from '../helpers/verlVenv.js';

const SKIP = skipWithoutVerlVenv('the override route run on VeRL (npm run test:verl)');
const SCRIPT = join(REPO_ROOT, 'test', 'verl', 'override_route.py');

describe.skipIf(SKIP)('the override route, run on VeRL', () => {
  for (const version of verlReleaseVersions()) {
    it(`VeRL ${version}: the route verdict matches what VeRL's code does with load_contents=[]`, () => {
      const claim = overrideRoute({ release: parseRelease(version)!, strategy: 'fsdp', keyDeclared: null });
      const workdir = mkdtempSync(join(tmpdir(), `vcp-override-${version}-`));
      try {
        const run = spawnSync(verlVenv()!, [SCRIPT, '--workdir', workdir], {
          encoding: 'utf8',
          env: { ...process.env, PYTHONPATH: verlRelease(version)!, PYTHONDONTWRITEBYTECODE: '1', TMPDIR: workdir },
          timeout: 600_000,
        });
        const said = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15).join('\n');
        // Exit 2 is "this environment cannot run it": a broken venv, never a verdict.
        expect(run.status, said).not.toBe(2);
        expect({ version, proven: run.status === 0 }, said).toEqual({ version, proven: claim.ok });
      } finally {
        rmSync(workdir, { recursive: true, force: true });
      }
    });
  }
});
