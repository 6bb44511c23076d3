// The pure helpers: VeRL's names, the latest-step rule, rank lists, quoting, the progress line.
import { describe, expect, it } from 'vitest';
import {
  chooseLatestStep,
  isHfWeightFile,
  isRoleCaseVariant,
  parseShardName,
  parseStepDirName,
  parseTracker,
} from '../../src/checkpoint/layout.js';
import { formatBytes } from '../../src/checkpoint/format.js';
import { hydraOverride, nextCommand, shellWord } from '../../src/checkpoint/launch.js';
import { createProgressLine, renderProgress } from '../../src/checkpoint/progress.js';
import { compactRanks } from '../../src/checkpoint/report.js';
import { parseTempName, tempPathFor } from '../../src/checkpoint/tempdir.js';

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

  it('recognises case variants and weight files', () => {
    expect(isRoleCaseVariant('Critic', 'critic')).toBe(true);
    expect(isRoleCaseVariant('critic', 'critic')).toBe(false);
    expect(isRoleCaseVariant('Actor', 'critic')).toBe(false);
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

describe('small formatting helpers', () => {
  it('compacts rank lists', () => {
    expect(compactRanks([3])).toBe('3');
    expect(compactRanks([1, 2])).toBe('1, 2');
    expect(compactRanks([0, 1, 2, 5, 7, 8, 9])).toBe('0-2, 5, 7-9');
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12.5 * 1024 ** 3)).toBe('12.5 GiB');
  });
});

describe('the next command', () => {
  it('leaves plain paths alone', () => {
    expect(nextCommand('/data/ckpt/warm/global_step_0')).toEqual({
      overrides: ['trainer.resume_mode=resume_path', 'trainer.resume_from_path=/data/ckpt/warm/global_step_0', 'trainer.load_critic_only=true'],
      overridesPlusPlus: [
        'trainer.resume_mode=resume_path',
        'trainer.resume_from_path=/data/ckpt/warm/global_step_0',
        '++trainer.load_critic_only=true',
      ],
    });
  });

  it('quotes for Hydra inside and the shell outside', () => {
    expect(hydraOverride('k', '/a b/c')).toBe("k='/a b/c'");
    expect(hydraOverride('k', "/it's")).toBe("k='/it\\'s'");
    expect(hydraOverride('k', '/a,b=c')).toBe("k='/a,b=c'");
    expect(shellWord("k='/a b/c'")).toBe(`"k='/a b/c'"`);
    expect(shellWord("k='/$HOME/c'")).toBe(`'k='\\''/$HOME/c'\\'''`);
    expect(shellWord('k=/plain/path')).toBe('k=/plain/path');
  });
});

describe('temp folder names', () => {
  it('round-trips host and pid, and only for the right <out>', () => {
    const temp = tempPathFor('/x/warm', 4242);
    const name = temp.split('/').pop()!;
    expect(name.startsWith('warm.tmp-verl-critic-patch-')).toBe(true);
    expect(parseTempName(name, 'warm')?.pid).toBe(4242);
    expect(parseTempName(name, 'war')).toBeNull();
    expect(parseTempName('warm.tmp-verl-critic-patch-host', 'warm')).toBeNull();
    expect(parseTempName(`${name}.removing`, 'warm')?.pid).toBe(4242);
    expect(parseTempName(`${name}.old`, 'warm')).toBeNull();
  });
});

describe('the progress line', () => {
  const progress = { filesDone: 3, filesTotal: 10, bytesDone: 512, bytesTotal: 2048, copying: null };

  it('renders files, bytes and percent', () => {
    expect(renderProgress('staging critic', progress)).toBe('staging critic: 3/10 files, 512 B of 2.0 KiB (25%)');
    expect(renderProgress('x', { ...progress, bytesTotal: 0, bytesDone: 0 })).toBe('x: 3/10 files, 0 B of 0 B (30%)');
  });

  it('writes nothing when stderr is not a terminal', () => {
    const writes: string[] = [];
    const line = createProgressLine({ isTTY: false, write: (t: string) => writes.push(t) }, 'x');
    line.update(progress);
    line.update({ ...progress, filesDone: 10, bytesDone: 2048 });
    line.finish();
    expect(writes).toEqual([]);
  });

  it('rewrites one line on a terminal, fits it to the width, and erases it at the end', () => {
    const writes: string[] = [];
    const line = createProgressLine({ isTTY: true, columns: 30, write: (t: string) => writes.push(t) }, 'staging critic', 0);
    line.update(progress);
    line.update({ ...progress, filesDone: 10, bytesDone: 2048 });
    line.finish();
    line.finish();
    expect(writes).toEqual(['\r\x1b[2Kstaging critic: 3/10 files, 5', '\r\x1b[2Kstaging critic: 10/10 files, ', '\r\x1b[2K']);
    expect(writes.every((w) => !w.includes('\n'))).toBe(true);
  });
});
