/** `stage --verl` runs preflight's checks 1-4 on the launch it prints. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unquoteShellWord } from '../../src/launch/stageChecks.js';
import { saveCritic } from '../helpers/checkpointTrees.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeShapedVerl } from '../helpers/launchShapes.js';
import { omegaConfPython } from './omegaconfGate.js';

const root = tempDir('vcp-stage-checks-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('unquoteShellWord removes the quoting shellWord adds', () => {
  expect(unquoteShellWord(`"trainer.resume_from_path='/a b/global_step_0'"`)).toBe("trainer.resume_from_path='/a b/global_step_0'");
  expect(unquoteShellWord(`'a'\\''b'`)).toBe("a'b");
  expect(unquoteShellWord('trainer.resume_mode=auto')).toBe('trainer.resume_mode=auto');
});

describe.skipIf(omegaConfPython === null)('stage --verl: checks 1-4 of the printed launch', () => {
  const run = join(root, 'run');
  saveCritic(join(run, 'global_step_40', 'critic'), { family: 'fsdp-v0.4.1', worldSize: 8 });

  it('a clean release: no preflight line, exit 0', () => {
    const verl = writeShapedVerl(join(root, 'ok'), '0.9.0');
    const result = runCli(['stage', '--verl', verl, '--world-size', '8', run, join(root, 'warm-ok')], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/preflight:/);
  });

  it("a config whose default runs no critic (adv_estimator grpo): the printed launch would never load it, exit 1 naming the key", () => {
    const verl = writeShapedVerl(join(root, 'grpo'), '0.9.0');
    // The snapshot (the emulation reads it) and its source (Hydra composes it) alike.
    for (const name of ['_generated_ppo_trainer.yaml', 'ppo_trainer.yaml']) {
      const file = join(verl, 'verl', 'trainer', 'config', name);
      writeFileSync(file, readFileSync(file, 'utf8').replace('adv_estimator: gae', 'adv_estimator: grpo'));
    }
    const result = runCli(['stage', '--verl', verl, run, join(root, 'warm-grpo')], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^verl-critic-patch: preflight: error   \[1\] algorithm\.adv_estimator: this run has no critic/m);
  });

  it('--allow-unpatched: the guard is not reported again', () => {
    const verl = writeShapedVerl(join(root, 'unpatched'), '0.9.0', { patched: false });
    const result = runCli(['stage', '--allow-unpatched', '--verl', verl, run, join(root, 'warm-unpatched')], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/preflight:/);
  });
});
