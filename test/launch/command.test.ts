/** The launch command as words: launchers, interpreter, entry point, Hydra's flags, overrides. Pure. */
import { describe, expect, it } from 'vitest';
import { parseLaunchCommand } from '../../src/launch/command.js';

const parse = (line: string) => parseLaunchCommand(line.split(' '));
const MAIN_PPO = { kind: 'module', module: 'verl.trainer.main_ppo' };

describe('parseLaunchCommand', () => {
  it('reads python3 -m with overrides of every prefix', () => {
    expect(parse('python3 -m verl.trainer.main_ppo a.b=1 +c.d=x ++e=[model] ~f.g')).toEqual({
      command: { launchers: [], uv: null, interpreter: 'python3', entry: MAIN_PPO, configName: null, configPath: null, configDirs: [], overrides: ['a.b=1', '+c.d=x', '++e=[model]', '~f.g'], ignored: [] },
    });
  });

  it('takes a script path, interpreter options and environment assignments before it', () => {
    const parsed = parse('env CUDA_VISIBLE_DEVICES=0,1 HYDRA_FULL_ERROR=1 /venv/bin/python3.11 -u -X dev verl/trainer/main_ppo.py trainer.nnodes=2');
    expect(parsed).toMatchObject({ command: { launchers: ['env'], interpreter: '/venv/bin/python3.11', entry: { kind: 'script', path: 'verl/trainer/main_ppo.py' }, overrides: ['trainer.nnodes=2'] } });
    expect(parse('VLLM_USE_V1=1 python3 -u -Xfrozen_modules=off -W ignore -m verl.trainer.main_ppo a=1')).toMatchObject({ command: { launchers: [], interpreter: 'python3', entry: MAIN_PPO, overrides: ['a=1'] } });
    expect(parse('env -u RAY_ADDRESS -i PATH=/bin python3 -m verl.trainer.main_ppo a=1')).toMatchObject({ command: { launchers: ['env'], entry: MAIN_PPO, overrides: ['a=1'] } });
  });

  it("reads VeRL main's uv launch: uv run with its options (values after a space or =), then python", () => {
    const parsed = parse('uv run --frozen --all-packages --extra vllm --extra=fsdp --directory /src/verl python3 -m verl.trainer.main_ppo a=1 b=2');
    expect(parsed).toMatchObject({ command: { launchers: ['uv run'], uv: { directory: '/src/verl', project: null }, interpreter: 'python3', entry: MAIN_PPO, overrides: ['a=1', 'b=2'] } });
    expect(parse('uv run --project proj -- python -m verl.trainer.main_ppo a=1')).toMatchObject({ command: { uv: { project: 'proj' }, interpreter: 'python', entry: MAIN_PPO } });
    // `uv run -m`: the environment's own python runs the module.
    expect(parse('uv run --frozen -m verl.trainer.main_ppo a=1')).toMatchObject({ command: { interpreter: 'python', entry: MAIN_PPO, overrides: ['a=1'] } });
  });

  it('reads ray job submit [options] -- python3 ..., nohup, and launchers stacked', () => {
    const parsed = parse('ray job submit --address=http://127.0.0.1:8265 --runtime-env verl/trainer/runtime_env.yaml --no-wait -- python3 -m verl.trainer.main_ppo a=1');
    expect(parsed).toMatchObject({ command: { launchers: ['ray job submit'], interpreter: 'python3', entry: MAIN_PPO, overrides: ['a=1'] } });
    expect(parse('nohup env HF_HOME=/x uv run --frozen python3 -m verl.trainer.main_ppo a=1')).toMatchObject({ command: { launchers: ['nohup', 'env', 'uv run'], entry: MAIN_PPO, overrides: ['a=1'] } });
  });

  it('an unknown program in front is refused in one line saying to pass the python command itself', () => {
    for (const line of ['torchrun --nproc_per_node=8 -m verl.trainer.main_ppo a=1', 'srun python3 -m verl.trainer.main_ppo', 'bash run.sh a=1', 'env time python3 -m verl.trainer.main_ppo']) {
      expect(parse(line), line).toEqual({ error: expect.stringMatching(/not a launcher this tool reads .*pass the python command itself/) });
    }
    expect(parse('ray job submit --no-wait python3 -m verl.trainer.main_ppo')).toEqual({ error: expect.stringContaining('no -- before the entrypoint') });
    expect(parse('uv run --frozen')).toEqual({ error: expect.stringContaining('uv run: no python command') });
  });

  it("reads Hydra's --config-name/--config-path/--config-dir in both spellings, and passes other flags over", () => {
    const parsed = parse('python3 -m recipe.dapo.main_dapo --config-name=ppo_megatron_trainer.yaml -cp conf --config-dir extra --info a=1');
    expect(parsed).toMatchObject({ command: { configName: 'ppo_megatron_trainer', configPath: 'conf', configDirs: ['extra'], ignored: ['--info'], overrides: ['a=1'] } });
  });

  it('takes overrides alone (the VeRL then comes from --verl or --python), a top-level one included', () => {
    expect(parse('trainer.resume_mode=auto ++trainer.load_critic_only=true')).toMatchObject({ command: { interpreter: null, entry: null, overrides: ['trainer.resume_mode=auto', '++trainer.load_critic_only=true'] } });
    expect(parse('model_engine=megatron trainer.nnodes=1')).toMatchObject({ command: { launchers: [], interpreter: null, overrides: ['model_engine=megatron', 'trainer.nnodes=1'] } });
  });

  it('refuses what it cannot read, in one line', () => {
    expect(parse('python3 -c print(1)')).toEqual({ error: expect.stringContaining('-c') });
    expect(parse('python3 -m verl.trainer.main_ppo --multirun a=1,2')).toEqual({ error: expect.stringContaining('multirun') });
    expect(parse('python3 -m verl.trainer.main_ppo bareword')).toEqual({ error: expect.stringContaining('bareword') });
    expect(parse('python3 -u')).toEqual({ error: expect.stringContaining('no -m module') });
    expect(parseLaunchCommand([])).toEqual({ error: expect.stringContaining('no launch command') });
  });

  it('quotes the word it cannot read, so a blank one is seen (VeRL 0.7.1 run_deepseek7b_llm_pfppo.sh passes " " by a `\\  # comment`)', () => {
    const words = ['python3', '-m', 'verl.trainer.main_ppo', 'algorithm.pf_ppo.reweight_method=pow', ' '];
    expect(parseLaunchCommand(words)).toEqual({ error: expect.stringMatching(/^" ": neither a Hydra override/) });
  });
});
