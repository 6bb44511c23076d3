// The pure rules of checkpoint folders: VeRL's names, the latest-step rule, rank lists, releases.
import { describe, expect, it } from 'vitest';
import {
  chooseLatestStep,
  isHfWeightFile,
  parseMpRankDir,
  parseOptimName,
  parseRngName,
  parseShardName,
  parseStepDirName,
  parseTracker,
  readDistMetadata,
} from '../../src/checkpoint/layout.js';
import { atLeast, parseRelease, requiresDataPt, resumeFormOf } from '../../src/verl/release.js';
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

describe('Megatron names', () => {
  it('parses model folders, optimizer and RNG files of 0.3 and 0.4.0', () => {
    expect(parseMpRankDir('mp_rank_01')).toEqual({ tp: 1, pp: null, ep: null });
    expect(parseMpRankDir('mp_rank_01_002')).toEqual({ tp: 1, pp: 2, ep: null });
    expect(parseMpRankDir('mp_rank_00_001_003')).toEqual({ tp: 0, pp: 1, ep: 3 });
    expect(parseMpRankDir('mp_rank_1')).toBeNull();
    expect(parseOptimName('distrib_optim_pp0_tp1.pt')).toEqual({ pp: 0, tp: 1, cp: null, dp: null });
    expect(parseOptimName('distrib_optim_pp1_tp0_cp0_dp0.pt')).toEqual({ pp: 1, tp: 0, cp: 0, dp: 0 });
    expect(parseRngName('rng_states_pp0_tp1_cp0_dp3.pt')).toEqual({ pp: 0, tp: 1, cp: 0, dp: 3 });
    expect(parseRngName('rng_states.pt')).toBeNull();
  });

  it('reads the keys and shard files a dist_ckpt/.metadata names, from its bytes', () => {
    const bytes = Buffer.from('\x80\x04\x8c\x0boutput_layer\x8c\x1boptimizer.state.exp_avg.xyz\x8c\x0c__0_0.distcp\x8c\x0c__1_0.distcp\x8c\x0c__0_0.distcp.', 'latin1');
    expect(readDistMetadata(bytes)).toEqual({ files: ['__0_0.distcp', '__1_0.distcp'], optimizer: true, rng: false });
    expect(readDistMetadata(Buffer.from('rng_state __2_1.distcp'))).toEqual({ files: ['__2_1.distcp'], optimizer: false, rng: true });
  });
});

describe('VeRL releases', () => {
  it('orders version files as VeRL wrote them', () => {
    const release = (text: string) => parseRelease(text)!;
    expect(release('0.3.0.post1').key).toEqual([0, 3, 0, 2]);
    expect(release('0.7.0.dev').key).toEqual([0, 7, 0, 0]);
    expect(release('0.2').key).toEqual([0, 2, 0, 0]);
    expect(parseRelease('main')).toBeNull();
    expect(atLeast(release('0.3.0.post0'), '0.3.0.post1')).toBe(false);
    expect(atLeast(release('0.3.0'), '0.3.0')).toBe(true);
    expect(atLeast(release('0.10.0.dev'), '0.9.0')).toBe(true);
  });

  it('knows which releases take the path in resume_mode and which need data.pt', () => {
    const form = (text: string) => resumeFormOf(parseRelease(text)!);
    expect(['0.1', '0.2', '0.2.0.post2', '0.3.0', '0.3.0.post0', '0.3.0.post1', '0.9.0'].map(form)).toEqual([
      null,
      'path-in-resume-mode',
      'path-in-resume-mode',
      'path-in-resume-mode',
      'path-in-resume-mode',
      'resume-path',
      'resume-path',
    ]);
    expect(['0.1', '0.2.0.post1', '0.3.0', '0.4.0'].map((t) => requiresDataPt(parseRelease(t)!))).toEqual([false, true, false, false]);
  });
});
