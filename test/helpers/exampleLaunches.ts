/**
 * The override sets of VeRL's own example launches of `verl.trainer.main_ppo`, per release, in our
 * own writing: the keys each kind of example sets (read from `examples/**\/*.sh` of v0.5.0, v0.7.1,
 * v0.9.0 and main), the kinds of values it gives them (booleans as `True`/`False`, numbers,
 * `1e-5`, quoted lists, paths, `--config-name`, `model_engine=megatron`), with our own values.
 * Plus the overrides a warm start adds (docs/warm-start.md, what `stage` prints) and the later
 * resume. hydraOracle.test.ts composes each with Hydra and with the emulation.
 */

export type Release = '0.5.0' | '0.7.1' | '0.9.1';

export interface ExampleLaunch {
  name: string;
  configName: string;
  overrides: string[];
}

const data = (extra: string[] = []) => [
  'algorithm.adv_estimator=gae',
  "data.train_files=['/data/gsm8k/train.parquet', '/data/math/train.parquet']",
  'data.val_files=/data/gsm8k/test.parquet',
  'data.train_batch_size=512',
  'data.max_prompt_length=1024',
  'data.max_response_length=1024',
  'data.filter_overlong_prompts=True',
  "data.truncation='error'",
  ...extra,
];

const actorFsdp = (rolloutName: boolean) => [
  'actor_rollout_ref.model.path=/models/llm-7b-chat',
  'actor_rollout_ref.model.use_remove_padding=True',
  'actor_rollout_ref.model.enable_gradient_checkpointing=True',
  'actor_rollout_ref.actor.optim.lr=1e-6',
  'actor_rollout_ref.actor.ppo_mini_batch_size=128',
  'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=8',
  'actor_rollout_ref.actor.fsdp_config.param_offload=False',
  'actor_rollout_ref.actor.fsdp_config.optimizer_offload=False',
  'actor_rollout_ref.actor.use_kl_loss=False',
  'actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=16',
  'actor_rollout_ref.rollout.tensor_model_parallel_size=2',
  ...(rolloutName ? ['actor_rollout_ref.rollout.name=vllm'] : []),
  'actor_rollout_ref.rollout.gpu_memory_utilization=0.5',
];

/** The critic block of the FSDP examples: its offload keys under critic.model.fsdp_config (up to 0.7), critic.fsdp (0.9). */
const criticFsdp = (release: Release) => [
  'critic.optim.lr=1e-5',
  'critic.model.use_remove_padding=True',
  'critic.model.path=/models/llm-7b-chat',
  'critic.model.enable_gradient_checkpointing=True',
  'critic.ppo_micro_batch_size_per_gpu=16',
  ...(release === '0.9.1'
    ? ['critic.fsdp.param_offload=False', 'critic.fsdp.optimizer_offload=False']
    : ['critic.model.fsdp_config.param_offload=False', 'critic.model.fsdp_config.optimizer_offload=False']),
];

const trainer = [
  'algorithm.use_kl_in_reward=False',
  'trainer.critic_warmup=0',
  'trainer.logger=["console","wandb"]',
  'trainer.project_name=ppo_examples',
  'trainer.experiment_name=llm_7b_run1',
  'trainer.n_gpus_per_node=8',
  'trainer.nnodes=1',
  'trainer.save_freq=20',
  'trainer.test_freq=5',
  'trainer.total_epochs=15',
];

const megatronParallel = [
  'actor_rollout_ref.actor.megatron.pipeline_model_parallel_size=2',
  'actor_rollout_ref.actor.megatron.tensor_model_parallel_size=2',
  'actor_rollout_ref.ref.megatron.pipeline_model_parallel_size=2',
  'actor_rollout_ref.ref.megatron.tensor_model_parallel_size=2',
  'critic.megatron.tensor_model_parallel_size=2',
  'critic.megatron.pipeline_model_parallel_size=2',
];

/** The example launches of one release (the 0.9 ones are main's as well, bar main's uv line). */
export function exampleLaunches(release: Release): ExampleLaunch[] {
  const ppo = (name: string, overrides: string[], configName = 'ppo_trainer'): ExampleLaunch => ({ name, configName, overrides });
  const fsdp = [...data(), ...actorFsdp(true), ...criticFsdp(release), ...trainer];
  const launches = [
    ppo('FSDP PPO (deepseek7b / qwen3_8b_fsdp)', fsdp),
    ppo('dynamic batch sizes (seq_balance)', [
      ...data(['data.return_raw_chat=True']),
      ...actorFsdp(true),
      'actor_rollout_ref.actor.use_dynamic_bsz=True',
      'actor_rollout_ref.actor.ppo_max_token_len_per_gpu=24000',
      'actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu=24000',
      ...criticFsdp(release),
      'critic.use_dynamic_bsz=True',
      'critic.ppo_max_token_len_per_gpu=98304',
      ...trainer,
      'trainer.val_before_train=False',
    ]),
    ppo('the old model-free GRPO through main_ppo (no critic runs)', [
      ...data(),
      'algorithm.adv_estimator=grpo',
      ...actorFsdp(true),
      'actor_rollout_ref.actor.use_kl_loss=True',
      'actor_rollout_ref.actor.kl_loss_coef=0.001',
      'actor_rollout_ref.rollout.n=5',
      ...trainer,
    ]),
  ];
  if (release !== '0.9.1') {
    launches.push(
      ppo('sequence parallel (sp2)', [...fsdp, 'actor_rollout_ref.actor.ulysses_sequence_parallel_size=2', 'critic.ulysses_sequence_parallel_size=2']),
      ppo('PF-PPO', [...fsdp, 'algorithm.use_pf_ppo=True', 'algorithm.pf_ppo.reweight_method=pow', 'algorithm.pf_ppo.weight_pow=2.0', 'actor_rollout_ref.rollout.n=5']),
      ppo(
        'Megatron (--config-name ppo_megatron_trainer)',
        [
          ...data(),
          'actor_rollout_ref.model.path=/models/llm-7b-chat',
          'actor_rollout_ref.actor.ppo_mini_batch_size=128',
          'actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=4',
          ...megatronParallel,
          'actor_rollout_ref.rollout.tensor_model_parallel_size=4',
          'actor_rollout_ref.rollout.name=vllm',
          'critic.optim.lr=1e-5',
          'critic.model.path=/models/llm-7b-chat',
          'critic.ppo_micro_batch_size_per_gpu=4',
          ...trainer,
        ],
        'ppo_megatron_trainer',
      ),
    );
  }
  if (release === '0.5.0') {
    launches.push(
      ppo('reward model (rm_seq_balance)', [...fsdp, 'reward_model.enable=True', 'reward_model.model.path=/models/rm', 'reward_model.model.use_remove_padding=True', 'reward_model.micro_batch_size_per_gpu=32', 'reward_model.use_dynamic_bsz=True']),
      ppo('sandbox fusion', [...fsdp, "reward_model.sandbox_fusion.url='https://sandbox.example/run_code'", 'reward_model.sandbox_fusion.max_concurrent=128', 'reward_model.reward_manager=prime']),
    );
  }
  if (release === '0.7.1') {
    launches.push(
      ppo('reward loop, colocated reward model', [...fsdp, 'critic.optim.lr_warmup_steps_ratio=0.05', 'reward.num_workers=8', 'reward.reward_model.enable=True', 'reward.reward_model.model_path=/models/rm', 'reward.reward_model.rollout.name=vllm', 'reward.reward_model.rollout.gpu_memory_utilization=0.8']),
      ppo('legacy worker switch', [...fsdp, 'trainer.use_legacy_worker_impl=auto']),
    );
  }
  if (release === '0.9.1') {
    launches.push(
      ppo('Megatron (model_engine=megatron)', [
        ...data(),
        'actor_rollout_ref.model.path=/models/qwen3-8b',
        'actor_rollout_ref.model.use_remove_padding=True',
        'actor_rollout_ref.actor.optim.lr=1e-6',
        'actor_rollout_ref.actor.ppo_mini_batch_size=256',
        'actor_rollout_ref.actor.use_dynamic_bsz=True',
        'actor_rollout_ref.actor.ppo_max_token_len_per_gpu=24576',
        ...megatronParallel,
        'actor_rollout_ref.rollout.name=vllm',
        'actor_rollout_ref.rollout.tensor_model_parallel_size=2',
        'critic.model.path=/models/qwen3-8b',
        'critic.optim.lr=1e-5',
        'critic.use_dynamic_bsz=True',
        ...trainer,
        'model_engine=megatron',
      ]),
      ppo('FSDP through uv (main: the Ray workers run uv too)', [...fsdp, 'ray_kwargs.ray_init.runtime_env.py_executable=null']),
      ppo('the default engine named (model_engine=dp)', [...fsdp, 'model_engine=dp']),
      ppo('Megatron through the deprecated config name', [...data(), 'actor_rollout_ref.model.path=/models/qwen3-8b', 'actor_rollout_ref.rollout.name=vllm', ...megatronParallel, 'critic.model.path=/models/qwen3-8b', ...trainer], 'ppo_megatron_trainer'),
    );
  }
  return launches;
}

/**
 * The overrides a warm start adds to a launch, as docs/warm-start.md and `stage` write them, and
 * the later resume; `patched` says whether the config declares trainer.load_critic_only (then
 * a plain override works and `+` is refused; else the reverse).
 */
export const WARM_STARTS: { name: string; overrides: string[] }[] = [
  {
    name: "stage's line",
    overrides: ['trainer.resume_mode=resume_path', 'trainer.resume_from_path=/data/warm/llm_7b_critic/global_step_0', 'trainer.load_critic_only=true', 'critic.checkpoint.load_contents=[model]'],
  },
  { name: '++ (declared or not)', overrides: ['trainer.resume_mode=resume_path', 'trainer.resume_from_path=/data/warm/global_step_0', '++trainer.load_critic_only=true'] },
  { name: '+ (adds the key)', overrides: ['trainer.resume_mode=resume_path', "trainer.resume_from_path='/data/warm run/global_step_0'", '+trainer.load_critic_only=True'] },
  { name: 'carry weights and optimizer, on another world size', overrides: ['trainer.resume_mode=resume_path', 'trainer.resume_from_path=/w/global_step_0', '++trainer.load_critic_only=true', 'critic.checkpoint.load_contents=[model,optimizer]', 'trainer.nnodes=2', 'trainer.n_gpus_per_node=4'] },
  { name: 'the later resume', overrides: ['trainer.resume_mode=auto', 'trainer.default_local_dir=/ckpt/${trainer.experiment_name}'] },
  { name: 'the flag removed', overrides: ['~trainer.load_critic_only'] },
  { name: 'a key no config has', overrides: ['trainer.load_critic_onyl=true'] },
];

/**
 * Hydra's edges of `+` and `~` (a key holding null or ??? is free for `+` and nothing to delete
 * for `~`; `~k=v` deletes only when the value is v; `+` of a list merges), on VeRL's own keys.
 */
export const OVERRIDE_EDGES: { name: string; overrides: string[] }[] = [
  { name: '+ on a ??? key', overrides: ['+actor_rollout_ref.rollout.name=vllm'] },
  { name: '~ of a ??? key', overrides: ['~actor_rollout_ref.rollout.name'] },
  { name: '+ on a null key', overrides: ['+trainer.resume_from_path=/w/global_step_0'] },
  { name: '~ of a null key', overrides: ['~trainer.resume_from_path'] },
  { name: '~k=v, another value', overrides: ['~trainer.resume_mode=disable'] },
  { name: '~k=v, its value', overrides: ['~trainer.resume_mode=auto'] },
  { name: '+ of a list on a list', overrides: ['+critic.checkpoint.load_contents=[model]'] },
];
