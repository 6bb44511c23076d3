/** The launch command as words: interpreter, entry point, Hydra's flags, overrides. Pure. */
import { describe, expect, it } from 'vitest';
import { parseLaunchCommand } from '../../src/launch/command.js';

const parse = (line: string) => parseLaunchCommand(line.split(' '));

describe('parseLaunchCommand', () => {
  it('reads python3 -m with overrides of every prefix', () => {
    expect(parse('python3 -m verl.trainer.main_ppo a.b=1 +c.d=x ++e=[model] ~f.g')).toEqual({
      command: { interpreter: 'python3', entry: { kind: 'module', module: 'verl.trainer.main_ppo' }, configName: null, configPath: null, configDirs: [], overrides: ['a.b=1', '+c.d=x', '++e=[model]', '~f.g'], ignored: [] },
    });
  });

  it('takes a script path, interpreter options and environment assignments before it', () => {
    const parsed = parse('env CUDA_VISIBLE_DEVICES=0,1 HYDRA_FULL_ERROR=1 /venv/bin/python3.11 -u -X dev verl/trainer/main_ppo.py trainer.nnodes=2');
    expect(parsed).toMatchObject({ command: { interpreter: '/venv/bin/python3.11', entry: { kind: 'script', path: 'verl/trainer/main_ppo.py' }, overrides: ['trainer.nnodes=2'] } });
  });

  it("reads Hydra's --config-name/--config-path/--config-dir in both spellings, and passes other flags over", () => {
    const parsed = parse('python3 -m recipe.dapo.main_dapo --config-name=ppo_megatron_trainer.yaml -cp conf --config-dir extra --info a=1');
    expect(parsed).toMatchObject({ command: { configName: 'ppo_megatron_trainer', configPath: 'conf', configDirs: ['extra'], ignored: ['--info'], overrides: ['a=1'] } });
  });

  it('takes overrides alone (the VeRL then comes from --verl or --python)', () => {
    expect(parse('trainer.resume_mode=auto ++trainer.load_critic_only=true')).toMatchObject({ command: { interpreter: null, entry: null, overrides: ['trainer.resume_mode=auto', '++trainer.load_critic_only=true'] } });
  });

  it('refuses what it cannot read, in one line', () => {
    expect(parse('python3 -c print(1)')).toEqual({ error: expect.stringContaining('-c') });
    expect(parse('python3 -m verl.trainer.main_ppo --multirun a=1,2')).toEqual({ error: expect.stringContaining('multirun') });
    expect(parse('python3 -m verl.trainer.main_ppo bareword')).toEqual({ error: expect.stringContaining('bareword') });
    expect(parse('python3 -u')).toEqual({ error: expect.stringContaining('no -m module') });
    expect(parseLaunchCommand([])).toEqual({ error: expect.stringContaining('no launch command') });
  });
});
