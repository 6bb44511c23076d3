/** `preflight` through the built CLI: exit codes, the text report, --json, usage errors. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { writeModel, writeShapedVerl, writeStagedCritic } from '../helpers/launchShapes.js';
import { omegaConfPython, omegaConfVersion } from '../launch/omegaconfGate.js';

const root = tempDir('vcp-preflight-cli-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const verl = writeShapedVerl(join(root, 'verl09'), '0.9.0');
const warm = writeStagedCritic(join(root, 'warm'), 'fsdp-v0.4.1', 8);
writeModel(join(root, 'models', 'm'));
const overrides = ['trainer.resume_mode=resume_path', `trainer.resume_from_path=${warm}`, 'trainer.load_critic_only=true', 'critic.model.path=models/m', 'actor_rollout_ref.model.path=models/m'];
const launch = (...extra: string[]) => ['--', omegaConfPython ?? 'python3', '-m', 'verl.trainer.main_ppo', ...overrides, ...extra];
const preflight = (args: string[]) => runCli(['preflight', ...args], { cwd: root });

describe.skipIf(omegaConfPython === null)('preflight (CLI)', () => {
  it('exit 0 with one line per finding and the verdict naming the folder and the critic files', () => {
    const result = preflight(['--verl', verl, ...launch()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe(`ok: the run will skip the actor and load the critic from ${warm} (24 critic files: model, optimizer, extra); 0 errors, 1 warning`);
    // The first line says who composed the config: here a Python with OmegaConf and no Hydra.
    expect(lines[0]).toBe(`config composed by OmegaConf emulation (OmegaConf ${omegaConfVersion}, ${omegaConfPython}: no hydra-core for the launch's Python)`);
    expect(lines.slice(1, -1).map((l) => l.split(':')[0])).toEqual(['warning [8] critic.checkpoint.load_contents', 'note    [9] trainer.resume_mode']);
  });

  it('-q: nothing on a launch that passes, only the errors and warnings on one that fails', () => {
    const clean = preflight(['-q', '--verl', verl, ...launch('critic.checkpoint.load_contents=[model]')]);
    expect({ code: clean.code, stdout: clean.stdout, stderr: clean.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
    const wrong = preflight(['--quiet', '--verl', verl, ...launch('trainer.n_gpus_per_node=2')]);
    expect(wrong.code).toBe(1);
    const lines = wrong.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => /^(error|warning)\s+\[\d\]/.test(l)), wrong.stdout).toBe(true);
    expect(lines.some((l) => l.startsWith('error'))).toBe(true);
  });

  it("a trainer guarded by hand in a config without the key: Hydra's refusal says to write ++ (the guard is there), not that the trainer loads the actor", () => {
    // 0.5: one trainer, guarded; its config never got the key (the edit made by hand, not by apply).
    const byHand = writeShapedVerl(join(root, 'by-hand'), '0.5.0', { patched: false, v0Patched: true });
    const refused = preflight(['--verl', byHand, ...launch()]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      "error   [0] trainer.load_critic_only: its config has no trainer.load_critic_only, so Hydra refuses the override and the launch stops; the trainer already guards its actor load: write ++trainer.load_critic_only=true instead",
    );
    expect(refused.stdout).not.toContain('loads the actor whatever the flag says');
    // As advised: the ++ spelling composes, and check 1 finds the guard.
    const advised = preflight(['--verl', byHand, '--', ...launch().slice(1).map((w) => (w === 'trainer.load_critic_only=true' ? '++trainer.load_critic_only=true' : w))]);
    expect(advised.stdout).not.toMatch(/^error\s+\[[01]\]/m);
    // Not guarded at all: the words stay that this VeRL is not patched.
    const unpatched = writeShapedVerl(join(root, 'unpatched'), '0.5.0', { patched: false });
    expect(preflight(['--verl', unpatched, ...launch()]).stdout).toContain('this VeRL is not patched: its config has no trainer.load_critic_only');
  });

  it('exit 1 under --strict for a warning, and for an error', () => {
    expect(preflight(['--strict', '--verl', verl, ...launch()]).code).toBe(1);
    const wrong = preflight(['--verl', verl, ...launch('trainer.n_gpus_per_node=2')]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^error   \[4\] trainer\.n_gpus_per_node: the critic was saved by 8 ranks/m);
    // What VeRL really does (each rank torch.loads its shard by the new world size), not a message no release prints.
    expect(wrong.stdout).toContain(`FileNotFoundError: ${warm}/critic/model_world_size_2_rank_0.pt`);
    expect(wrong.stdout).not.toMatch(/Number of processes/);
    // A failing launch prints its errors and the verdict, no notes.
    expect(wrong.stdout).not.toMatch(/^note/m);
  });

  it('--json of a launch that would fail: the envelope error is the finding that decided it', () => {
    const wrong = preflight(['--json', '--verl', verl, ...launch('trainer.n_gpus_per_node=2')]);
    expect(wrong.code).toBe(1);
    const doc = JSON.parse(wrong.stdout);
    expect(doc.exitCode).toBe(1);
    expect(doc.error).toMatchObject({ kind: 'refused', path: null });
    expect(doc.error.message).toMatch(/^trainer\.n_gpus_per_node: the critic was saved by 8 ranks/);
    const strict = JSON.parse(preflight(['--json', '--strict', '--verl', verl, ...launch()]).stdout);
    expect(strict.error.message).toMatch(/^critic\.checkpoint\.load_contents: /);
  });

  it('--json: one document with the verdict, the findings and the composed values; the bundled bin agrees', () => {
    const result = preflight(['--json', '--verl', verl, ...launch('critic.checkpoint.load_contents=[model]')]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.verdict).toMatchObject({ ok: true, folder: warm, criticFiles: 8, loads: ['model'] });
    // Check 8 is silent when the load overrides none of the new run's settings: nothing to act on.
    expect(doc.findings.map((f: { check: number }) => f.check)).toEqual([9]);
    expect(doc.values).toMatchObject({ 'trainer.use_v1': true, 'critic.checkpoint.load_contents': ['model'], 'trainer.n_gpus_per_node': 8 });
    expect(doc.trainers).toEqual([{ file: 'verl/trainer/ppo/v1/trainer_base.py', guarded: true }]);
    const bundled = runCli(['preflight', '--json', '--verl', verl, ...launch('critic.checkpoint.load_contents=[model]')], { cwd: root, entry: join(REPO_ROOT, 'dist', 'bin', 'verl-critic-patch.cjs') });
    expect(JSON.parse(bundled.stdout).verdict).toEqual(doc.verdict);
  });

  it('overrides alone with --verl', () => {
    const result = preflight(['--verl', verl, '--', ...overrides]);
    expect(result.code).toBe(0);
  });

  it('exit 2, one line, for usage and unreadable input', () => {
    const unversioned = writeShapedVerl(join(root, 'unversioned'), '0.9.0');
    rmSync(join(unversioned, 'verl', 'version', 'version'));
    const cases: [string[], RegExp][] = [
      [['--', ...overrides], /overrides alone: say which VeRL/],
      [['--verl', join(root, 'nowhere'), ...launch()], /nowhere: --verl: no such folder/],
      [['--verl', root, ...launch()], /--verl: no VeRL here/],
      // An empty value is no folder (not the working folder), and a file is not one: stage's words.
      [['--verl=', ...launch()], /^verl-critic-patch: --verl: no such folder/],
      [['--verl', join(verl, 'verl', 'version', 'version'), ...launch()], /version: --verl: not a folder \(pass the VeRL checkout/],
      // A VeRL with no version file: the one line stage --verl gives (it was an internal error).
      [['--verl', unversioned, ...launch()], /: no verl\/version\/version in this checkout: cannot tell which release it is$/m],
      [['--verl', verl, '--', 'python3', '-c', 'x'], /launch command: .*-c/],
      [['--verl', verl, '--python', ...launch()], /give --verl or --python/],
    ];
    for (const [args, message] of cases) {
      const result = preflight(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(args.includes('--python') ? 2 : 1);
    }
  });

  it('exit 2 naming the defaults entry when a config picks config groups (composing it needs Hydra)', () => {
    const dir = join(root, 'conf');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'mine.yaml'), 'defaults:\n  - critic@critic: dp_critic\n  - _self_\n');
    const result = preflight(['--verl', verl, '--', 'python3', '-m', 'verl.trainer.main_ppo', '--config-path', dir, '--config-name', 'mine']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/critic@critic.*needs Hydra/);
  });
});
