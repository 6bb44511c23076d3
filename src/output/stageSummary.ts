/**
 * What `stage` prints when it is done: what was staged where, and the exact overrides for the
 * next launch, with the two things that most often go wrong next (the Hydra key, the world size).
 */
import type { StageResult } from '../checkpoint/stage.js';
import { warmStartOverrides } from '../hydra.js';
import { formatBytes } from './bytes.js';

export function formatStageResult(result: StageResult): string {
  // The staged folder does not say whether the user's VeRL config declares the key: give both.
  const overrides = warmStartOverrides(result.resumeFrom, true);
  const overridesPlusPlus = warmStartOverrides(result.resumeFrom, false);
  const how =
    result.method === 'link'
      ? 'hard-linked'
      : result.method === 'copy'
        ? 'copied'
        : `${result.linked} hard-linked, ${result.copied} copied`;
  const step = result.source.step === null ? '' : `step ${result.source.step}, `;
  const lines = [
    `Staged the critic of ${result.source.stepPath} (${step}${backendText(result)})`,
    `into ${result.criticDest}: ${result.files} files, ${formatBytes(result.bytes)}, ${how}; the source is unchanged.`,
    ...result.notes.map((n) => `Note: ${n}.`),
    '',
    'Next, add these overrides to your usual launch command (python3 -m verl.trainer.main_ppo ...):',
    '',
    `  ${overrides.join(' ')}`,
    '',
    '- The trainer must carry the load_critic_only guard first: verl-critic-patch apply <your VeRL checkout>.',
    "- If your VeRL config has no load_critic_only key (Hydra then rejects the override), write",
    `  ${overridesPlusPlus[overridesPlusPlus.length - 1]} instead of ${overrides[overrides.length - 1]}.`,
    worldSizeAdvice(result),
  ];
  if (result.method !== 'copy') {
    lines.push('- Hard links share their bytes with the source: VeRL only reads them, but do not edit them in place.');
  }
  return `${lines.join('\n')}\n`;
}

function backendText(result: StageResult): string {
  if (result.backend === 'megatron') return 'Megatron dist_ckpt';
  return `FSDP, world size ${result.worldSize}`;
}

function worldSizeAdvice(result: StageResult): string {
  if (result.worldSize === null) {
    return '- Use the same parallel layout (GPUs, TP/PP) as the run that saved this Megatron critic.';
  }
  return (
    `- The new run must have the same world size as the saved critic: ${result.worldSize} GPUs ` +
    '(trainer.nnodes x trainer.n_gpus_per_node); FSDP shards do not reshard.'
  );
}
