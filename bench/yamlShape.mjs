/**
 * Hydra config YAMLs in the shapes and sizes of VeRL's `verl/trainer/config/` (bench/verlShape.mjs
 * says which files and how large): hand-written configs (a comment line above each field and a
 * blank line between fields, `defaults:` lists, `${...}` interpolations, capitalised `False`),
 * the generated snapshots (no comments, lowercase `false`/`null`, deep nesting), and the many small
 * per-component configs that hold no `trainer:` block. Our own text from a seed, no VeRL file.
 */
import { rng } from './generate.mjs';

const KEYS = [
  'micro_batch_size', 'use_dynamic_bsz', 'ppo_epochs', 'clip_ratio', 'loss_agg_mode', 'entropy_coeff', 'grad_clip', 'shuffle',
  'sequence_parallel_size', 'param_offload', 'optimizer_offload', 'lr', 'weight_decay', 'warmup_style', 'total_training_steps',
  'tensor_model_parallel_size', 'dtype', 'gpu_memory_utilization', 'enforce_eager', 'free_cache_engine', 'max_num_batched_tokens',
  'temperature', 'top_k', 'top_p', 'do_sample', 'log_prob_micro_batch_size', 'path', 'tokenizer_path', 'trust_remote_code',
  'enable_gradient_checkpointing', 'forward_prefetch', 'seed', 'strategy', 'max_token_len', 'calculate_log_probs', 'ignore_eos',
];
const SECTIONS = ['optim', 'fsdp_config', 'checkpoint', 'profiler', 'engine', 'policy_loss', 'model', 'sampling', 'kl_ctrl', 'multi_turn', 'agent', 'val_kwargs', 'megatron', 'override_config'];
const WORDS = ['fsdp', 'megatron', 'vllm', 'sglang', 'cuda', 'token-mean', 'constant', 'bf16', 'auto', 'gae', 'grpo', 'console'];

/**
 * Lines of a mapping at `indent`, about `budget` lines long, nested down to `depth`. `style` is
 * 'source' (a comment line above each field, a blank line between fields, `False`/`None`-free
 * values as VeRL's hand-written configs spell them) or 'generated' (no comments, lowercase).
 */
function mapping(random, indent, budget, depth, style) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const lines = [];
  const used = new Set();
  const key = (list) => {
    for (let i = 0; i < 8; i++) {
      const k = pick(list);
      if (!used.has(k)) {
        used.add(k);
        return k;
      }
    }
    const k = `${pick(list)}_${used.size}`;
    used.add(k);
    return k;
  };
  const scalar = () => {
    const roll = random();
    if (roll < 0.2) return style === 'source' ? pick(['True', 'False']) : pick(['true', 'false']);
    if (roll < 0.35) return String(Math.floor(random() * 4096));
    if (roll < 0.45) return pick(['1.0e-06', '0.2', '0.001', '1.0', '0.95']);
    if (roll < 0.55) return 'null';
    if (roll < 0.65) return `\${oc.select:actor_rollout_ref.${pick(KEYS)},${pick(['null', '1', 'false'])}}`;
    if (roll < 0.72) return `"${pick(WORDS)}"`;
    return pick(WORDS);
  };
  let fields = 0;
  while (lines.length < budget) {
    if (style === 'source' && fields > 0) lines.push('');
    if (style === 'source') lines.push(`${indent}# ${pick(['The', 'Whether to use the', 'How many', 'Which'])} ${pick(KEYS).replace(/_/g, ' ')} ${pick(['to use', 'per GPU', 'of the worker', 'for this role'])}`);
    fields++;
    const roll = random();
    if (depth > 0 && roll < 0.18) {
      lines.push(`${indent}${key(SECTIONS)}:`);
      if (style === 'source') lines.push('');
      lines.push(...mapping(random, `${indent}  `, Math.min(budget - lines.length, 6 + Math.floor(random() * 30)), depth - 1, style));
    } else if (roll < 0.24) {
      lines.push(`${indent}${key(KEYS)}:`);
      for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) lines.push(`${indent}- ${scalar()}`);
    } else if (roll < 0.27 && !used.has('_target_')) {
      used.add('_target_');
      lines.push(`${indent}_target_: bench_pkg.workers.config.${pick(['Actor', 'Critic', 'Rollout', 'Optim', 'Engine'])}Config`);
    } else {
      lines.push(`${indent}${key(KEYS)}: ${scalar()}`);
    }
  }
  return lines;
}

/**
 * The top-level `trainer:` block of a PPO config, with VeRL's key names in VeRL's order:
 * `resume_mode`, `resume_from_path`, `del_local_ckpt_after_load` among them.
 */
function trainerBlock(style) {
  const f = style === 'source' ? 'False' : 'false';
  const t = style === 'source' ? 'True' : 'true';
  const fields = [
    ['balance_batch', t, 'Whether to balance batch sizes across distributed workers'],
    ['total_epochs', '30', 'Number of epochs in training'],
    ['total_training_steps', 'null', 'Total training steps (can be set explicitly or derived from epochs)'],
    ['project_name', 'bench_examples', 'Project name for experiment tracking'],
    ['experiment_name', 'gsm8k', 'Experiment name for run identification in tracking tools'],
    ['logger', "['console', 'wandb']", 'Logging backends to use'],
    ['log_val_generations', '0', 'Number of generations to log during validation'],
    ['nnodes', '1', 'Number of nodes used in the training'],
    ['n_gpus_per_node', '8', 'Number of GPUs per node'],
    ['save_freq', '-1', 'Save frequency (by iteration) for model checkpoints'],
    ['resume_mode', 'auto', 'Resume mode: "auto", "disable", or "resume_path"'],
    ['resume_from_path', 'null', 'Path to resume training from (only used when resume_mode is "resume_path")'],
    ['val_before_train', t, 'Whether to run validation before training begins'],
    ['test_freq', '-1', 'Run validation every N iterations'],
    ['critic_warmup', '0', 'Number of iterations to warm up the critic before updating policy'],
    ['default_hdfs_dir', 'null', 'Default path to distributed filesystem for saving checkpoints'],
    ['del_local_ckpt_after_load', f, 'Whether to delete local checkpoints after loading'],
    ['default_local_dir', 'checkpoints/${trainer.project_name}/${trainer.experiment_name}', 'Default local directory for saving checkpoints'],
    ['max_actor_ckpt_to_keep', 'null', 'Maximum number of actor checkpoints to keep'],
    ['max_critic_ckpt_to_keep', 'null', 'Maximum number of critic checkpoints to keep'],
    ['ray_wait_register_center_timeout', '300', 'Timeout (in seconds) for Ray worker to wait for registration'],
    ['device', 'cuda', 'Device to run training on (e.g., "cuda", "cpu")'],
  ];
  const lines = [style === 'source' ? '# config for the trainer' : undefined, 'trainer:'].filter((l) => l !== undefined);
  fields.forEach(([key, value, comment]) => {
    if (style === 'source') lines.push('', `  # ${comment}`);
    lines.push(`  ${key}: ${value}`);
  });
  return lines;
}

/** The `defaults:` list of a hand-written PPO config: component configs, then `_self_`. */
function defaultsList(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const lines = ['# specify the default per-component configs', 'defaults:', ''];
  for (const [group, target, file] of [
    ['actor', 'actor_rollout_ref.actor', 'dp_actor'],
    ['data', 'data', 'legacy_data'],
    ['ref', 'actor_rollout_ref.ref', 'dp_ref'],
    ['rollout', 'actor_rollout_ref.rollout', 'rollout'],
    ['model', 'actor_rollout_ref.model', 'hf_model'],
    ['critic', 'critic', 'dp_critic'],
    ['reward_model', 'reward_model', 'dp_reward_model'],
  ]) {
    lines.push(`  # ${group} config, from ${group}/${file}.yaml (${pick(['overridden below', 'as it is', 'the default backend'])})`, `  - ${group}@${target}: ${file}`, '');
  }
  lines.push('  # load the component configs first, then the fields of this file override them', '  - _self_', '');
  return lines;
}

/**
 * A hand-written top-level config of about `lines` lines. `trainer`: 'resume' (a full trainer
 * block, with `resume_mode`: the planner's target), 'partial' (a `trainer:` that overrides a
 * few cluster settings, no `resume_mode`), or 'none'. `defaults`: whether it starts with a list.
 */
export function sourceConfig({ seed, lines, trainer = 'none', defaults = false }) {
  const random = rng(seed);
  const out = [`# Config ${seed} of the verl-critic-patch benchmark: a comment above each field, a blank line between fields.`, ''];
  if (defaults) out.push(...defaultsList(random));
  const trainerLines =
    trainer === 'resume' ? trainerBlock('source') : trainer === 'partial' ? ['# cluster overrides for this variant', 'trainer:', '', '  # Number of nodes', '  nnodes: 1', '', '  # GPUs per node', '  n_gpus_per_node: 8'] : [];
  // Small configs have one or two sections; each costs 4 lines besides its fields.
  const sections = ['actor_rollout_ref', 'algorithm', 'custom_reward_function', 'global_profiler', 'ray_kwargs'].slice(0, Math.min(5, Math.max(1, Math.floor(lines / 40))));
  const budget = Math.max(2, lines - out.length - trainerLines.length - 1 - sections.length * 4);
  // The trainer block sits in the first half, as in VeRL's ppo_trainer.yaml.
  const before = Math.floor(budget * 0.4);
  let written = 0;
  let placed = trainerLines.length === 0;
  for (const [i, name] of sections.entries()) {
    const share = Math.floor(budget / sections.length);
    if (!placed && written >= before) {
      out.push(...trainerLines, '');
      placed = true;
    }
    out.push(`# config for ${name.replace(/_/g, ' ')}`, `${name}:`, '', ...mapping(random, '  ', i === sections.length - 1 ? budget - written : share, 3, 'source'), '');
    written += share;
  }
  if (!placed) out.push(...trainerLines, '');
  return `${out.join('\n')}\n`;
}

/**
 * A generated snapshot of about `lines` lines: the four-line header VeRL's generator writes, then
 * every section flattened, no comments, lowercase values, the trainer block near the end.
 */
export function generatedSnapshot({ seed, lines }) {
  const random = rng(seed);
  const out = [
    '# This reference config is generated from the hand-written trainer config by a script.',
    '# It flattens every field of the composed config into a single file.',
    '# Do not edit this file by hand.',
    '# It is kept for reference and for the CI check that compares it with its source.',
    '',
  ];
  const trainer = trainerBlock('generated');
  const tail = ['global_profiler:', '  tool: null', '  steps: null', '  save_path: outputs/profile', 'ray_kwargs:', '  ray_init:', '    num_cpus: null', '  timeline_json_file: null'];
  const budget = lines - out.length - trainer.length - tail.length;
  const sections = ['actor_rollout_ref', 'data', 'reward_manager', 'critic', 'reward_model', 'algorithm', 'custom_reward_function'];
  for (const [i, name] of sections.entries()) {
    const share = i === 0 ? Math.floor(budget * 0.45) : Math.floor((budget * 0.55) / (sections.length - 1));
    out.push(`${name}:`, ...mapping(random, '  ', share - 1, 4, 'generated'));
  }
  out.push(...trainer, ...tail);
  return `${out.join('\n')}\n`;
}

/**
 * A per-component config (actor, critic, rollout, engine, optim...) of about `lines` lines: no
 * `trainer:` block; some refer to trainer settings through interpolations, as VeRL's do.
 */
export function componentConfig({ seed, lines }) {
  const random = rng(seed);
  const out = [`# Component config ${seed}, composed into the trainer config through its defaults list.`, ''];
  if (random() < 0.5) out.push('# Which device the component runs on, from the trainer section', 'device: ${oc.select:trainer.device,cuda}', '');
  out.push(...mapping(random, '', Math.max(3, lines - out.length), 3, 'source'));
  return `${out.join('\n')}\n`;
}
