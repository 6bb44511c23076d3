/**
 * A directory target: a synthetic VeRL checkout in a temp git repo, built from the bundled
 * example and our fixtures, laid out where VeRL keeps its trainers.
 */
import { lstatSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, filesUnder, git, gitRepo, readBytes, runCli } from '../helpers/cli.js';
import { omegaConfCheckFile } from '../helpers/omegaconf.js';
import { GIT, lacks, OMEGACONF, skipFileWithout } from '../helpers/systemPackages.js';

skipFileWithout(GIT);

const EXAMPLE = join(REPO_ROOT, 'fixtures', 'examples', 'verl-0.9');
const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'fixtures', 'python', name));

function syntheticCheckout(prefix = ''): string {
  const files: Record<string, Buffer | string> = {};
  for (const [path, content] of Object.entries(filesUnder(EXAMPLE))) files[prefix + path] = content;
  files['recipe/spin/spin_trainer.py'] = fixture('v2025_04_three_line.py');
  files[`${prefix}verl/trainer/main_ppo_sync.py`] = fixture('v0_9_keyword_only.py');
  files['recipe/custom/subclass_trainer.py'] = 'from verl.trainer.ppo.ray_trainer import RayPPOTrainer\n\n\nclass MyTrainer(RayPPOTrainer):\n    def _load_checkpoint(self):\n        super()._load_checkpoint()\n        self.extra = 1\n';
  files[`${prefix}verl/utils/filler.py`] = 'def load_checkpoint(path):\n    return path\n';
  files[`${prefix}verl/trainer/config/ppo_megatron_trainer.yaml`] = readFileSync(join(REPO_ROOT, 'fixtures', 'config', 'ppo_megatron_trainer.yaml'));
  files[`${prefix}verl/trainer/config/evaluation.yaml`] = readFileSync(join(REPO_ROOT, 'fixtures', 'config', 'no_trainer_section.yaml'));
  return gitRepo(files);
}

const diffedFiles = (diff: string) => [...diff.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]);

describe('a VeRL checkout as target', () => {
  it('diff covers every trainer with an actor load, main trainer first, and names the release', () => {
    const repo = syntheticCheckout();
    const diff = runCli(['diff', '.'], { cwd: repo });
    expect(diff.code, diff.stderr).toBe(0);
    expect(diffedFiles(diff.stdout)).toEqual([
      'verl/trainer/ppo/ray_trainer.py',
      'verl/trainer/main_ppo_sync.py',
      'recipe/spin/spin_trainer.py',
      'verl/trainer/config/_generated_ppo_trainer.yaml',
      'verl/trainer/config/ppo_megatron_trainer.yaml',
      'verl/trainer/config/ppo_trainer.yaml',
    ]);
    expect(diff.stderr).toMatch(/^VeRL 0\.9\.0 checkout at \.: 6 targets$/m);
  });

  it('diff applies with git apply at the root; apply equals it; revert restores every byte', () => {
    const repo = syntheticCheckout();
    const diff = runCli(['diff', '.'], { cwd: repo }).stdout;
    const patchFile = `${repo}.patch`;
    writeFileSync(patchFile, diff);
    expect(git(repo, 'apply', patchFile).stderr).toBe('');
    const byGit = filesUnder(repo);
    git(repo, 'checkout', '--', '.');

    const apply = runCli(['apply', '.'], { cwd: repo });
    expect(apply.code, apply.stderr).toBe(0);
    const byTool = filesUnder(repo);
    for (const [path, content] of Object.entries(byGit)) if (!path.startsWith('.git/')) expect(byTool[path]?.equals(content), path).toBe(true);

    expect(runCli(['check', '--applied', '.'], { cwd: repo }).code).toBe(0);
    const revert = runCli(['revert', '.'], { cwd: repo });
    expect(revert.code, revert.stderr).toBe(0);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });

  it('--only limits the run to one trainer', () => {
    const repo = syntheticCheckout();
    const diff = runCli(['diff', '--only', 'recipe/spin/spin_trainer.py', '.'], { cwd: repo });
    expect(diffedFiles(diff.stdout)).toEqual(['recipe/spin/spin_trainer.py']);
    const none = runCli(['diff', '--only', 'nope.py', '.'], { cwd: repo });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no trainer matching --only nope\.py/);
  });

  it('finds the package under a src/ prefix, and reports JSON with the version per target', () => {
    const repo = syntheticCheckout('src/');
    const report = JSON.parse(runCli(['check', '--json', '.'], { cwd: repo }).stdout);
    expect(report.checkouts).toEqual([{ path: '.', package: 'src/verl', verlVersion: '0.9.0', installed: false }]);
    expect(report.targets.map((t: { path: string }) => t.path)).toEqual([
      'src/verl/trainer/ppo/ray_trainer.py',
      'src/verl/trainer/main_ppo_sync.py',
      'recipe/spin/spin_trainer.py',
      'src/verl/trainer/config/_generated_ppo_trainer.yaml',
      'src/verl/trainer/config/ppo_megatron_trainer.yaml',
      'src/verl/trainer/config/ppo_trainer.yaml',
    ]);
    expect(report.targets.every((t: { verlVersion: string }) => t.verlVersion === '0.9.0')).toBe(true);
    expect(report.targets[0].actorLoads[0]).toMatchObject({ method: 'RayPPOTrainer._load_checkpoint', guarded: false });
  });

  it('a symlinked trainer is a target, and apply writes the file it points to, keeping the link', () => {
    const repo = syntheticCheckout();
    renameSync(join(repo, 'verl/trainer/ppo/ray_trainer.py'), join(repo, 'real_trainer.py'));
    symlinkSync('../../../real_trainer.py', join(repo, 'verl/trainer/ppo/ray_trainer.py'));
    const apply = runCli(['apply', '--only', 'verl/trainer/ppo/ray_trainer.py', '.'], { cwd: repo });
    expect(apply.code, apply.stderr).toBe(0);
    expect(lstatSync(join(repo, 'verl/trainer/ppo/ray_trainer.py')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(repo, 'real_trainer.py'), 'utf8')).toContain('if not self.config.trainer.get("load_critic_only", False):');
  });

  it('a run with one refused trainer writes no file at all', () => {
    const repo = syntheticCheckout();
    writeFileSync(join(repo, 'verl/trainer/ppo/ray_trainer.py'), readFileSync(join(REPO_ROOT, 'fixtures/refuse/easyr1_renamed.py')));
    git(repo, 'commit', '-qam', 'easyr1 trainer');
    const before = readBytes(join(repo, 'recipe/spin/spin_trainer.py'));
    const apply = runCli(['apply', '.'], { cwd: repo });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/EasyR1-style trainer/);
    expect(apply.stderr).toMatch(/nothing was written/);
    expect(readBytes(join(repo, 'recipe/spin/spin_trainer.py')).equals(before)).toBe(true);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });
});

describe('the config half of a checkout run', () => {
  it('after apply the next command uses the plain override; a file-only run suggests ++', () => {
    const repo = syntheticCheckout();
    const apply = runCli(['apply', '.'], { cwd: repo });
    expect(apply.stderr).toMatch(/trainer\.resume_from_path=<staged folder>\/global_step_0 trainer\.load_critic_only=true$/m);
    expect(apply.stderr).toMatch(/\+\+trainer\.load_critic_only=true/);
    const json = JSON.parse(runCli(['apply', '--json', '.'], { cwd: repo }).stdout);
    expect(json.nextOverride).toBe('trainer.load_critic_only=true');

    const single = gitRepo({ 'ray_trainer.py': fixture('v2025_04_three_line.py') });
    const only = runCli(['apply', 'ray_trainer.py'], { cwd: single });
    expect(only.stderr).toMatch(/trainer\.resume_from_path=<staged folder>\/global_step_0 \+\+trainer\.load_critic_only=true$/m);
  });

  it.skipIf(lacks(OMEGACONF))('after apply, Hydra takes the plain override on every trainer YAML of the checkout (OmegaConf, struct mode)', () => {
    const repo = syntheticCheckout();
    expect(runCli(['apply', '.'], { cwd: repo }).code).toBe(0);
    for (const yaml of ['ppo_trainer.yaml', '_generated_ppo_trainer.yaml', 'ppo_megatron_trainer.yaml']) {
      expect(omegaConfCheckFile(join(repo, 'verl/trainer/config', yaml)), yaml).toMatchObject({ mergeOk: true, defaultValue: false, mergedValue: true });
    }
  });

  it('a main trainer YAML that does not parse fails the run with exit 2 and writes nothing', () => {
    const repo = syntheticCheckout();
    writeFileSync(join(repo, 'verl/trainer/config/ppo_trainer.yaml'), readFileSync(join(REPO_ROOT, 'fixtures/config/broken.yaml')));
    git(repo, 'commit', '-qam', 'broken yaml');
    const apply = runCli(['apply', '.'], { cwd: repo });
    expect(apply.code).toBe(2);
    expect(apply.stderr).toMatch(/ppo_trainer\.yaml.*YAML does not parse/);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });

  it('other YAMLs are parsed only when their text can hold the key: a broken one that can is reported, one that cannot is passed over', () => {
    const repo = syntheticCheckout();
    const broken = readFileSync(join(REPO_ROOT, 'fixtures/config/broken.yaml'), 'utf8');
    expect(broken).toMatch(/resume_mode/);
    writeFileSync(join(repo, 'verl/trainer/config/sft_trainer.yaml'), broken);
    const reported = runCli(['check', '.'], { cwd: repo });
    expect(reported.code).toBe(2);
    expect(reported.stderr).toMatch(/sft_trainer\.yaml.*YAML does not parse/);

    // The same broken text with neither word, as the scan passes over a broken .py without an actor load.
    writeFileSync(join(repo, 'verl/trainer/config/sft_trainer.yaml'), broken.replace(/resume_mode/g, 'resume_kind').replace(/trainer/g, 'runner'));
    const passedOver = runCli(['check', '.'], { cwd: repo });
    expect(passedOver.code, passedOver.stderr).toBe(0);
    expect(passedOver.stdout + passedOver.stderr).not.toMatch(/sft_trainer/);
  });

  it('a main trainer YAML without a trainer section is refused with exit 1', () => {
    const repo = syntheticCheckout();
    writeFileSync(join(repo, 'verl/trainer/config/ppo_trainer.yaml'), readFileSync(join(REPO_ROOT, 'fixtures/config/no_trainer_section.yaml')));
    git(repo, 'commit', '-qam', 'no trainer');
    const check = runCli(['check', '.'], { cwd: repo });
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/ppo_trainer\.yaml: cannot declare trainer\.load_critic_only/);
  });
});
