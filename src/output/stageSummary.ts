/**
 * What `stage` prints when it is done: what was staged where and in which layout, the exact
 * overrides for the next launch and which release they are for, what the new run's log shows when
 * the warm start works, and how to resume that run later without undoing it.
 */
import type { Parallel } from '../checkpoint/megatron.js';
import { kindWords, type CarryPlan } from '../checkpoint/carry.js';
import type { CheckpointBackend } from '../checkpoint/families.js';
import { SHARD_KINDS, type ShardKind } from '../checkpoint/layout.js';
import type { StageResult } from '../checkpoint/stage.js';
import { shellWord } from '../hydra.js';
import { formatBytes } from './bytes.js';

/** `python`: the interpreter --python named (or the launcher's), which runs the new run too. */
export function formatStageResult(result: StageResult, { python }: { python?: string } = {}): string {
  const { launch } = result;
  const how =
    result.method === 'link'
      ? 'hard-linked'
      : result.method === 'copy'
        ? 'copied'
        : `${result.linked} hard-linked, ${result.copied} copied`;
  const written = result.written.length > 0 ? ` (${result.written.join(', ')} written anew)` : '';
  const step = result.source.step === null ? '' : `step ${result.source.step}, `;
  const forWhom =
    launch.basis.kind === 'checkout'
      ? `for VeRL ${launch.basis.release} (${launch.basis.root}), whose critic loader is that of ${launch.loader.releases}`
      : `for ${launch.loader.releases}, the releases that save this layout (no --verl given)`;
  const head = result.alreadyStaged
    ? [
        `Already staged: ${result.criticDest} holds exactly the critic of ${result.source.stepPath} (${step}${backendText(result)})`,
        `as this stage makes it: ${result.files} files, ${formatBytes(result.bytes)}, ${how}${written}; nothing was changed.`,
      ]
    : [
        `Staged the critic of ${result.source.stepPath} (${step}${backendText(result)})`,
        `into ${result.criticDest}: ${result.files} files, ${formatBytes(result.bytes)}, ${how}${written}; the source is unchanged.`,
      ];
  const lines = [
    ...head,
    `Layout: ${result.layout.label}, as ${result.layout.savedBy} save it. Overrides ${forWhom}.`,
    ...carryLines(launch.carry, launch.loader.backend),
    ...result.notes.map((n) => `Note: ${n}.`),
    '',
    `Launch the new run: your usual command (${usualCommand(result, python)}), a new trainer.experiment_name, and:`,
    '',
    `  ${launch.overrides.map(shellWord).join(' ')}`,
    '',
  ];
  const patch = launch.route === 'patch';
  if (launch.basis.kind !== 'checkout') {
    lines.push(
      patch
        ? '- The trainer must carry the load_critic_only guard first: verl-critic-patch apply <your VeRL checkout>.'
        : "- The override route needs VeRL 0.4.1 or later with an FSDP or FSDP2 actor (Megatron's loader asserts actor/ exists): pass --verl to have it checked.",
    );
  }
  if (!patch) {
    // No load_critic_only: neither the key's declaration nor the ++ spelling matters.
  } else if (launch.keyDeclared === null) {
    const plain = shellWord(launch.overrides.find((o) => o.includes('load_critic_only'))!);
    const plusPlus = shellWord(launch.overridesPlusPlus.find((o) => o.includes('load_critic_only'))!);
    lines.push("- If your VeRL config has no load_critic_only key (Hydra then rejects the override), write", `  ${plusPlus} instead of ${plain}.`);
  } else if (!launch.keyDeclared) {
    lines.push('- ++ because the trainer config does not declare load_critic_only; after verl-critic-patch apply, the plain key works too.');
  }
  lines.push(worldSizeAdvice(result));
  if (result.method !== 'copy') {
    lines.push('- Hard links share their bytes with the source: VeRL only reads them, but do not edit them in place.');
  }
  lines.push(
    '',
    patch
      ? "In the new run's log, look for (the first line is the patched trainer's, the others VeRL's):"
      : "In the new run's log, look for (VeRL's lines; the actor's load logs nothing, since it opens nothing):",
    ...launch.lookFor.map((line) => `  ${line}`),
  );
  if (launch.mustNotShow.length > 0) {
    lines.push("and no FileNotFoundError with (the actor override did not reach the actor, which VeRL then tries to open):", ...launch.mustNotShow.map((line) => `  ${line}`));
  }
  lines.push(
    '',
    `Resume the new run later (once it has saved a checkpoint of its own) with ${launch.resumeLater.set.join(' ')},`,
    `without ${launch.resumeLater.drop.join(', ')}:`,
    patch
      ? 'with load_critic_only still set it would restore its own critic and step but start a fresh actor, silently.'
      : "with the actor's load_contents=[] still set it would restore its own critic and step but never its own actor: a fresh actor, silently.",
  );
  return `${lines.join('\n')}\n`;
}

/** What carries over, what starts fresh, and the new run's settings the old state overrides. */
export function carryLines(carry: CarryPlan, backend: CheckpointBackend): string[] {
  const asked = carry.asked === 'default' ? `default: ${carry.carry}` : `--carry ${carry.asked}`;
  const fresh = SHARD_KINDS.filter((kind) => !carry.loadKinds.includes(kind));
  const lines = [`Carries over (${asked}): ${carry.carries.map((c) => c.what).join('; ')}.`];
  const freshWords = (kind: ShardKind) => (kind === 'extra' ? `extra state (${backend === 'fsdp' ? 'LR schedule and RNG' : 'RNG'})` : kindWords(kind));
  if (fresh.length > 0) lines.push(`Not loaded, so fresh in the new run: the ${fresh.map(freshWords).join(' and ')}.`);
  if (carry.inherits.length === 0) lines.push("The new run inherits none of the old run's settings.");
  else lines.push('The new run inherits:', ...carry.inherits.map((i) => `  - ${i.line}.`));
  return lines;
}

/** main_ppo as the new run starts it: with the Python that imports its VeRL, and Megatron's config for a Megatron critic. */
function usualCommand(result: StageResult, python = 'python3'): string {
  const configName = result.backend === 'megatron' ? ' --config-name ppo_megatron_trainer' : '';
  return `${shellWord(python)} -m verl.trainer.main_ppo${configName} ...`;
}

function backendText(result: StageResult): string {
  if (result.backend === 'megatron') {
    const layout = parallelText(result.parallel, result.worldSize);
    return layout ? `Megatron, ${layout}` : 'Megatron';
  }
  return `FSDP, world size ${result.worldSize}`;
}

/** `tp 2, pp 1, world size 8`, with what the files record. */
export function parallelText(parallel: Parallel | null, worldSize: number | null): string {
  const parts: string[] = [];
  if (parallel?.tp != null) parts.push(`tp ${parallel.tp}`);
  if (parallel?.pp != null) parts.push(`pp ${parallel.pp}`);
  if (parallel?.cp != null && parallel.cp > 1) parts.push(`cp ${parallel.cp}`);
  if (parallel?.ep != null && parallel.ep > 1) parts.push(`ep ${parallel.ep}`);
  if (worldSize !== null) parts.push(`world size ${worldSize}`);
  return parts.join(', ');
}

function worldSizeAdvice(result: StageResult): string {
  if (result.backend === 'megatron') {
    const layout = parallelText(result.parallel, result.worldSize);
    const set = result.launch.overrides.some((o) => o.startsWith('critic.megatron.'));
    return `- Use the same parallel layout as the run that saved this Megatron critic${layout ? ` (${layout})` : ''}${set ? '; the overrides above set it: put them after any of your own' : ''}.`;
  }
  const strategy = result.layout.id === 'fsdp2' ? 'fsdp2' : 'fsdp';
  return (
    `- The new run must have the same world size as the saved critic: ${result.worldSize} GPUs ` +
    `(trainer.nnodes x trainer.n_gpus_per_node), and critic.strategy=${strategy} as saved; FSDP shards do not reshard.`
  );
}
