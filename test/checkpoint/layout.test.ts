// The pure rules of checkpoint folders: VeRL's names, the latest-step rule, rank lists.
import { describe, expect, it } from 'vitest';
import { chooseLatestStep, isHfWeightFile, parseShardName, parseStepDirName, parseTracker } from '../../src/checkpoint/layout.js';
import { compactRanks } from '../../src/checkpoint/report.js';

describe('VeRL names', () => {
  it('parses step folder names as VeRL does', () => {
    expect(parseStepDirName('global_step_120')).toBe(120);
    expect(parseStepDirName('global_step_0')).toBe(0);
    expect(parseStepDirName('global_step_007')).toBe(7);
    for (const name of ['global_step_', 'global_step_1.bak', 'Global_Step_1', 'global_steps_1', 'step_1']) {
      expect(parseStepDirName(name)).toBeNull();
    }
  });

  it('parses FSDP shard names of every kind', () => {
    expect(parseShardName('model_world_size_8_rank_3.pt')).toEqual({ kind: 'model', worldSize: 8, rank: 3 });
    expect(parseShardName('optim_world_size_16_rank_15.pt')).toEqual({ kind: 'optimizer', worldSize: 16, rank: 15 });
    expect(parseShardName('extra_state_world_size_1_rank_0.pt')).toEqual({ kind: 'extra', worldSize: 1, rank: 0 });
    for (const name of ['model_world_size_8_rank_3.pt.tmp', 'model_rank_3.pt', 'fsdp_config.json', 'lr_world_size_8_rank_0.pt']) {
      expect(parseShardName(name)).toBeNull();
    }
  });

  it('reads the tracker like int(text.strip())', () => {
    expect(parseTracker('120')).toBe(120);
    expect(parseTracker(' 120\n')).toBe(120);
    expect(parseTracker('')).toBeNull();
    expect(parseTracker('12.0')).toBeNull();
    expect(parseTracker('global_step_120')).toBeNull();
  });

  it('recognises weight files', () => {
    expect(isHfWeightFile('model-00001-of-00002.safetensors')).toBe(true);
    expect(isHfWeightFile('pytorch_model.bin')).toBe(true);
    expect(isHfWeightFile('training_args.bin')).toBe(false);
    expect(isHfWeightFile('config.json')).toBe(false);
  });

  it('prefers the tracker, else the highest step', () => {
    expect(chooseLatestStep(80, [40, 80, 120])).toEqual({ step: 80, source: 'tracker' });
    expect(chooseLatestStep(200, [40, 80])).toEqual({ step: 80, source: 'highest' });
    expect(chooseLatestStep(null, [40, 80])).toEqual({ step: 80, source: 'highest' });
    expect(chooseLatestStep(5, [])).toEqual({ step: null, source: 'none' });
  });
});

describe('rank lists', () => {
  it('compacts them', () => {
    expect(compactRanks([3])).toBe('3');
    expect(compactRanks([1, 2])).toBe('1, 2');
    expect(compactRanks([0, 1, 2, 5, 7, 8, 9])).toBe('0-2, 5, 7-9');
  });
});
