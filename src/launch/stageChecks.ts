/**
 * `stage --verl/--python` runs preflight's checks 1 to 4 on what it staged: the launch it prints
 * (its overrides on the release's own config: ppo_trainer, or ppo_megatron_trainer for a Megatron
 * critic; the world size from --world-size when given) composed and checked like any launch.
 * Checks 5 to 9 need the new run's models and folders, which stage does not know.
 */
import { ToolError } from '../errors.js';
import type { StageResult } from '../checkpoint/stage.js';
import { runChecks } from './checks/index.js';
import type { Finding } from './facts.js';
import { gather } from './gather.js';

/** One layer of POSIX shell quoting, as the shell would remove it from a word stage printed. */
export function unquoteShellWord(word: string): string {
  if (word.length >= 2 && word.startsWith('"') && word.endsWith('"')) return word.slice(1, -1);
  if (word.length >= 2 && word.startsWith("'") && word.endsWith("'")) return word.slice(1, -1).replace(/'\\''/g, "'");
  return word;
}

export type StagedLaunchChecks = { findings: Finding[] } | { skipped: string };

export async function checkStagedLaunch(result: StageResult, verl: string, worldSize: number | undefined): Promise<StagedLaunchChecks> {
  const megatron = result.backend === 'megatron';
  const words = [
    ...(megatron ? ['--config-name', 'ppo_megatron_trainer'] : []),
    ...result.launch.overrides.map(unquoteShellWord),
    ...(worldSize !== undefined ? ['trainer.nnodes=1', `trainer.n_gpus_per_node=${worldSize}`] : []),
  ];
  let gathered;
  try {
    gathered = await gather(words, { verl });
  } catch (error) {
    if (error instanceof ToolError) return { skipped: error.reason };
    throw error;
  }
  if (!gathered.facts) return { findings: [gathered.refusal!] };
  // The config's default strategy (fsdp) and, without --world-size, its GPU count say nothing about
  // the new run, whose launch sets them: those are left unchecked (null).
  const unknown = { 'critic.strategy': null, ...(worldSize === undefined ? { 'trainer.nnodes': null, 'trainer.n_gpus_per_node': null } : {}) };
  const facts = { ...gathered.facts, values: { ...gathered.facts.values, ...unknown } };
  return { findings: runChecks(facts).findings.filter((f) => f.check >= 1 && f.check <= 4 && f.level !== 'note') };
}
