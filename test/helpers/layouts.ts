/**
 * The places VeRL lives on users' machines, built from our fixtures in temp folders: a release
 * tarball, a pip install in site-packages beside other packages, a fork's `src/verl/`, a project
 * that vendors VeRL under `third_party/verl/` with its own trainer and Hydra configs, and a project
 * holding several copies of several ages. Every file is our own writing in VeRL's shapes.
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, filesUnder, gitRepo, tempDir, writeFile } from './cli.js';

const EXAMPLE = join(REPO_ROOT, 'fixtures', 'examples', 'verl-0.9');
const fixture = (path: string) => readFileSync(join(REPO_ROOT, 'fixtures', path));

/** An SFT config of VeRL's shape: a trainer section with resume_mode, and nothing of PPO. */
export const SFT_CONFIG = [
  '# SFT trainer config (our own writing, in the shape of VeRL\'s sft_trainer.yaml)',
  'data:',
  '  train_batch_size: 256',
  'model:',
  '  partial_pretrain: ~/models/base',
  'trainer:',
  '  project_name: sft',
  '  resume_mode: auto',
  '  resume_from_path: null',
  '',
].join('\n');

type Files = Record<string, string | Buffer>;

/** A VeRL release's files (the bundled example plus a recipe trainer and an SFT config), under `prefix`. */
export function verlFiles(prefix = '', version = '0.9.0'): Files {
  const files: Files = {};
  for (const [path, content] of Object.entries(filesUnder(EXAMPLE))) {
    if (path === 'README.md') continue;
    files[`${prefix}${path}`] = content;
  }
  files[`${prefix}verl/version/version`] = `${version}\n`;
  files[`${prefix}recipe/spin/spin_trainer.py`] = fixture('python/v2025_04_three_line.py');
  files[`${prefix}verl/trainer/config/sft_trainer.yaml`] = SFT_CONFIG;
  files[`${prefix}verl/trainer/main_ppo.py`] = 'def main():\n    pass\n';
  files[`${prefix}verl/__init__.py`] = '';
  return files;
}

/** A PPO config of VeRL v0.1's shape: a trainer section, but no resume keys yet. */
export const OLD_PPO_CONFIG = [
  "# PPO trainer config (our own writing, in the shape of VeRL v0.1's ppo_trainer.yaml)",
  'actor_rollout_ref:',
  '  hybrid_engine: True',
  'critic:',
  '  strategy: fsdp',
  'trainer:',
  '  total_epochs: 30',
  '  project_name: examples',
  '  save_freq: -1',
  '  default_local_dir: checkpoints/${trainer.project_name}/${trainer.experiment_name}',
  '',
].join('\n');

/** A copy too old for checkpoint resume (VeRL v0.1): its trainer has no _load_checkpoint, its config no resume_mode. */
export function oldVerlFiles(prefix: string): Files {
  return {
    [`${prefix}verl/trainer/ppo/ray_trainer.py`]: fixture('refuse/v0_1_no_load_checkpoint.py'),
    [`${prefix}verl/trainer/main_ppo.py`]: 'def main():\n    pass\n',
    [`${prefix}verl/trainer/config/ppo_trainer.yaml`]: OLD_PPO_CONFIG,
    [`${prefix}verl/version/version`]: '0.1\n',
  };
}

/**
 * A project's own package laid out like VeRL's (`myrl/trainer/ppo/ray_trainer.py`, `main_ppo.py`,
 * a Hydra config), whose trainer is a subclass: `inherits` keeps VeRL's `_load_checkpoint`, else
 * it overrides it only to call the parent's and restore state of its own.
 */
/** `base`: the parent class, imported from VeRL's main trainer unless it is the v1 `PPOTrainerSync`. */
export function lookalikePackageFiles(how: 'inherits' | 'calls-super', base = 'RayPPOTrainer'): Files {
  const method =
    how === 'inherits'
      ? ['    def fit(self):', '        return super().fit()']
      : ['    def _load_checkpoint(self):', '        steps = super()._load_checkpoint()', '        self.extra_state = {}', '        return steps'];
  return {
    'myrl/__init__.py': '',
    'myrl/trainer/ppo/ray_trainer.py': [
      base === 'RayPPOTrainer' ? 'from verl.trainer.ppo.ray_trainer import RayPPOTrainer' : `from verl.trainer.ppo.v1.trainer_sync import ${base}`,
      '',
      '',
      `class MyTrainer(${base}):`,
      '    """Extra metrics; the parent runs self.actor_rollout_wg.load_checkpoint(...)."""',
      '',
      ...method,
      '',
    ].join('\n'),
    'myrl/trainer/main_ppo.py': 'from myrl.trainer.ppo.ray_trainer import MyTrainer\n',
    'myrl/trainer/config/ppo_trainer.yaml': 'defaults:\n  - ppo_trainer\n  - _self_\n\ntrainer:\n  project_name: myrl\n',
  };
}

export function writeTree(root: string, files: Files): string {
  for (const [path, content] of Object.entries(files)) writeFile(join(root, path), content);
  return root;
}

/** `<dir>/verl-0.9.0/`: an unpacked release, no git anywhere above it. */
export function tarballLayout(): { dir: string; release: string } {
  const dir = tempDir('vcp-tarball-');
  return { dir, release: writeTree(join(dir, 'verl-0.9.0'), verlFiles()) };
}

/** What pip leaves in `sitePackages` for VeRL 0.9.0: the package and its dist-info, whose RECORD lists every file. */
function pipInstallVerl(sitePackages: string): void {
  const verl = Object.fromEntries(Object.entries(verlFiles()).filter(([path]) => path.startsWith('verl/')));
  writeTree(sitePackages, verl);
  const record = [...Object.keys(verl), 'verl-0.9.0.dist-info/METADATA', 'verl-0.9.0.dist-info/RECORD'].map((path) => `${path},sha256=x,1`);
  writeTree(sitePackages, {
    'verl-0.9.0.dist-info/METADATA': 'Name: verl\nVersion: 0.9.0\n',
    'verl-0.9.0.dist-info/RECORD': `${record.join('\n')}\n`,
  });
}

/**
 * A virtual environment's site-packages holding VeRL (pip's dist-info RECORD lists its files) and
 * two other packages with trainer-like files: one with a real actor load, one with a PPO config.
 */
export function sitePackagesLayout(): { venv: string; sitePackages: string; others: string[] } {
  const venv = tempDir('vcp-venv-');
  writeFile(join(venv, 'pyvenv.cfg'), 'home = /usr/bin\n');
  const sitePackages = join(venv, 'lib', 'python3.11', 'site-packages');
  pipInstallVerl(sitePackages);
  writeTree(sitePackages, {
    'rl_helpers/ray_trainer.py': fixture('python/v0_9_keyword_only.py'),
    'rl_helpers/__init__.py': '',
    'other_rl/config/ppo_trainer.yaml': fixture('config/ppo_trainer.yaml'),
  });
  return { venv, sitePackages, others: [join(sitePackages, 'rl_helpers'), join(sitePackages, 'other_rl')] };
}

/**
 * A git project with VeRL pip-installed in its virtual environment `.venv/`, which git ignores
 * twice, as uv sets it up: `.venv/` in the project's .gitignore, and `*` in `.venv/.gitignore`.
 * `.venv/bin/python` is the environment's interpreter: here a script that runs python3 with the
 * environment's site-packages on its path (all --python asks of it is where `verl` is found).
 */
export function ignoredVenvProject(): { repo: string; sitePackages: string; python: string } {
  const repo = gitRepo({ '.gitignore': '.venv/\n', 'train.py': 'import verl\n', 'configs/run.yaml': 'trainer:\n  project_name: mine\n' });
  const venv = join(repo, '.venv');
  writeTree(venv, { 'pyvenv.cfg': 'home = /usr/bin\n', '.gitignore': '*\n' });
  const sitePackages = join(venv, 'lib', 'python3.11', 'site-packages');
  pipInstallVerl(sitePackages);
  writeTree(sitePackages, { 'rl_helpers/ray_trainer.py': fixture('python/v0_9_keyword_only.py'), 'rl_helpers/__init__.py': '' });
  const python = join(venv, 'bin', 'python');
  writeFile(python, `#!/bin/sh\nPYTHONPATH='${sitePackages}' exec python3 "$@"\n`);
  chmodSync(python, 0o755);
  return { repo, sitePackages, python };
}

/** A project built on VeRL: `third_party/verl/` (a clone), its own trainer and Hydra config folder. */
export function downstreamProjectFiles(): Files {
  return {
    ...verlFiles('third_party/verl/'),
    'README.md': '# my project\n',
    'myproj/__init__.py': '',
    // Its own trainer: a subclass that rewrites _load_checkpoint.
    'myproj/trainer.py': fixture('python/other_class_name.py'),
    // A subclass that inherits it: nothing of its own to patch.
    'myproj/light_trainer.py': 'from verl.trainer.ppo.ray_trainer import RayPPOTrainer\n\n\nclass LightTrainer(RayPPOTrainer):\n    """Uses self.actor_rollout_wg.load_checkpoint through the parent."""\n\n    def fit(self):\n        return super().fit()\n',
    // Its own Hydra config folder: a full copy of the PPO config, and one that pulls VeRL's in.
    'myproj/config/ppo_trainer.yaml': fixture('config/ppo_trainer.yaml'),
    'myproj/config/my_run.yaml': [
      '# The project launcher composes this one (hydra.searchpath points at VeRL\'s config folder).',
      'defaults:',
      '  - ppo_trainer',
      '  - _self_',
      '',
      'trainer:',
      '  project_name: my_project',
      '  experiment_name: run1',
      '',
    ].join('\n'),
    'myproj/config/sft.yaml': SFT_CONFIG,
    // Test doubles and a virtual environment are not the project.
    'tests/fake_trainer.py': fixture('python/v2025_04_three_line.py'),
    '.venv/lib/python3.11/site-packages/verl_copy/trainer/ppo/ray_trainer.py': fixture('python/v0_9_keyword_only.py'),
    '.venv/pyvenv.cfg': 'home = /usr/bin\n',
  };
}

/**
 * A project holding three copies: VeRL at its top, a fork's package renamed `evals/verl_amd/`,
 * and an old clone `evals/verl/` too old to patch.
 */
export function severalCopiesFiles(): Files {
  const renamed = Object.entries(verlFiles('', '0.6.1'))
    .filter(([path]) => path.startsWith('verl/'))
    .map(([path, content]) => [`evals/verl_amd/${path.slice('verl/'.length)}`, content]);
  return { ...verlFiles(''), ...Object.fromEntries(renamed), ...oldVerlFiles('evals/verl/') };
}
