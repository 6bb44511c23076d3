/** The pure pieces of the terminal and CI conventions: colour choice, diff colouring, annotations, patch names. */
import { describe, expect, it } from 'vitest';
import { colorDiff, paint, stripColor, useColor } from '../../src/output/color.js';
import { annotation, escapeData, escapeProperty } from '../../src/output/github.js';
import { patchFileName } from '../../src/output/patchName.js';

describe('useColor', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    ['a terminal', 'auto', tty, {}, true],
    ['a pipe', 'auto', pipe, {}, false],
    ['NO_COLOR on a terminal', 'auto', tty, { NO_COLOR: '1' }, false],
    ['an empty NO_COLOR', 'auto', tty, { NO_COLOR: '' }, true],
    ['FORCE_COLOR on a pipe', 'auto', pipe, { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR=0 on a terminal', 'auto', tty, { FORCE_COLOR: '0' }, false],
    ['an empty FORCE_COLOR on a pipe', 'auto', pipe, { FORCE_COLOR: '' }, false],
    ['NO_COLOR over FORCE_COLOR', 'auto', pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    ['TERM=dumb', 'auto', tty, { TERM: 'dumb' }, false],
    ['--color always over NO_COLOR', 'always', pipe, { NO_COLOR: '1' }, true],
    ['--color never over FORCE_COLOR', 'never', tty, { FORCE_COLOR: '1' }, false],
  ] as const)('%s', (_label, mode, stream, env, expected) => {
    expect(useColor(mode, stream, env)).toBe(expected);
  });
});

describe('colorDiff', () => {
  const diff = ['--- a/x.py', '+++ b/x.py', '@@ -1,2 +1,2 @@', ' same', '-old', '+new', '\\ No newline at end of file', ''].join('\n');

  it('colours headers, hunks, removals and additions, and nothing else', () => {
    const lines = colorDiff(diff).split('\n');
    expect(lines[0]).toBe('\u001b[1m--- a/x.py\u001b[0m');
    expect(lines[2]).toBe('\u001b[36m@@ -1,2 +1,2 @@\u001b[0m');
    expect(lines[3]).toBe(' same');
    expect(lines[4]).toBe('\u001b[31m-old\u001b[0m');
    expect(lines[5]).toBe('\u001b[32m+new\u001b[0m');
    expect(lines[6]).toBe('\\ No newline at end of file');
    expect(stripColor(colorDiff(diff))).toBe(diff);
  });

  it('keeps the CR of CRLF lines outside the colour', () => {
    expect(paint('-old\r', 'red')).toBe('\u001b[31m-old\u001b[0m\r');
    expect(stripColor(colorDiff('-a\r\n+b\r\n'))).toBe('-a\r\n+b\r\n');
  });
});

describe('GitHub annotations', () => {
  it('escapes %, CR and LF in messages, and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });

  it('writes file, line and title properties', () => {
    expect(annotation('error', 'no actor load: line 3, col 4', { file: 'verl/a,b.py', line: 12, title: 'verl-critic-patch' })).toBe(
      '::error file=verl/a%2Cb.py,line=12,title=verl-critic-patch::no actor load: line 3, col 4',
    );
    expect(annotation('notice', 'x')).toBe('::notice::x');
  });
});

describe('patchFileName', () => {
  const checkout = (version: string | undefined) => ({ root: 'v', packageDir: 'v/verl', version });
  const file = (path: string, inCheckout?: ReturnType<typeof checkout>) => ({ path, checkout: inCheckout }) as never;

  it('names a checkout patch after its VeRL release', () => {
    const c = checkout('0.9.0');
    expect(patchFileName({ checkouts: [c], files: [file('v/verl/trainer/ppo/ray_trainer.py', c)] })).toBe('verl-0.9.0-load-critic-only.patch');
  });

  it('says unknown when the checkout has no version file, and keeps names safe', () => {
    expect(patchFileName({ checkouts: [checkout(undefined)], files: [] })).toBe('verl-unknown-load-critic-only.patch');
    expect(patchFileName({ checkouts: [checkout('0.5.0 (fork/x)')], files: [] })).toBe('verl-0.5.0-fork-x-load-critic-only.patch');
  });

  it('names a single-file patch after the file', () => {
    expect(patchFileName({ checkouts: [], files: [file('recipe/spin/spin_trainer.py')] })).toBe('spin_trainer-load-critic-only.patch');
  });

  it('falls back to a plain name for several files or releases', () => {
    expect(patchFileName({ checkouts: [], files: [file('a.py'), file('b.py')] })).toBe('load-critic-only.patch');
    expect(patchFileName({ checkouts: [checkout('0.8.0'), checkout('0.9.0')], files: [] })).toBe('load-critic-only.patch');
  });
});
