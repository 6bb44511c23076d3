// stage --route through the built CLI (dist/cli.js; test/globalSetup.ts builds it): the option's
// values, the route in --json, and an unpatched VeRL that needs no patch on the override route.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { scratch, typicalRun, writeVerlCheckout } from '../helpers/checkpointTrees.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { lacks, PYTHON3 } from '../helpers/systemPackages.js';

const root = scratch('vcp-cli-route-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('an unpatched 0.9: exit 0 on the override route, route in --json; --route patch refuses in one line; a bad --route is usage', () => {
  const run = typicalRun(join(root, 'run'), 1);
  const verl = writeVerlCheckout(join(root, 'verl'), '0.9.0');
  const json = runCli(['stage', '--json', '--verl', verl, run, join(root, 'out')]);
  expect(json.code, json.stderr).toBe(0);
  const doc = JSON.parse(json.stdout);
  expect(doc.route).toBe('overrides');
  expect(doc.launch.routes.patch).toEqual({ ok: false, reason: 'the trainer does not guard the actor load yet' });
  expect(doc.nextCommand.line).toContain('"actor_rollout_ref.actor.checkpoint.load_contents=[]"');
  expect(doc.nextCommand.line).not.toContain('load_critic_only');
  // stage's own preflight of the printed launch (when an OmegaConf is there) finds nothing wrong with it.
  expect(doc.preflight?.findings ?? []).toEqual([]);

  const patch = runCli(['stage', '--route', 'patch', '--verl', verl, run, join(root, 'out2')]);
  expect(patch.code).toBe(1);
  expect(patch.stderr.trim().split('\n')).toHaveLength(1);
  expect(patch.stderr).toMatch(/or --route overrides \(/);

  const bad = runCli(['stage', '--route', 'both', run, join(root, 'out3')]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--route <route>' argument 'both' is invalid\. Allowed choices are patch, overrides/);
});

it.skipIf(lacks(PYTHON3))('test/verl/override_route.py, the VeRL-in-the-loop proof: without VeRL it exits 2 in one line, so its suite can skip', () => {
  const run = spawnSync('python3', [join(REPO_ROOT, 'test', 'verl', 'override_route.py')], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: root } });
  expect(run.status).toBe(2);
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  expect(run.stdout).toMatch(/^override_route: cannot (run|import VeRL's FSDP checkpoint manager): /);
});
