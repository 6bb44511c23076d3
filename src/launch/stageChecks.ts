/**
 * `stage --verl/--python` runs preflight's checks 1 to 4 on what it staged: the launch it prints
 * (its overrides on the release's own config: ppo_trainer, or ppo_megatron_trainer for a Megatron
 * critic; the world size from --world-size when given) composed and checked like any launch.
 * Checks 5 to 9 need the new run's models and folders, which stage does not know.
 *
 * Stage knows only its own overrides, not the rest of the user's launch: a finding about a setting
 * the printed launch does not set (the config's default adv_estimator, say) is the user's to
 * choose, and is told as a note. Only what the release cannot do with what was staged fails:
 * Hydra refusing a printed override, the trainer's guard, the layout and files (check 3), or a
 * finding on a key the printed launch sets.
 */
import { ToolError } from '../errors.js';
import type { StageResult } from '../checkpoint/stage.js';
import { runChecks } from './checks/index.js';
import type { Finding } from './facts.js';
import { overrideKey } from './command.js';
import { gather } from './gather.js';

export type StagedLaunchChecks = { findings: Finding[] } | { skipped: string };

/**
 * `allowUnpatched`: the user staged for a trainer they will patch later (stage --allow-unpatched),
 * so check 1's finding on an unguarded trainer file is theirs already, not repeated here.
 */
export async function checkStagedLaunch(result: StageResult, verl: string, worldSize: number | undefined, allowUnpatched = false): Promise<StagedLaunchChecks> {
  const megatron = result.backend === 'megatron';
  const words = [
    ...(megatron ? ['--config-name', 'ppo_megatron_trainer'] : []),
    // argv elements, as the shell hands them to Python (checkpoint/warmStartLaunch.ts).
    ...result.launch.overrides,
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
  const printed = new Set(words.filter((w) => w.includes('=')).map(overrideKey));
  const unguardedTrainer = (f: Finding) => f.check === 1 && f.key.endsWith('.py');
  const findings = runChecks(facts).findings.filter((f) => f.check >= 1 && f.check <= 4 && f.level !== 'note' && !(allowUnpatched && unguardedTrainer(f)));
  return { findings: findings.map((f) => asStaged(f, printed)) };
}

/** An error stays one when the release cannot load what was staged; else it is the user's setting to choose. */
function asStaged(f: Finding, printed: ReadonlySet<string>): Finding {
  if (f.level !== 'error') return f;
  const releaseCannot = f.check === 3 || (f.check === 1 && f.key.endsWith('.py')) || printed.has(f.key);
  if (releaseCannot) return f;
  return { ...f, level: 'note', message: `the config's default, unless your launch sets it: ${f.message}` };
}
