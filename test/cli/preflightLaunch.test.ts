/**
 * `preflight` through the built CLI on the launches VeRL's docs and examples write: behind
 * `uv run` (its project's .venv composes), `ray job submit ... --`, `env`, `nohup`, `python3 -u`;
 * an unknown program in front is exit 2 in one line. And the composer every report names: Hydra
 * where the launch's Python has hydra-core (hydraGate.ts), else the OmegaConf emulation, with the
 * same verdict and the same key named on release-shaped checkouts (a `???` rollout name of 0.7,
 * an undeclared flag).
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeModel, writeShapedVerl, writeStagedCritic, type Shape } from '../helpers/launchShapes.js';
import { HYDRA_PYTHON, lacksHydra } from '../launch/hydraGate.js';
import { omegaConfPython } from '../launch/omegaconfGate.js';

const root = tempDir('vcp-preflight-launch-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const warm = writeStagedCritic(join(root, 'warm'), 'fsdp-v0.4.1', 8);
writeModel(join(root, 'models', 'm'));
const verls = new Map<string, string>();
const verlOf = (shape: Shape, patched = true) => {
  const name = `verl-${shape}-${patched ? 'patched' : 'released'}`;
  if (!verls.has(name)) verls.set(name, writeShapedVerl(join(root, name), shape, { patched }));
  return verls.get(name)!;
};
const warmStart = ['trainer.resume_mode=resume_path', `trainer.resume_from_path=${warm}`, 'trainer.load_critic_only=true', 'critic.model.path=models/m', 'actor_rollout_ref.model.path=models/m', 'critic.checkpoint.load_contents=[model]'];
const preflight = (verl: string, words: string[], json = false) => runCli(['preflight', ...(json ? ['--json'] : []), '--verl', verl, '--', ...words], { cwd: root });
const mainPpo = (python: string, ...extra: string[]) => [python, '-m', 'verl.trainer.main_ppo', ...warmStart, ...extra];

describe.skipIf(omegaConfPython === null)('preflight behind the launchers VeRL launches with', () => {
  it("uv run [uv options] python3 -m ...: exit 0, composed by the project's .venv python", () => {
    // uv's project environment: a python3 there that runs the one with OmegaConf.
    const venvPython = join(root, '.venv', 'bin', 'python3');
    mkdirSync(join(root, '.venv', 'bin'), { recursive: true });
    writeFileSync(venvPython, `#!/bin/sh\nexec ${omegaConfPython} "$@"\n`);
    chmodSync(venvPython, 0o755);
    const result = preflight(verlOf('0.9.0'), ['uv', 'run', '--frozen', '--all-packages', '--extra', 'vllm', '--extra', 'fsdp', 'python3', '-m', 'verl.trainer.main_ppo', ...warmStart, 'actor_rollout_ref.rollout.name=vllm'], true);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).composition).toMatchObject({ python: venvPython, composer: { name: 'emulation' } });
  });

  it('ray job submit [options] -- ..., env K=V nohup python3 -u ...: exit 0', () => {
    const ray = preflight(verlOf('0.9.0'), ['ray', 'job', 'submit', '--address=http://127.0.0.1:8265', '--runtime-env', 'verl/trainer/runtime_env.yaml', '--no-wait', '--', ...mainPpo(omegaConfPython!)]);
    expect(ray.code, ray.stderr).toBe(0);
    const env = preflight(verlOf('0.9.0'), ['env', 'HYDRA_FULL_ERROR=1', 'nohup', omegaConfPython!, '-u', '-X', 'dev', '-m', 'verl.trainer.main_ppo', ...warmStart]);
    expect(env.code, env.stderr).toBe(0);
  });

  it('an unknown program in front: exit 2, one line saying to pass the python command itself', () => {
    const result = preflight(verlOf('0.9.0'), ['torchrun', '--nproc_per_node=8', '-m', 'verl.trainer.main_ppo', ...warmStart]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^verl-critic-patch: launch command: torchrun: not a launcher this tool reads .*pass the python command itself.*\n$/);
  });
});

/** The same launches, composed by Hydra (the launch's Python has it) and by the emulation. */
describe.skipIf(omegaConfPython === null || lacksHydra())('preflight with and without hydra-core in the launch\'s Python', () => {
  const both = () => [
    { python: HYDRA_PYTHON, says: /^config composed by Hydra 1\.3\.2 \(.*hydra-venv\/bin\/python\)$/ },
    { python: omegaConfPython!, says: /^config composed by OmegaConf emulation \(OmegaConf [\d.]+, .*: no hydra-core for the launch's Python\)$/ },
  ];

  it("VeRL 0.7's `???` rollout name set by the launch (every example from 0.7 on): exit 0 either way", () => {
    for (const { python, says } of both()) {
      const result = preflight(verlOf('0.7.1'), mainPpo(python, 'actor_rollout_ref.rollout.name=vllm'));
      expect(result.code, `${python}: ${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout.split('\n')[0]).toMatch(says);
    }
  });

  it('a flag the released config does not declare: exit 1 naming trainer.load_critic_only either way', () => {
    for (const { python } of both()) {
      const plain = preflight(verlOf('0.9.0', false), mainPpo(python));
      expect(plain.code, python).toBe(1);
      expect(plain.stdout, python).toMatch(/^error   \[0\] trainer\.load_critic_only: /m);
      const json = JSON.parse(preflight(verlOf('0.9.0', false), mainPpo(python), true).stdout);
      expect(json.composition.composer.name).toBe(python === HYDRA_PYTHON ? 'hydra' : 'emulation');
      expect(json.findings.map((f: { key: string }) => f.key)).toEqual(['trainer.load_critic_only']);
    }
  });

  it('the composed values a check reads are the same, whoever composed them', () => {
    const [hydra, emulation] = both().map(({ python }) => JSON.parse(preflight(verlOf('0.9.0'), mainPpo(python, 'trainer.n_gpus_per_node=4', 'trainer.nnodes=2'), true).stdout));
    expect(hydra.composition.composer).toMatchObject({ name: 'hydra', version: '1.3.2', python: HYDRA_PYTHON });
    expect(hydra.values).toEqual(emulation.values);
    expect(hydra.findings.map((f: { check: number; key: string }) => [f.check, f.key])).toEqual(emulation.findings.map((f: { check: number; key: string }) => [f.check, f.key]));
  });
});
