/** The pure pieces of the terminal and CI conventions: colour, annotations, the Printer, patch names, sizes, progress, standard output. */
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { colorDiff, paint, stripColor, useColor } from '../../src/output/color.js';
import { annotation, escapeData, escapeProperty } from '../../src/output/github.js';
import { commandOnTargets } from '../../src/advisedCommands.js';
import { afterApplyLines } from '../../src/output/nextSteps.js';
import { patchFileName } from '../../src/output/patchName.js';
import { formatBytes } from '../../src/output/bytes.js';
import { createProgressLine, renderProgress } from '../../src/output/progress.js';
import { jsonDocument, jsonError, Printer } from '../../src/output/printer.js';
import { TOOL_VERSION } from '../../src/version.js';
import { writesDirectly } from '../../src/output/stdio.js';

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
  it('names a checkout patch after its VeRL release', () => {
    expect(patchFileName(['0.9.0'], [])).toBe('verl-0.9.0-load-critic-only.patch');
  });

  it('says unknown when the checkout has no version file, and keeps names safe', () => {
    expect(patchFileName([undefined], [])).toBe('verl-unknown-load-critic-only.patch');
    expect(patchFileName(['0.5.0 (fork/x)'], [])).toBe('verl-0.5.0-fork-x-load-critic-only.patch');
  });

  it('names a single-file patch after the file', () => {
    expect(patchFileName([], ['recipe/spin/spin_trainer.py'])).toBe('spin_trainer-load-critic-only.patch');
  });

  it('falls back to a plain name for several files or releases, or a checkout and a file', () => {
    expect(patchFileName([], ['a.py', 'b.py'])).toBe('load-critic-only.patch');
    expect(patchFileName(['0.8.0', '0.9.0'], [])).toBe('load-critic-only.patch');
    expect(patchFileName(['0.9.0'], ['a.py'])).toBe('load-critic-only.patch');
  });
});

describe('sizes', () => {
  it('are formatted in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12.5 * 1024 ** 3)).toBe('12.5 GiB');
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

describe('the Printer', () => {
  function capture(options: ConstructorParameters<typeof Printer>[0]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const out = new Printer(options, { write: (t: string) => stdout.push(t), isTTY: false }, { write: (t: string) => stderr.push(t) });
    return { out, stdout, stderr };
  }
  const problem = { path: 'v/a.py', diffPath: 'a.py', line: 7, reason: 'no actor load' };

  it('prints data and info on stdout, notes and errors on stderr', () => {
    const { out, stdout, stderr } = capture({});
    out.data('--- a/x\n');
    out.info('ok x');
    out.note('VeRL 0.9.0 checkout at .: 1 target');
    out.problem(problem);
    out.fileError(undefined, 'no trainer');
    expect(stdout).toEqual(['--- a/x\n', 'ok x\n']);
    expect(stderr).toEqual(['VeRL 0.9.0 checkout at .: 1 target\n', 'verl-critic-patch: v/a.py:7: no actor load\n', 'verl-critic-patch: no trainer\n']);
  });

  it('with --quiet keeps data and errors and drops the rest', () => {
    const { out, stdout, stderr } = capture({ quiet: true, format: 'github' });
    out.data('diff');
    out.info('ok x');
    out.note('note');
    out.notice(problem);
    out.problem(problem);
    expect(stdout).toEqual(['diff']);
    expect(stderr).toEqual(['::error file=a.py,line=7,title=verl-critic-patch::no actor load\n']);
  });

  it('with --format github places file errors on the file, and notices too', () => {
    const { out, stderr } = capture({ format: 'github' });
    out.notice(problem);
    out.fileError('v/b.py', 'bad');
    out.error('run-wide');
    expect(stderr[0]).toBe('::notice file=a.py,line=7,title=verl-critic-patch::no actor load\n');
    expect(stderr[1]).toMatch(/^::error file=.*v\/b\.py,title=verl-critic-patch::bad\n$/);
    expect(stderr[2]).toBe('::error title=verl-critic-patch::run-wide\n');
  });

  it("writes the one JSON document when the run is over, in the envelope, with the verb's fields after it", () => {
    const { out, stdout } = capture({});
    out.json({ targets: [1], exitCode: 99, tool: 'other' });
    out.json({ problems: [] });
    expect(stdout).toEqual([]); // not before the exit code is known
    out.finish('check', 0);
    expect(stdout).toHaveLength(1);
    const document = JSON.parse(stdout[0]!);
    // The envelope's values win over a verb's fields of the same name, and keep their place.
    expect(Object.keys(document)).toEqual(['tool', 'version', 'command', 'exitCode', 'error', 'targets', 'problems']);
    expect(document).toMatchObject({ tool: 'verl-critic-patch', version: TOOL_VERSION, command: 'check', exitCode: 0, error: null });
    out.finish('check', 0);
    expect(stdout).toHaveLength(1); // written once
  });

  it('writes no JSON document unless a verb gave one', () => {
    const { out, stdout } = capture({});
    out.finish('diff', 1);
    expect(stdout).toEqual([]);
  });

  it('gives a failing run an error even when its verb gave none, and none to a run that succeeded', () => {
    expect(jsonDocument('preflight', 1, {}).error).toEqual({ kind: 'refused', message: 'preflight exited with 1; the reasons are in this document', path: null });
    expect(jsonDocument(null, 2, {}).error).toMatchObject({ kind: 'bad-input' });
    expect(jsonDocument('diff', 0, { error: jsonError(1, 'x') }).error).toBeNull();
    const given = { kind: 'usage', message: "unknown option '--x'", path: null };
    expect(jsonDocument('diff', 2, { error: given }).error).toEqual(given);
  });

  it('colours only when asked, or on a terminal', () => {
    expect(new Printer({ color: 'always' }, { write: () => 0 }).color).toBe(true);
    expect(new Printer({ color: 'never' }, { write: () => 0, isTTY: true }).color).toBe(false);
  });
});

describe('standard output', () => {
  it('writes files and the null device directly, and leaves anything else to Node.js', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vcp-stdio-'));
    const fds = [openSync(join(dir, 'out'), 'w'), openSync(dir, 'r'), ...(process.platform === 'win32' ? [] : [openSync('/dev/null', 'w')])];
    try {
      expect(fds.map(writesDirectly)).toEqual([true, false, ...(process.platform === 'win32' ? [] : [true])]);
      expect(writesDirectly(2 ** 30)).toBe(false); // not open
    } finally {
      fds.forEach((fd) => closeSync(fd));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('commandOnTargets: advice spelled as the user typed the command line', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('repeats --python with its interpreter, --only, every --exclude and the paths, in that order', () => {
    vi.stubEnv('HOME', '/home/ada');
    expect(commandOnTargets('check --applied', { targets: [], python: '/home/ada/venv/bin/python' })).toBe('verl-critic-patch check --applied --python ~/venv/bin/python');
    expect(commandOnTargets('apply', { targets: [], python: true })).toBe('verl-critic-patch apply --python');
    expect(commandOnTargets('apply', { targets: ['.', '/home/ada/src/verl'], only: 'ray_trainer.py', exclude: ['evals/old', 'b'] })).toBe(
      'verl-critic-patch apply --only ray_trainer.py --exclude evals/old --exclude b . ~/src/verl',
    );
  });

  it('quotes what the shell would split, and keeps ~ outside the quotes so that it still expands', () => {
    vi.stubEnv('HOME', '/home/ada');
    expect(commandOnTargets('apply', { targets: ['/home/ada/my venv/lib/site-packages', '/srv/a b'] })).toBe('verl-critic-patch apply ~/"my venv/lib/site-packages" "/srv/a b"');
    // Not the home folder itself, nor a folder that only starts with its name.
    expect(commandOnTargets('apply', { targets: ['/home/ada', '/home/adam/verl'] })).toBe('verl-critic-patch apply /home/ada /home/adam/verl');
  });

  it('the stage line after apply --python stages for that Python\'s VeRL', () => {
    vi.stubEnv('HOME', '/home/ada');
    expect(afterApplyLines(true, { targets: [], python: '/home/ada/venv/bin/python' })[1]).toBe("  verl-critic-patch stage --python ~/venv/bin/python <earlier run's checkpoint folder> <staged folder>");
    expect(afterApplyLines(true, { targets: ['.'] })[1]).toBe("  verl-critic-patch stage <earlier run's checkpoint folder> <staged folder>");
  });
});
