// The launch overrides apply and stage print: flag spelling, and quoting for Hydra and the shell.
import { describe, expect, it } from 'vitest';
import { flagOverride, hydraOverride, shellWord, warmStartOverrides } from '../src/hydra.js';

describe('warm-start overrides', () => {
  it('leave plain paths alone, and spell the flag for a config with or without the key', () => {
    expect(warmStartOverrides('/data/ckpt/warm/global_step_0', true)).toEqual([
      'trainer.resume_mode=resume_path',
      'trainer.resume_from_path=/data/ckpt/warm/global_step_0',
      'trainer.load_critic_only=true',
    ]);
    expect(warmStartOverrides('/data/ckpt/warm/global_step_0', false)).toEqual([
      'trainer.resume_mode=resume_path',
      'trainer.resume_from_path=/data/ckpt/warm/global_step_0',
      '++trainer.load_critic_only=true',
    ]);
    expect(flagOverride(true)).toBe('trainer.load_critic_only=true');
    expect(flagOverride(false)).toBe('++trainer.load_critic_only=true');
  });

  it('print a placeholder as it is, and quote a real path that needs it', () => {
    expect(warmStartOverrides({ placeholder: '<staged folder>/global_step_0' }, true)[1]).toBe('trainer.resume_from_path=<staged folder>/global_step_0');
    expect(warmStartOverrides('/my runs/global_step_0', true)[1]).toBe(`"trainer.resume_from_path='/my runs/global_step_0'"`);
  });

  it('quote for Hydra inside and the shell outside', () => {
    expect(hydraOverride('k', '/a b/c')).toBe("k='/a b/c'");
    expect(hydraOverride('k', "/it's")).toBe("k='/it\\'s'");
    expect(hydraOverride('k', '/a,b=c')).toBe("k='/a,b=c'");
    expect(shellWord("k='/a b/c'")).toBe(`"k='/a b/c'"`);
    expect(shellWord("k='/$HOME/c'")).toBe(`'k='\\''/$HOME/c'\\'''`);
    expect(shellWord('k=/plain/path')).toBe('k=/plain/path');
  });
});
