/**
 * Python in the shapes and sizes of VeRL's modules, for the benchmark (bench/verlShape.mjs): a
 * trainer module like VeRL's `ray_trainer.py` (license header, docstrings, long import lists,
 * module functions, a trainer class with an `__init__`, config validation, worker set-up, a long
 * `fit` of nested `with`/`if`/`for` blocks, and a `_load_checkpoint` shaped like VeRL 0.9's), and
 * the other modules a checkout holds. Everything is our own writing, generated from a seed; no
 * VeRL source is copied. The point is the shape the parser and the text tests see: statement mix,
 * nesting, line lengths, how often `actor_rollout_wg` and `load_checkpoint` appear.
 *
 * Calibrated against VeRL v0.9.0's `ray_trainer.py` (1,788 lines, 88 KB), measured with
 * tree-sitter on both: the 1,788-line trainer made here parses in the same time (8.9-9.0 ms, within
 * 1%, interleaved), with 179 nodes per 1,000 characters (v0.9.0: 182; all 640 of its .py files:
 * 191), identifiers of 9.3 characters, comments of 48 on 0.13 of the lines (0.12), 14% blank
 * lines; a plan of it reads the tree as often as a plan of v0.9.0's (within 1%); and, like it, it
 * is not pure ASCII (see `fit`). An earlier shape had 225 nodes per 1,000 characters and parsed
 * 20% slower than the real file, which made the documented least program, the goal's reference,
 * slower than on the file users patch.
 */
import { rng } from './generate.mjs';

const NOUNS = ['batch', 'rollout', 'reward', 'advantage', 'token', 'sequence', 'prompt', 'response', 'mask', 'score', 'metric', 'shard', 'device', 'worker', 'value', 'entropy', 'kl', 'length', 'step', 'epoch', 'sample', 'group', 'turn', 'loss'];
const CONFIG_PATHS = [
  'self.config.trainer.total_epochs',
  'self.config.trainer.save_freq',
  'self.config.trainer.test_freq',
  'self.config.actor_rollout_ref.rollout.n',
  'self.config.actor_rollout_ref.actor.ppo_mini_batch_size',
  'self.config.actor_rollout_ref.actor.use_kl_loss',
  'self.config.algorithm.adv_estimator',
  'self.config.algorithm.use_kl_in_reward',
  'self.config.critic.ppo_micro_batch_size_per_gpu',
  'self.config.data.train_batch_size',
  'self.config.data.max_prompt_length',
  'self.config.global_profiler.steps',
];
const WORKER_GROUPS = ['self.actor_rollout_wg', 'self.critic_wg', 'self.ref_policy_wg', 'self.rm_wg'];
const WG_METHODS = ['compute_log_prob', 'compute_values', 'update_critic', 'update_actor', 'generate_sequences', 'compute_ref_log_prob', 'compute_rm_score'];
const TIMERS = ['gen', 'reward', 'old_log_prob', 'ref', 'values', 'adv', 'update_critic', 'update_actor', 'testing', 'save_checkpoint', 'step'];

class Writer {
  /** `groups`: the worker groups statements call (a trainer's include `self.actor_rollout_wg`). */
  constructor(seed, groups = WORKER_GROUPS) {
    this.random = rng(seed);
    this.groups = groups;
    this.lines = [];
    this.counter = 0;
  }
  pick(list) {
    return list[Math.floor(this.random() * list.length)];
  }
  chance(p) {
    return this.random() < p;
  }
  int(low, high) {
    return low + Math.floor(this.random() * (high - low + 1));
  }
  /** VeRL's names: two or three words (v0.9.0's trainer: identifiers of 9.4 characters on average). */
  name() {
    return this.chance(0.35) ? `${this.pick(NOUNS)}_${this.pick(NOUNS)}_${this.pick(NOUNS)}` : `${this.pick(NOUNS)}_${this.pick(NOUNS)}`;
  }
  /** A comment's words (v0.9.0's trainer: 48 characters on average). */
  comment() {
    const head = `${this.pick(['the', 'keep the', 'drop the', 'pad the', 'split the'])} ${this.pick(NOUNS)} ${this.pick(NOUNS)}s ${this.pick(['first', 'per rank', 'for the next step', 'before logging'])}`;
    return this.chance(0.35) ? `${head}, so that the ${this.pick(NOUNS)} ${this.pick(NOUNS)}s line up` : head;
  }
  push(indent, ...lines) {
    for (const line of lines) this.lines.push(line === '' ? '' : `${indent}${line}`);
  }
  blank(count = 1) {
    for (let i = 0; i < count; i++) this.lines.push('');
  }
}

/** One simple statement (possibly spread over a few lines), as VeRL writes them. */
function simpleStatement(w, indent) {
  const a = w.name();
  const b = w.name();
  switch (w.int(0, 17)) {
    case 0:
      w.push(indent, `${a} = ${w.pick(CONFIG_PATHS)}`);
      break;
    case 1:
      w.push(indent, `${a} = ${w.pick(w.groups)}.${w.pick(WG_METHODS)}(${b})`);
      break;
    case 2:
      w.push(indent, `metrics.update(`, `    {`, `        "${w.pick(NOUNS)}/${a}": ${b}.mean().item(),`, `        "${w.pick(NOUNS)}/${b}_max": float(${b}.max()),`, `    }`, `)`);
      break;
    case 3:
      w.push(indent, `logger.info(f"${w.pick(NOUNS)} ${a}: {${a}!r}, ${b}: {len(${b}) if ${b} is not None else 0}")`);
      break;
    case 4:
      w.push(indent, `# ${w.pick(['compute', 'collect', 'balance', 'pad', 'gather', 'reduce'])} the ${w.pick(NOUNS)} ${w.pick(NOUNS)}s before the next ${w.pick(NOUNS)}, as the ${w.pick(NOUNS)} step expects`);
      w.push(indent, `${a} = [item for item in ${b} if item is not None]`);
      break;
    case 5:
      w.push(indent, `assert ${a} % ${w.int(2, 16)} == 0, (`, `    f"${a} ({${a}}) must be divisible by the ${w.pick(NOUNS)} size"`, `)`);
      break;
    case 6:
      w.push(indent, `${a} = compute_${w.pick(NOUNS)}_metrics(`, `    batch=batch,`, `    use_critic=self.use_critic,`, `    ${b}=${w.pick(CONFIG_PATHS)},`, `)`);
      break;
    case 7:
      w.push(indent, `timing_raw[timer_name] = timing_raw.get(timer_name, 0.0) + ${w.name()}.elapsed_seconds`);
      break;
    case 8:
      w.push(indent, `${a} = dict(${b}=${b}, global_step=self.global_steps, epoch=epoch)`);
      break;
    case 9:
      w.push(indent, `batch = batch.union(${w.pick(w.groups)}.${w.pick(WG_METHODS)}(batch))`);
      break;
    case 10:
      w.push(indent, `${a} = torch.tensor([len(x) for x in ${b}], dtype=torch.int32)`);
      break;
    case 12:
      w.push(indent, `${a} = ${b}["${w.pick(NOUNS)}"]`);
      break;
    case 13:
      w.push(indent, `${a} += ${b}.${w.pick(NOUNS)}_count`);
      break;
    case 14:
      w.push(indent, `self.${a} = ${b} if ${b} is not None else self.${w.name()}`);
      break;
    case 15:
      w.push(indent, `${a} = ${w.pick(CONFIG_PATHS)} * ${w.int(1, 8)}`);
      break;
    case 16:
      w.push(indent, `${a} = self.${b}`);
      break;
    default:
      w.push(indent, `self.${a} = ${w.chance(0.5) ? 'None' : `${w.int(0, 512)}`}`);
  }
}

/** A block of statements, with nested compound statements down to `depth`. */
function block(w, indent, statements, depth) {
  for (let i = 0; i < statements; i++) {
    // Real modules: about one line in seven blank (v0.9.0's trainer: 14%), one in nine a comment (0.114 a line).
    if (i > 0 && w.chance(0.5)) w.blank();
    if (w.chance(0.27)) w.push(indent, `# ${w.comment()}`);
    const roll = w.random();
    if (depth > 0 && roll < 0.12) {
      w.push(indent, `with marked_timer("${w.pick(TIMERS)}", timing_raw, color="${w.pick(['red', 'blue', 'green', 'yellow'])}"):`);
      block(w, `${indent}    `, w.int(1, 4), depth - 1);
    } else if (depth > 0 && roll < 0.24) {
      w.push(indent, `if ${w.pick(CONFIG_PATHS)}${w.chance(0.5) ? '' : ` == "${w.pick(NOUNS)}"`}:`);
      block(w, `${indent}    `, w.int(1, 3), depth - 1);
      if (w.chance(0.4)) {
        w.push(indent, `elif ${w.name()} is not None:`);
        block(w, `${indent}    `, w.int(1, 2), depth - 1);
      }
      if (w.chance(0.4)) {
        w.push(indent, 'else:');
        block(w, `${indent}    `, w.int(1, 2), depth - 1);
      }
    } else if (depth > 0 && roll < 0.3) {
      w.push(indent, `for ${w.pick(NOUNS)}_index, ${w.pick(NOUNS)}_item in enumerate(${w.name()}):`);
      block(w, `${indent}    `, w.int(1, 3), depth - 1);
    } else if (depth > 0 && roll < 0.33) {
      w.push(indent, 'try:');
      block(w, `${indent}    `, w.int(1, 2), depth - 1);
      w.push(indent, `except (KeyError, ValueError) as error:`, `    logger.warning("skipping %s: %s", "${w.pick(NOUNS)}", error)`);
    } else {
      simpleStatement(w, indent);
    }
  }
}

function docstring(w, indent, summary) {
  w.push(indent, `"""${summary}`, '');
  w.push(indent, 'Args:');
  for (let i = 0, n = w.int(1, 3); i < n; i++) w.push(indent, `    ${w.name()}: The ${w.pick(NOUNS)} ${w.pick(NOUNS)}s of the current ${w.pick(NOUNS)}.`);
  w.push(indent, '', 'Returns:', `    The ${w.pick(NOUNS)} ${w.pick(NOUNS)}, or None when there is none.`, '"""');
}

/** A method of the trainer class of about `size` lines. */
function method(w, name, size, depth = 3) {
  const start = w.lines.length;
  w.push('    ', `def ${name}(self${w.chance(0.5) ? `, batch: DataProto` : ''}${w.chance(0.3) ? `, ${w.name()}: Optional[int] = None` : ''}):`);
  if (w.chance(0.7)) docstring(w, '        ', `${w.pick(['Compute', 'Collect', 'Update', 'Validate', 'Balance', 'Log'])} the ${w.pick(NOUNS)} ${w.pick(NOUNS)}s of one step.`);
  while (w.lines.length - start < size) block(w, '        ', 3, depth);
  w.push('        ', `return ${w.chance(0.5) ? 'batch' : 'None'}`);
  w.blank();
}

const LICENSE = [
  '# Copyright 2026 The verl-critic-patch benchmark authors',
  '#',
  '# This file is generated for the benchmark and is our own writing in the shape of a PPO',
  '# trainer module: a license header like this one, a module docstring, a long list of imports,',
  '# a few module functions, then the trainer class. It is never run; it is parsed.',
  '#',
  '# Licensed under the terms of the project that generates it.',
];

const IMPORTS = [
  'import json',
  'import logging',
  'import os',
  'import uuid',
  'from collections import defaultdict',
  'from copy import deepcopy',
  'from dataclasses import dataclass, field',
  'from enum import Enum',
  'from pprint import pprint',
  'from typing import Any, Optional',
  '',
  'import numpy as np',
  'import ray',
  'import torch',
  'from omegaconf import OmegaConf, open_dict',
  'from torch.utils.data import Dataset, Sampler',
  'from tqdm import tqdm',
  '',
  'from bench_pkg import DataProto',
  'from bench_pkg.protocol import pad_dataproto_to_divisor, unpad_dataproto',
  'from bench_pkg.single_controller.ray import RayClassWithInitArgs, RayWorkerGroup',
  'from bench_pkg.trainer.ppo import core_algos',
  'from bench_pkg.trainer.ppo.metric_utils import (',
  '    compute_data_metrics,',
  '    compute_throughout_metrics,',
  '    compute_timing_metrics,',
  '    process_validation_metrics,',
  ')',
  'from bench_pkg.utils.checkpoint.checkpoint_manager import find_latest_ckpt_path, should_save_ckpt_esi',
  'from bench_pkg.utils.debug import marked_timer',
  'from bench_pkg.utils.metric import reduce_metrics',
  'from bench_pkg.utils.seqlen_balancing import get_seqlen_balanced_partitions, log_seqlen_unbalance',
  'from bench_pkg.utils.torch_functional import masked_mean',
  'from bench_pkg.utils.tracking import ValidationGenerationsLogger',
];

const ONE_LINE_IMPORTS = IMPORTS.filter((line) => line.startsWith('import ') || (line.startsWith('from ') && !line.endsWith('(')));

/**
 * A `_load_checkpoint` in the shape of VeRL v0.9.0's (our own writing): the resume-mode checks, the
 * remote-store refusal, the folder search, the path checks, the global step, the actor load, the
 * critic load, and the dataloader state restored unless the step ended an epoch. As long (about 65
 * lines) and with as many calls (about 40) as v0.9.0's, so that the analysis, the guard and the
 * self-check do the work they do on the real trainer; the bundled example's is half as long.
 */
const LOAD_CHECKPOINT_0_9 = `    def _load_checkpoint(self):
        """Resume from the newest checkpoint folder, or from the one the config names."""
        if self.config.trainer.resume_mode == "disable":
            # Starting fresh: there is nothing to restore.
            return 0

        # Checkpoints on a remote store are not read here; only local folders are.
        if self.config.trainer.default_hdfs_dir is not None:
            raise NotImplementedError("resuming from a remote checkpoint store is not supported yet")
        checkpoint_root = self.config.trainer.default_local_dir
        if not os.path.isabs(checkpoint_root):
            checkpoint_root = os.path.join(os.getcwd(), checkpoint_root)
        step_folder = find_latest_ckpt_path(checkpoint_root)

        # Pick the folder to resume from.
        if self.config.trainer.resume_mode == "auto":
            if step_folder is None:
                print("No checkpoint found: training starts from scratch")
                return 0
        else:
            if self.config.trainer.resume_mode == "resume_path":
                resume_from = self.config.trainer.resume_from_path
                assert isinstance(resume_from, str), "trainer.resume_from_path must be a string"
                assert "global_step_" in resume_from, (
                    "trainer.resume_from_path must name a global_step_ folder"
                )
                step_folder = resume_from
                if not os.path.isabs(step_folder):
                    step_folder = os.path.join(os.getcwd(), step_folder)
        print(f"Resuming from checkpoint folder: {step_folder}")

        self.global_steps = int(step_folder.split("global_step_")[-1])
        print(f"Global step set to {self.global_steps}")
        print(f"Resuming from {step_folder}")

        actor_path = os.path.join(step_folder, "actor")
        critic_path = os.path.join(step_folder, str(Role.Critic))
        # Load the actor, then the critic when the run has one.
        self.actor_rollout_wg.load_checkpoint(
            actor_path, del_local_after_load=self.config.trainer.del_local_ckpt_after_load
        )
        if self.use_critic:
            self.critic_wg.load_checkpoint(
                critic_path, del_local_after_load=self.config.trainer.del_local_ckpt_after_load
            )

        # Restore where the dataloader was, unless the step ended an epoch.
        dataloader_path = os.path.join(step_folder, "data.pt")
        if os.path.exists(dataloader_path):
            steps_per_epoch = len(self.train_dataloader)
            at_epoch_end = steps_per_epoch > 0 and self.global_steps % steps_per_epoch == 0
            if at_epoch_end:
                print(
                    f"Not restoring the dataloader: step {self.global_steps} ends epoch "
                    f"{self.global_steps // steps_per_epoch}, so the next epoch starts afresh"
                )
            else:
                dataloader_state = torch.load(dataloader_path, weights_only=False)
                self.train_dataloader.load_state_dict(dataloader_state)
        else:
            print(f"Warning: no dataloader state at {dataloader_path}; it starts from the beginning")
        return self.global_steps`.split('\n');

/**
 * A trainer module of about `lines` lines in the shape of VeRL's `ray_trainer.py`: the class
 * `className` holds the 0.9 `_load_checkpoint` (so the file is a target, with one actor load) and
 * mentions `self.actor_rollout_wg` about as often as VeRL's does.
 */
export function realShapedTrainer(lines, { seed = lines, className = 'RayPPOTrainer' } = {}) {
  const w = new Writer(seed);
  w.push('', ...LICENSE, '"""', `${className}: a PPO trainer with a single controller, shaped like VeRL's.`, '', 'Generated for the verl-critic-patch benchmark.', '"""', '', ...IMPORTS, '', 'logger = logging.getLogger(__name__)', '', '');
  w.push('', 'class Role(Enum):', '    """The roles a worker group can play."""', '');
  for (const [i, role] of ['Actor', 'Rollout', 'ActorRollout', 'Critic', 'RefPolicy', 'RewardModel', 'ActorRolloutRef'].entries()) w.push('    ', `${role} = ${i + 1}`);
  w.blank();
  w.push('    ', 'def __str__(self):', '    return self.name.lower()');
  w.blank(2);
  w.push('', '@dataclass', 'class ResourcePoolSpec:', '    """How many GPUs each node of a resource pool gives."""', '', '    pool_name: str', '    process_on_nodes: list[int] = field(default_factory=list)', '    max_colocate_count: int = 1', '', '');
  for (const fn of ['apply_kl_penalty', 'compute_response_mask', 'compute_advantage']) {
    const start = w.lines.length;
    w.push('', `def ${fn}(data: DataProto, ${w.name()}: float = 1.0, ${w.name()}="kl"):`);
    docstring(w, '    ', `${fn.replace(/_/g, ' ')} for one batch.`);
    const target = w.int(25, 60);
    while (w.lines.length - start < target) block(w, '    ', 2, 2);
    w.push('    ', 'return data');
    w.blank(2);
  }
  w.push('', `class ${className}:`, '    """Distributed PPO trainer: a single controller drives the worker groups."""', '');
  w.push('    ', 'def __init__(self, config, tokenizer, role_worker_mapping, resource_pool_manager, processor=None):');
  w.push('        ', 'self.config = config', 'self.tokenizer = tokenizer', 'self.processor = processor', 'self.role_worker_mapping = role_worker_mapping', 'self.resource_pool_manager = resource_pool_manager', 'self.use_critic = Role.Critic in role_worker_mapping', 'self.global_steps = 0');
  block(w, '        ', 12, 2);
  w.blank();
  const body = Math.max(0, lines - w.lines.length);
  const fitLines = Math.floor(body * 0.2);
  const methodNames = ['_validate_config', '_create_dataloader', '_dump_generations', '_maybe_log_val_generations', '_validate', 'init_workers', '_save_checkpoint', '_start_profiling', '_stop_profiling', '_balance_batch', '_compute_values', '_compute_ref_log_prob', '_update_actor', '_update_critic'];
  // Methods overshoot their size by a block: budget them short, and let fit fill up to `lines`.
  const perMethod = Math.max(12, Math.floor((0.85 * (body - fitLines - 60) - LOAD_CHECKPOINT_0_9.length) / methodNames.length));
  methodNames.forEach((name, index) => {
    method(w, name, w.int(Math.floor(perMethod * 0.5), Math.floor(perMethod * 1.5)));
    if (index === 6) {
      w.push('', ...LOAD_CHECKPOINT_0_9);
      w.blank();
    }
  });
  w.push('    ', 'def fit(self):');
  // VeRL's trainer writes the policy ratio in Greek in its comments (v0.6.1-v0.9.0: π and θ on five
  // lines). A file with any such character is a two-byte string in V8, twice the bytes of an ASCII
  // one: it lands in the large-object space rather than the young generation, so whether a run
  // collects garbage once more depends on it (~1 ms of the documented program's run).
  w.push('        ', '# The actor maximises the clipped ratio r(θ) = π_θ(a|s) / π_old(a|s);', '# the critic fits the returns the advantages were computed from (π_old, not π_θ).');
  w.push('        ', '"""The training loop: rollouts, rewards, advantages, critic and actor updates."""', 'self._load_checkpoint()', 'metrics = {}', 'timing_raw = {}', 'for epoch in range(self.config.trainer.total_epochs):', '    for batch_dict in self.train_dataloader:');
  const fitEnd = Math.max(w.lines.length + 10, lines - 1);
  while (w.lines.length < fitEnd) block(w, '                ', 4, 4);
  w.push('        ', 'return metrics');
  return `${w.lines.join('\n')}\n`;
}

/**
 * A module that mentions `self.actor_rollout_wg` without holding a target: a trainer that calls
 * `self._load_checkpoint()` from a parent, or uses the worker group for rollouts only.
 */
export function actorRolloutUser(lines, seed) {
  const w = new Writer(seed);
  w.push('', ...LICENSE, `"""A trainer variant that reuses the parent's checkpoint logic."""`, '', ...IMPORTS, '', 'logger = logging.getLogger(__name__)', '', '');
  w.push('', `class VariantTrainer${seed}(RayPPOTrainer):`, '    """Overrides the rollout step only."""', '');
  w.push('    ', 'def fit(self):');
  w.push('        ', 'self._load_checkpoint()', 'timing_raw = {}', 'metrics = {}', 'batch = None', 'gen_output = self.actor_rollout_wg.generate_sequences(batch)', 'return gen_output');
  w.blank();
  let n = 0;
  while (w.lines.length < lines) method(w, `_variant_step_${n++}`, w.int(20, 60), 2);
  return `${w.lines.join('\n')}\n`;
}

/**
 * An ordinary module of a checkout (models, utils, workers, tests), about `lines` lines: a header,
 * imports, module functions and a class. With `loadCheckpoint`, the class defines its own
 * `load_checkpoint` and reads `config.actor_rollout_ref`, as VeRL's worker modules do: a text
 * test that looks for the two words alone would have to parse it.
 */
export function libraryModule(lines, seed, { loadCheckpoint = false } = {}) {
  const w = new Writer(seed, WORKER_GROUPS.filter((group) => group !== 'self.actor_rollout_wg'));
  w.push('', ...LICENSE.slice(0, 2), `"""${w.pick(['Utilities', 'Helpers', 'Workers', 'Kernels', 'Tests'])} for ${w.pick(NOUNS)} ${w.pick(NOUNS)}s."""`, '');
  w.push('', ...ONE_LINE_IMPORTS.slice(0, 4 + (seed % 20)), '', 'logger = logging.getLogger(__name__)');
  w.blank(2);
  const functions = Math.floor(lines * 0.3);
  let n = 0;
  while (w.lines.length < functions) {
    const start = w.lines.length;
    w.push('', `def ${w.name()}_${n++}(${w.name()}, ${w.name()}: int = ${w.int(0, 64)}):`);
    if (w.chance(0.6)) docstring(w, '    ', `${w.pick(['Compute', 'Gather', 'Pad', 'Split'])} the ${w.pick(NOUNS)}s.`);
    const size = w.int(8, 40);
    while (w.lines.length - start < size) block(w, '    ', 2, 2);
    w.push('    ', `return ${w.name()}`);
    w.blank(2);
  }
  w.push('', `class ${w.pick(['Actor', 'Critic', 'Rollout', 'Reward', 'Data'])}${w.pick(['Worker', 'Manager', 'Helper', 'Dataset'])}${seed}:`, `    """Holds the ${w.pick(NOUNS)} state of one ${w.pick(NOUNS)}."""`, '');
  w.push('    ', 'def __init__(self, config):', '    self.config = config');
  if (loadCheckpoint) {
    w.push('        ', 'self.ref_enabled = config.actor_rollout_ref.get("ref", None) is not None');
    w.blank();
    w.push('    ', 'def load_checkpoint(self, local_path, hdfs_path=None, del_local_after_load=False):', '    if local_path is None:', '        return', '    logger.info("loading %s", local_path)');
  }
  w.blank();
  while (w.lines.length < lines) method(w, `${w.name()}_${n++}`, w.int(10, 50), 2);
  return `${w.lines.join('\n')}\n`;
}
