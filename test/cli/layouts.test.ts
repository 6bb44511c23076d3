/**
 * VeRL wherever it lives (test/helpers/layouts.ts builds each place): the targets a run finds, the
 * folder it says to apply the diff from, the diff applying there with `git apply` and `patch -p1`
 * exactly as `apply` writes it, the composed Hydra config accepting the plain override in struct
 * mode, and nothing outside VeRL and the project touched.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, git, gitRepo, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { downstreamProjectFiles, lookalikePackageFiles, oldVerlFiles, severalCopiesFiles, sitePackagesLayout, tarballLayout, verlFiles, writeTree } from '../helpers/layouts.js';
import { omegaConfCheckFile } from '../helpers/omegaconf.js';
import { GIT, lacks, OMEGACONF, PYTHON3, skipFileWithout } from '../helpers/systemPackages.js';

skipFileWithout(GIT, PYTHON3);

const diffedFiles = (diff: string) => [...diff.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]);
const applyRootOf = (stderr: string) => /^apply with: cd (.+?) && git apply /m.exec(stderr)?.[1]?.replace(/^"|"$/g, '');

/**
 * The diff of `target` (run from `cwd`) applied, from the folder it names, to two fresh copies of
 * `tree`, once with `git apply` and once with `patch -p1`; both must equal what `apply` writes to a
 * third copy. Returns the diff run and the folder relative to the tree's top.
 */
function expectDiffAppliesFromItsRoot(tree: string, target: (copy: string) => string, cwd: (copy: string) => string): { diff: CliResult; root: string } {
  const copies = ['by-git', 'by-patch', 'by-tool'].map((name) => {
    const copy = join(tempDir('vcp-layout-'), name);
    cpSync(tree, copy, { recursive: true });
    return copy;
  });
  const [byGit, byPatch, byTool] = copies as [string, string, string];
  const diff = runCli(['diff', target(byGit)], { cwd: cwd(byGit) });
  expect(diff.code, diff.stderr).toBe(0);
  const root = relative(byGit, applyRootOf(diff.stderr) ?? '<none>');
  const patchFile = join(tempDir('vcp-patch-'), 'load-critic-only.patch');
  writeFileSync(patchFile, diff.stdout);
  const gitApply = spawnSync('git', ['apply', patchFile], { cwd: join(byGit, root), encoding: 'utf8' });
  expect(gitApply.status, gitApply.stderr).toBe(0);
  const patch = spawnSync('patch', ['-p1', '--quiet', '-i', patchFile], { cwd: join(byPatch, root), encoding: 'utf8' });
  expect(patch.status, patch.stderr + patch.stdout).toBe(0);
  const apply = runCli(['apply', target(byTool)], { cwd: cwd(byTool) });
  expect(apply.code, apply.stderr).toBe(0);
  const [gitTree, patchTree, toolTree] = copies.map(filesUnder);
  for (const [path, content] of Object.entries(toolTree!)) {
    if (path.startsWith('.git/') || path.endsWith('.orig')) continue;
    expect(gitTree![path]?.equals(content), `git apply: ${path}`).toBe(true);
    expect(patchTree![path]?.equals(content), `patch -p1: ${path}`).toBe(true);
  }
  return { diff, root };
}

/** Files whose bytes differ between two snapshots. */
function changed(before: Record<string, Buffer>, after: Record<string, Buffer>): string[] {
  return Object.keys({ ...before, ...after }).filter((path) => !before[path] || !after[path] || !before[path].equals(after[path])).sort();
}

describe('an unpacked release tarball (no git)', () => {
  it('diffs relative to the release folder, from wherever it is run, and applies there', () => {
    const { dir, release } = tarballLayout();
    const fromOutside = expectDiffAppliesFromItsRoot(release, (copy) => copy, () => dir);
    expect(fromOutside.root).toBe('');
    expect(diffedFiles(fromOutside.diff.stdout)).toEqual([
      'verl/trainer/ppo/ray_trainer.py',
      'recipe/spin/spin_trainer.py',
      'verl/trainer/config/_generated_ppo_trainer.yaml',
      'verl/trainer/config/ppo_trainer.yaml',
    ]);
    // From inside the package folder, naming the release by `..`: the same headers.
    const fromInside = expectDiffAppliesFromItsRoot(release, () => '..', (copy) => join(copy, 'verl'));
    expect(fromInside.diff.stdout).toBe(fromOutside.diff.stdout);
  });

  it('warns when the copy it patched is not the one python3 imports', () => {
    const { release } = tarballLayout();
    const { sitePackages } = sitePackagesLayout();
    const apply = runCli(['apply', release], { env: { PYTHONPATH: sitePackages } });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain(`imports verl from ${join(sitePackages, 'verl')}, not from what was just patched; --python patches that one`);
    const same = runCli(['revert', release], { env: { PYTHONPATH: release } });
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).not.toContain('imports verl from');
  });

  it('leaves the SFT config alone: check --applied passes once the PPO configs have the key', () => {
    const { release } = tarballLayout();
    expect(runCli(['apply', release]).code).toBe(0);
    expect(readFileSync(join(release, 'verl/trainer/config/sft_trainer.yaml'), 'utf8')).not.toContain('load_critic_only');
    const check = runCli(['check', '--applied', '--json', release]);
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout).skipped).toEqual([expect.objectContaining({ path: join(release, 'verl/trainer/config/sft_trainer.yaml'), kind: 'config' })]);
  });

  it('revert lists what a PPO launch reads, as diff does: not the SFT config, unless an earlier version added the key there', () => {
    const { release } = tarballLayout();
    const sft = join(release, 'verl/trainer/config/sft_trainer.yaml');
    const diffed = [...runCli(['diff', release]).stdout.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => join(release, m[1]!));
    const listed = (stdout: string) => [...stdout.matchAll(/^(?:reverted|not patched) (\S+?):? /gm)].map((m) => m[1]);
    const unpatched = runCli(['revert', release]);
    expect(unpatched.code, unpatched.stderr).toBe(0);
    expect(listed(unpatched.stdout)).toEqual(diffed);
    expect(runCli(['apply', release]).code).toBe(0);
    const reverted = runCli(['revert', release]);
    expect(listed(reverted.stdout)).toEqual(diffed);
    expect(reverted.stdout).not.toContain('sft_trainer.yaml');
    // Named, it is reported as before; holding the key an earlier version added, it is reverted.
    expect(runCli(['revert', sft]).stdout).toBe(`not patched ${sft}: nothing to revert\n`);
    // The key as this tool writes it: apply it while the file configures PPO, then make it SFT again.
    const text = readFileSync(sft, 'utf8');
    const ppoPart = 'critic:\n  strategy: fsdp\n';
    writeFileSync(sft, `${text}${ppoPart}`);
    expect(runCli(['apply', sft]).code).toBe(0);
    writeFileSync(sft, readFileSync(sft, 'utf8').replace(ppoPart, ''));
    const earlier = runCli(['revert', release]);
    expect(earlier.code, earlier.stderr).toBe(0);
    expect(listed(earlier.stdout).sort()).toEqual([...diffed, sft].sort());
    expect(earlier.stdout).toContain(`reverted ${sft} (`);
    expect(readFileSync(sft, 'utf8')).toBe(text);
  });
});

describe('a pip install: site-packages', () => {
  it('scans VeRL\'s own files only, never another package\'s, and says a reinstall drops the patch', () => {
    const { sitePackages, others } = sitePackagesLayout();
    const before = Object.fromEntries(others.map((dir) => [dir, filesUnder(dir)]));
    const { diff, root } = expectDiffAppliesFromItsRoot(sitePackages, (copy) => copy, (copy) => copy);
    expect(root).toBe('');
    expect(diffedFiles(diff.stdout)).toEqual(['verl/trainer/ppo/ray_trainer.py', 'verl/trainer/config/_generated_ppo_trainer.yaml', 'verl/trainer/config/ppo_trainer.yaml']);
    expect(diff.stderr).toMatch(/^VeRL 0\.9\.0 installed at .*\/verl: 3 targets$/m);

    const apply = runCli(['apply', sitePackages]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toMatch(/is an installed package: reinstalling VeRL \(pip install -U verl\) replaces it without the patch/);
    // The guard to put in a launch script names the VeRL the way this command line did.
    expect(apply.stderr).toContain(`run 'verl-critic-patch check --applied ${sitePackages}' in your launch script`);
    for (const dir of others) expect(filesUnder(dir)).toEqual(before[dir]);
  });

  it('takes the package folder itself, and diffs relative to site-packages', () => {
    const { sitePackages } = sitePackagesLayout();
    const { diff, root } = expectDiffAppliesFromItsRoot(sitePackages, (copy) => join(copy, 'verl'), (copy) => copy);
    expect(root).toBe('');
    expect(diffedFiles(diff.stdout)).toEqual(['verl/trainer/ppo/ray_trainer.py', 'verl/trainer/config/_generated_ppo_trainer.yaml', 'verl/trainer/config/ppo_trainer.yaml']);
  });

  it('--python targets the verl that interpreter imports, without importing it', () => {
    const { sitePackages } = sitePackagesLayout();
    // VeRL's __init__ imports torch; finding the package must not run it.
    writeFileSync(join(sitePackages, 'verl', '__init__.py'), 'raise SystemExit("imported verl")\n');
    const env = { PYTHONPATH: sitePackages };
    const check = runCli(['check', '--python', 'python3'], { env });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).toContain(`): ${join(sitePackages, 'verl')}`);
    expect(check.stdout).toMatch(/would patch cleanly/);
    const json = runCli(['check', '--json', '--python'], { env });
    expect(JSON.parse(json.stdout).checkouts).toEqual([{ path: sitePackages, package: join(sitePackages, 'verl'), verlVersion: '0.9.0', installed: true }]);
  });

  it('--python with an interpreter that has no verl, or that does not exist: exit 2, one line, one JSON document', () => {
    const none = runCli(['check', '--json', '--python', 'python3'], { env: { PYTHONPATH: tempDir() } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^verl-critic-patch: python3: Python [\d.]+ \(.*\) cannot import verl/m);
    expect(JSON.parse(none.stdout)).toMatchObject({ command: 'check', exitCode: 2, error: { kind: 'bad-input', path: 'python3', message: expect.stringMatching(/^python3: Python .* cannot import verl/) } });
    expect(runCli(['check', '--python', '/no/such/python']).stderr).toBe('verl-critic-patch: /no/such/python: no such Python interpreter (--python)\n');
  });
});

describe('a project built on VeRL', () => {
  it('with src/verl/: the fork\'s package and the recipes beside src/ are its copy', () => {
    const files = Object.fromEntries(Object.entries(downstreamProjectFiles()).filter(([path]) => !path.startsWith('third_party/')));
    const project = writeTree(tempDir('vcp-src-'), { ...files, ...prefixPackage(downstreamProjectFiles(), 'third_party/verl/', 'src/') });
    const { diff } = expectDiffAppliesFromItsRoot(project, () => '.', (copy) => copy);
    expect(diffedFiles(diff.stdout)).toEqual([
      'src/verl/trainer/ppo/ray_trainer.py',
      'recipe/spin/spin_trainer.py',
      'myproj/trainer.py',
      'myproj/config/ppo_trainer.yaml',
      'src/verl/trainer/config/_generated_ppo_trainer.yaml',
      'src/verl/trainer/config/ppo_trainer.yaml',
    ]);
    expect(diff.stderr).toMatch(/^VeRL 0\.9\.0 checkout at \.: 4 targets$/m);
  });

  it('with third_party/verl/, its own trainer and Hydra configs: all found, in git, tests and venvs left out', () => {
    const repo = gitRepo(downstreamProjectFiles());
    const before = filesUnder(repo);
    const { diff, root } = expectDiffAppliesFromItsRoot(repo, () => '.', (copy) => copy);
    expect(root).toBe('');
    expect(diffedFiles(diff.stdout)).toEqual([
      'third_party/verl/verl/trainer/ppo/ray_trainer.py',
      'third_party/verl/recipe/spin/spin_trainer.py',
      'myproj/trainer.py',
      'myproj/config/ppo_trainer.yaml',
      'third_party/verl/verl/trainer/config/_generated_ppo_trainer.yaml',
      'third_party/verl/verl/trainer/config/ppo_trainer.yaml',
    ]);
    expect(diff.stderr).toMatch(/^VeRL 0\.9\.0 checkout at third_party\/verl: 4 targets$/m);
    expect(diff.stderr).toMatch(/^outside VeRL, in \.: 2 targets$/m);
    expect(diff.stderr).toMatch(/^left alone: myproj\/light_trainer\.py: no _load_checkpoint method: LightTrainer inherits `_load_checkpoint` from `RayPPOTrainer`: patch the file that defines it$/m);

    const apply = runCli(['apply', '.'], { cwd: repo });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toMatch(/trainer\.load_critic_only=true$/m);
    expect(changed(before, filesUnder(repo)).filter((path) => !path.startsWith('.git/'))).toEqual([
      'myproj/config/ppo_trainer.yaml',
      'myproj/trainer.py',
      'third_party/verl/recipe/spin/spin_trainer.py',
      'third_party/verl/verl/trainer/config/_generated_ppo_trainer.yaml',
      'third_party/verl/verl/trainer/config/ppo_trainer.yaml',
      'third_party/verl/verl/trainer/ppo/ray_trainer.py',
    ]);
    expect(runCli(['check', '--applied', '.'], { cwd: repo }).code).toBe(0);
    expect(runCli(['revert', '.'], { cwd: repo }).code).toBe(0);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });

  it.skipIf(lacks(OMEGACONF))('with third_party/verl/: after apply, what the project\'s launcher composes takes the plain override (OmegaConf, struct mode)', () => {
    const repo = gitRepo(downstreamProjectFiles());
    expect(runCli(['apply', '.'], { cwd: repo }).code).toBe(0);
    const searchpath = [join(repo, 'myproj/config'), join(repo, 'third_party/verl/verl/trainer/config')];
    for (const [config, path] of [['its own full copy', 'myproj/config/ppo_trainer.yaml'], ['the one that pulls VeRL\'s in', 'myproj/config/my_run.yaml']] as const) {
      expect(omegaConfCheckFile(join(repo, path), undefined, searchpath), config).toMatchObject({ mergeOk: true, defaultValue: false, mergedValue: true });
    }
  });

  it('plans a VeRL config the project links into its own config folder once, under its real path', () => {
    const repo = gitRepo(downstreamProjectFiles());
    symlinkSync('../third_party/verl/verl/trainer/config/ppo_trainer.yaml', join(repo, 'myproj/config/verl_ppo_trainer.yaml'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'link');
    const diff = runCli(['diff', '.'], { cwd: repo });
    const files = diffedFiles(diff.stdout);
    expect(files).not.toContain('myproj/config/verl_ppo_trainer.yaml');
    expect(files.filter((path) => path === 'third_party/verl/verl/trainer/config/ppo_trainer.yaml')).toHaveLength(1);
    expect(runCli(['apply', '.'], { cwd: repo }).code).toBe(0);
    expect(lstatSync(join(repo, 'myproj/config/verl_ppo_trainer.yaml')).isSymbolicLink()).toBe(true);
    expect(runCli(['revert', '.'], { cwd: repo }).code).toBe(0);
    expect(git(repo, 'status', '--porcelain').stdout).toBe('');
  });

  it('with VeRL installed rather than vendored: says why its trainers are left alone, and where VeRL is', () => {
    const project = writeTree(tempDir('vcp-installed-'), { 'myproj/light_trainer.py': downstreamProjectFiles()['myproj/light_trainer.py']! });
    const check = runCli(['check', '.'], { cwd: project });
    expect(check.code).toBe(1);
    expect(check.stderr).toBe(
      'verl-critic-patch: .: no trainer under this folder loads an actor checkpoint: myproj/light_trainer.py: no _load_checkpoint method: ' +
        'LightTrainer inherits `_load_checkpoint` from `RayPPOTrainer`: patch the file that defines it (VeRL itself is not in this folder: --python patches the verl your Python imports)\n',
    );
  });

  for (const how of ['inherits', 'calls-super'] as const) {
    it(`its own package laid out like VeRL's, whose trainer ${how === 'inherits' ? 'inherits _load_checkpoint' : 'only calls the parent\'s'}: the project's file, left alone with its reason`, () => {
      const repo = gitRepo({ ...verlFiles('third_party/verl/'), ...lookalikePackageFiles(how) });
      const apply = runCli(['apply', '.'], { cwd: repo });
      expect(apply.code, apply.stderr).toBe(0);
      expect(apply.stderr).toMatch(/^VeRL 0\.9\.0 checkout at third_party\/verl: 4 targets$/m);
      expect(apply.stderr).not.toMatch(/checkout at myrl|checkout at \.:/);
      const reason = how === 'inherits' ? 'no _load_checkpoint method: MyTrainer inherits `_load_checkpoint` from `RayPPOTrainer`' : 'MyTrainer._load_checkpoint only calls super()._load_checkpoint()';
      expect(apply.stderr).toContain(`left alone: myrl/trainer/ppo/ray_trainer.py: ${reason}`);
      expect(git(repo, 'status', '--porcelain', '--', 'myrl').stdout).toBe('');
      const check = JSON.parse(runCli(['check', '--json', '.'], { cwd: repo }).stdout);
      expect(check.checkouts.map((c: { path: string }) => c.path)).toEqual(['third_party/verl']);
    });
  }

  it('only its own package laid out like VeRL\'s, VeRL installed: exit 1, that trainer\'s reason, no VeRL copy claimed', () => {
    const project = writeTree(tempDir('vcp-lookalike-'), lookalikePackageFiles('inherits'));
    const check = runCli(['check', '.'], { cwd: project });
    expect(check.code).toBe(1);
    expect(check.stderr).toBe(
      'verl-critic-patch: .: no trainer under this folder loads an actor checkpoint: myrl/trainer/ppo/ray_trainer.py: no _load_checkpoint method: ' +
        'MyTrainer inherits `_load_checkpoint` from `RayPPOTrainer`: patch the file that defines it (VeRL itself is not in this folder: --python patches the verl your Python imports)\n',
    );
  });

  it('its own package laid out like VeRL\'s, whose trainer inherits from a base not named *Trainer: that base named, not "predates checkpoint resume"', () => {
    const project = writeTree(tempDir('vcp-lookalike-'), lookalikePackageFiles('inherits', 'PPOTrainerSync'));
    const check = runCli(['check', '.'], { cwd: project });
    expect(check.code).toBe(1);
    expect(check.stderr).toBe(
      'verl-critic-patch: .: no trainer under this folder loads an actor checkpoint: myrl/trainer/ppo/ray_trainer.py: no _load_checkpoint method: ' +
        'MyTrainer inherits `_load_checkpoint` from `PPOTrainerSync`: patch the file that defines it (VeRL itself is not in this folder: --python patches the verl your Python imports)\n',
    );
    const repo = gitRepo({ ...verlFiles('third_party/verl/'), ...lookalikePackageFiles('inherits', 'PPOTrainerSync') });
    const apply = runCli(['apply', '.'], { cwd: repo });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain('left alone: myrl/trainer/ppo/ray_trainer.py: no _load_checkpoint method: MyTrainer inherits `_load_checkpoint` from `PPOTrainerSync`');
  });

  it('respects .gitignore in a git work tree', () => {
    const repo = gitRepo({ ...downstreamProjectFiles(), '.gitignore': 'scratch/\n' });
    writeTree(repo, { 'scratch/old_trainer.py': readFileSync(join(repo, 'myproj/trainer.py')) });
    const check = runCli(['check', '--json', '.'], { cwd: repo });
    const paths = JSON.parse(check.stdout).targets.map((t: { path: string }) => t.path);
    expect(paths).toContain('myproj/trainer.py');
    expect(paths.some((path: string) => path.startsWith('scratch/'))).toBe(false);
  });
});

describe('a project holding several VeRL copies', () => {
  it('patches every copy it can, and leaves a copy too old for checkpoint resume alone, saying so', () => {
    const project = writeTree(tempDir('vcp-copies-'), severalCopiesFiles());
    const diff = runCli(['diff', '.'], { cwd: project });
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stderr).toMatch(/^VeRL 0\.9\.0 checkout at \.: 4 targets$/m);
    expect(diff.stderr).toMatch(/^VeRL 0\.6\.1 checkout at evals: 3 targets$/m);
    expect(diff.stderr).toMatch(/^VeRL 0\.1 checkout at evals\/verl: 0 targets$/m);
    expect(diff.stderr).toMatch(/^left alone: evals\/verl\/verl\/trainer\/ppo\/ray_trainer\.py: no _load_checkpoint method: this VeRL predates checkpoint resume/m);
    expect(diffedFiles(diff.stdout)).toContain('evals/verl_amd/trainer/ppo/ray_trainer.py');
  });

  it('leaves a copy too old for checkpoint resume alone whole, its YAML too, with one reason', () => {
    const project = writeTree(tempDir('vcp-copies-'), severalCopiesFiles());
    const before = filesUnder(project);
    const check = runCli(['check', '--json', '.'], { cwd: project });
    expect(check.code, check.stderr).toBe(0);
    const report = JSON.parse(check.stdout);
    const old = report.skipped.filter((s: { path: string }) => s.path.startsWith('evals/verl/'));
    expect(old.map((s: { path: string }) => s.path).sort()).toEqual(['evals/verl/verl/trainer/config/ppo_trainer.yaml', 'evals/verl/verl/trainer/ppo/ray_trainer.py']);
    expect(new Set(old.map((s: { reason: string }) => s.reason))).toEqual(new Set([expect.stringMatching(/this VeRL predates checkpoint resume/)]));
    const apply = runCli(['apply', '.'], { cwd: project });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr.split('\n').filter((line) => line.includes('evals/verl/'))).toEqual([expect.stringMatching(/^left alone: evals\/verl\/verl\/trainer\/ppo\/ray_trainer\.py: /)]);
    expect(changed(before, filesUnder(project)).filter((path) => path.startsWith('evals/verl/'))).toEqual([]);
  });

  it('a copy too old for checkpoint resume on its own: exit 1 for its trainer, one reason, not one a file', () => {
    const project = writeTree(tempDir('vcp-old-'), oldVerlFiles(''));
    const check = runCli(['check', '.'], { cwd: project });
    expect(check.code).toBe(1);
    expect(check.stderr.trim().split('\n').filter((line) => line.startsWith('verl-critic-patch:'))).toEqual([
      expect.stringMatching(/^verl-critic-patch: verl\/trainer\/ppo\/ray_trainer\.py: no _load_checkpoint method: this VeRL predates checkpoint resume/),
    ]);
  });

  it('refuses the whole run for a copy it cannot patch, naming the copy and how to leave it out', () => {
    const project = writeTree(tempDir('vcp-copies-'), {
      ...severalCopiesFiles(),
      'evals/easy/verl/trainer/ppo/ray_trainer.py': readFileSync(join(import.meta.dirname, '../../fixtures/refuse/easyr1_renamed.py')),
      'evals/easy/verl/trainer/main_ppo.py': '',
    });
    const before = filesUnder(project);
    const apply = runCli(['apply', '.'], { cwd: project });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/evals\/easy\/verl\/trainer\/ppo\/ray_trainer\.py:\d+: .*EasyR1-style trainer.* \(in the VeRL copy at evals\/easy; --exclude evals\/easy leaves it out\)/);
    expect(changed(before, filesUnder(project))).toEqual([]);
    const excluded = runCli(['apply', '--exclude', 'evals/easy', '.'], { cwd: project });
    expect(excluded.code, excluded.stderr).toBe(0);
    expect(readFileSync(join(project, 'evals/verl_amd/trainer/ppo/ray_trainer.py'), 'utf8')).toContain('load_critic_only');
  });
});

describe('--only, -o and --json', () => {
  const project = () => writeTree(tempDir('vcp-only-'), severalCopiesFiles());

  it('--only takes an exact path or a tail only one file has; an ambiguous tail is exit 2, listing the matches', () => {
    const dir = project();
    const exact = runCli(['diff', '--only', 'verl/trainer/ppo/ray_trainer.py', '.'], { cwd: dir });
    expect(diffedFiles(exact.stdout)).toEqual(['verl/trainer/ppo/ray_trainer.py']);
    const tail = runCli(['diff', '--only', 'verl_amd/trainer/ppo/ray_trainer.py', '.'], { cwd: dir });
    expect(diffedFiles(tail.stdout)).toEqual(['evals/verl_amd/trainer/ppo/ray_trainer.py']);
    const ambiguous = runCli(['diff', '--only', 'ray_trainer.py', '.'], { cwd: dir });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stdout).toBe('');
    expect(ambiguous.stderr).toMatch(/--only ray_trainer\.py matches 3 files \(evals\/verl\/verl\/trainer\/ppo\/ray_trainer\.py, evals\/verl_amd\/trainer\/ppo\/ray_trainer\.py, verl\/trainer\/ppo\/ray_trainer\.py\); give more of the path/);
  });

  it('--only a YAML diffs that YAML, and needs no trainer', () => {
    const only = runCli(['diff', '--only', 'verl/trainer/config/ppo_trainer.yaml', '.'], { cwd: project() });
    expect(only.code, only.stderr).toBe(0);
    expect(diffedFiles(only.stdout)).toEqual(['verl/trainer/config/ppo_trainer.yaml']);
  });

  it('-o FOLDER names a narrowed patch so that it cannot overwrite the whole one', () => {
    const dir = project();
    expect(runCli(['diff', '-o', 'out', '--only', 'trainer/ppo/ray_trainer.py', 'verl'], { cwd: tempFolder(dir, 'out') }).code).toBe(0);
    expect(runCli(['diff', '-o', 'out', 'verl'], { cwd: dir }).code).toBe(0);
    expect(Object.keys(filesUnder(join(dir, 'out'))).sort()).toEqual(['.keep', 'verl-0.9.0-load-critic-only.patch', 'verl-0.9.0-ray_trainer-load-critic-only.patch']);
  });

  it('--json prints one JSON document even when the run cannot start', () => {
    const empty = tempDir();
    for (const args of [['check', '--json', '/no/such/folder'], ['diff', '--json', '--only', 'ray_trainer.py', '.'], ['apply', '--json', empty]]) {
      const cwd = project();
      const result = runCli(args, { cwd });
      expect(result.code, args.join(' ')).toBe(2);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({ command: args[0], exitCode: 2, error: { kind: 'bad-input' } });
      // The error line the same run prints without --json, without the program's name.
      const text = runCli(args.filter((arg) => arg !== '--json'), { cwd });
      expect(text.stderr).toContain(`verl-critic-patch: ${report.error.message}\n`);
    }
  });
});

/** Makes `<dir>/<name>/` and returns `dir`. */
function tempFolder(dir: string, name: string): string {
  writeTree(dir, { [`${name}/.keep`]: '' });
  return dir;
}

/** Files under `from` moved under `to` (`third_party/verl/verl/...` -> `src/verl/...`), recipes to the top. */
function prefixPackage(files: Record<string, string | Buffer>, from: string, to: string): Record<string, string | Buffer> {
  return Object.fromEntries(
    Object.entries(files)
      .filter(([path]) => path.startsWith(from))
      .map(([path, content]) => {
        const rest = path.slice(from.length);
        return [rest.startsWith('verl/') ? `${to}${rest}` : rest, content];
      }),
  );
}
