/**
 * What to run after `apply`: the launch overrides for a critic warm start, with the flag spelled
 * the way Hydra accepts it for this checkout. A plain `trainer.load_critic_only=true` only passes
 * struct mode once the trainer YAML declares the key; `++` works whether it does or not.
 */
import type { RunResult } from '../run.js';

export interface NextCommand {
  keyDeclared: boolean;
  override: string;
  lines: string[];
}

export function nextCommand(result: RunResult): NextCommand {
  const configs = result.files.filter((f) => f.kind === 'config');
  const keyDeclared = configs.length > 0 && configs.every((f) => f.status === 'change' || f.status === 'already-patched');
  const override = keyDeclared ? 'trainer.load_critic_only=true' : '++trainer.load_critic_only=true';
  const lines = [
    'next: start a new run with a fresh actor and the critic of an earlier run:',
    `  verl-critic-patch stage <earlier run's checkpoint folder> <staged folder>`,
    `  python3 -m verl.trainer.main_ppo ... trainer.resume_mode=resume_path trainer.resume_from_path=<staged folder>/global_step_0 ${override}`,
    keyDeclared
      ? '  (launch scripts that must also run on unpatched checkouts: write ++trainer.load_critic_only=true)'
      : '  (++ because no trainer YAML declares the key here; patch the checkout directory to add it)',
  ];
  return { keyDeclared, override, lines };
}
