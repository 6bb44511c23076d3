/**
 * VeRL pip-installed in a project's virtual environment that the project's git ignores (the usual
 * `.venv/` layout, uv's own `.venv/.gitignore` too): found through --python or its site-packages
 * folder by its RECORD, whatever git ignores; diffs relative to site-packages, which `git apply`
 * takes from there; and every hint names the VeRL the way the command line did.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, git, runCli, tempDir } from '../helpers/cli.js';
import { ignoredVenvProject } from '../helpers/layouts.js';

const diffedFiles = (diff: string) => [...diff.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]);
const VERL_TARGETS = ['verl/trainer/ppo/ray_trainer.py', 'verl/trainer/config/_generated_ppo_trainer.yaml', 'verl/trainer/config/ppo_trainer.yaml'];

describe('VeRL installed in a virtual environment that git ignores', () => {
  it('the layout is what the issue describes: git lists nothing of the environment', () => {
    const { repo } = ignoredVenvProject();
    const listed = git(repo, 'ls-files', '--cached', '--others', '--exclude-standard').stdout.split('\n').filter(Boolean);
    expect(listed.sort()).toEqual(['.gitignore', 'configs/run.yaml', 'train.py']);
  });

  it('--python: diff relative to site-packages, which git apply takes from there, as apply writes it', () => {
    const { repo, sitePackages } = ignoredVenvProject();
    const diff = runCli(['diff', '--python', '.venv/bin/python'], { cwd: repo });
    expect(diff.code, diff.stderr).toBe(0);
    expect(diffedFiles(diff.stdout)).toEqual(VERL_TARGETS);
    expect(diff.stdout).not.toContain('.venv/');
    expect(diff.stderr).toContain(`apply with: cd ${sitePackages} && git apply`);

    const original = filesUnder(sitePackages);
    const patchFile = join(tempDir('vcp-patch-'), 'load-critic-only.patch');
    writeFileSync(patchFile, diff.stdout);
    // Inside the project's work tree: git apply takes the paths relative to the folder it runs in.
    const applied = spawnSync('git', ['apply', patchFile], { cwd: sitePackages, encoding: 'utf8' });
    expect(applied.status, applied.stderr).toBe(0);
    const byGit = filesUnder(sitePackages);
    expect(runCli(['revert', '--python', '.venv/bin/python'], { cwd: repo }).code).toBe(0);
    expect(filesUnder(sitePackages)).toEqual(original);

    const apply = runCli(['apply', '--python', '.venv/bin/python'], { cwd: repo });
    expect(apply.code, apply.stderr).toBe(0);
    expect(filesUnder(sitePackages)).toEqual(byGit);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });

  it('check --applied --python: exit 1 before apply, naming the apply command as typed; exit 0 after; revert gives back every byte', () => {
    const { repo, sitePackages } = ignoredVenvProject();
    const original = filesUnder(sitePackages);
    const before = runCli(['check', '--applied', '--python', '.venv/bin/python'], { cwd: repo });
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('not patched yet; to patch it, run: verl-critic-patch apply --python .venv/bin/python\n');

    const apply = runCli(['apply', '--python', '.venv/bin/python'], { cwd: repo });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout.trim().split('\n')).toHaveLength(3);
    expect(apply.stderr).toContain("run 'verl-critic-patch check --applied --python .venv/bin/python' in your launch script");
    expect(apply.stderr).toContain("  verl-critic-patch stage --python .venv/bin/python <earlier run's checkpoint folder> <staged folder>\n");

    const after = runCli(['check', '--applied', '--python', '.venv/bin/python'], { cwd: repo });
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/already patched \(trainer\.load_critic_only is already declared at line \d+\)/);

    expect(runCli(['revert', '--python', '.venv/bin/python'], { cwd: repo }).code).toBe(0);
    expect(filesUnder(sitePackages)).toEqual(original);
  });

  it('an interpreter in the home folder is named with ~, as the user typed it before the shell expanded it', () => {
    const { repo, python } = ignoredVenvProject();
    const home = dirname(repo);
    const apply = runCli(['apply', '--python', python], { cwd: repo, env: { HOME: home } });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain(`run 'verl-critic-patch check --applied --python ~/${relative(home, python)}' in your launch script`);
  });

  it('the site-packages folder or its verl/ folder: VeRL\'s files only, relative to site-packages', () => {
    const { repo, sitePackages } = ignoredVenvProject();
    const helpers = filesUnder(join(sitePackages, 'rl_helpers'));
    for (const target of [relative(repo, sitePackages), join(relative(repo, sitePackages), 'verl')]) {
      const diff = runCli(['diff', target], { cwd: repo });
      expect(diff.code, `${target}: ${diff.stderr}`).toBe(0);
      expect(diffedFiles(diff.stdout)).toEqual(VERL_TARGETS);
      expect(diff.stderr).toContain(`apply with: cd ${sitePackages} && git apply`);
    }
    const one = runCli(['diff', join(relative(repo, sitePackages), 'verl/trainer/ppo/ray_trainer.py')], { cwd: repo });
    expect(diffedFiles(one.stdout)).toEqual(['verl/trainer/ppo/ray_trainer.py']);

    const folder = relative(repo, sitePackages);
    const original = filesUnder(sitePackages);
    expect(runCli(['apply', join(folder, 'verl')], { cwd: repo }).code).toBe(0);
    const check = runCli(['check', '--applied', folder], { cwd: repo });
    expect(check.code, check.stderr).toBe(0);
    expect(filesUnder(join(sitePackages, 'rl_helpers'))).toEqual(helpers);
    expect(runCli(['revert', folder], { cwd: repo }).code).toBe(0);
    expect(filesUnder(sitePackages)).toEqual(original);
  });

  it('without a RECORD, the verl/ package is walked whole, still whatever git ignores', () => {
    const { repo, sitePackages } = ignoredVenvProject();
    rmSync(join(sitePackages, 'verl-0.9.0.dist-info'), { recursive: true });
    const diff = runCli(['diff', '--python', '.venv/bin/python'], { cwd: repo });
    expect(diff.code, diff.stderr).toBe(0);
    expect(diffedFiles(diff.stdout)).toEqual(VERL_TARGETS);
  });

  it('a scan of the project still leaves its virtual environment out', () => {
    const { repo } = ignoredVenvProject();
    const check = runCli(['check', '--json', '.'], { cwd: repo });
    expect(check.code).toBe(2);
    expect(JSON.parse(check.stdout).targets).toEqual([]);
  });

  it('a scan of the project names the environment for --python, as a path from where the user is, and that --python works', () => {
    const { repo } = ignoredVenvProject();
    const noCopy = 'holds no VeRL copy (no verl/trainer/ppo/ray_trainer.py or trainer/main_ppo.py) and no trainer that calls self.actor_rollout_wg.load_checkpoint(...)';
    const hint = (python: string) => `its VeRL is installed in a virtual environment, which a folder scan passes over: run with --python ${python}`;
    expect(runCli(['check', '.'], { cwd: repo })).toEqual({ code: 2, stdout: '', stderr: `verl-critic-patch: .: ${noCopy}; ${hint('.venv/bin/python')}\n` });
    const fromAbove = runCli(['check', basename(repo)], { cwd: dirname(repo) });
    expect(fromAbove.stderr).toBe(`verl-critic-patch: ${basename(repo)}: ${noCopy}; ${hint(`${basename(repo)}/.venv/bin/python`)}\n`);
    const suggested = runCli(['check', '--python', '.venv/bin/python'], { cwd: repo });
    expect(suggested.code, suggested.stderr).toBe(0);
    // A project with a trainer of its own that inherits VeRL's method: the same advice, in the refusal.
    writeFileSync(join(repo, 'light_trainer.py'), 'from verl.trainer.ppo.ray_trainer import RayPPOTrainer\n\n\nclass LightTrainer(RayPPOTrainer):\n    def fit(self):\n        self.actor_rollout_wg.load_checkpoint\n        return super().fit()\n');
    const inherits = runCli(['check', '.'], { cwd: repo });
    expect(inherits.code).toBe(1);
    expect(inherits.stderr).toMatch(/^verl-critic-patch: \.: no trainer under this folder loads an actor checkpoint: .*\(VeRL itself is not in this folder's files: its VeRL is installed in a virtual environment, which a folder scan passes over: run with --python \.venv\/bin\/python\)\n$/);
    rmSync(join(repo, 'light_trainer.py'));
    // An environment without VeRL is no answer: the usual advice.
    rmSync(join(repo, '.venv', 'lib', 'python3.11', 'site-packages', 'verl'), { recursive: true });
    expect(runCli(['check', '.'], { cwd: repo }).stderr).toBe(`verl-critic-patch: .: ${noCopy}; name the folder of your VeRL checkout or project\n`);
  });
});
