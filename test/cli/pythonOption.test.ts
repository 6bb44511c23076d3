/**
 * `--python [interpreter]` never takes a positional for the interpreter, on every verb that has it
 * (diff, apply, check, revert, stage, preflight): the next argument is its value only when it is
 * an interpreter (src/commands/pythonOption.ts); `--python` alone still means python3, and
 * `--python=PATH` always names one.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInterpreterWord, separatePythonArgs } from '../../src/commands/pythonOption.js';
import { saveCritic, writeVerlCheckout } from '../helpers/checkpointTrees.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { lacks, PYTHON3 } from '../helpers/systemPackages.js';
import { findOmegaConf } from '../launch/omegaconfFind.js';

describe('separatePythonArgs', () => {
  const interpreters = new Set(['python3', '/venv/bin/python']);
  const isInterpreter = (word: string) => interpreters.has(word);
  it.each([
    [['stage', '--python', 'run071', 'warm'], ['stage', 'run071', 'warm', '--python']],
    [['stage', '--python', 'run071', 'warm', '--copy'], ['stage', 'run071', 'warm', '--python', '--copy']],
    [['stage', '--python', 'python3', 'run071', 'warm'], ['stage', '--python', 'python3', 'run071', 'warm']],
    [['check', '--python', '/venv/bin/python'], ['check', '--python', '/venv/bin/python']],
    [['check', '--python', '--json'], ['check', '--python', '--json']],
    [['check', '--python=run071'], ['check', '--python=run071']],
    [['preflight', '--python', 'k=v', '--', 'x', '--python', 'y'], ['preflight', 'k=v', '--python', '--', 'x', '--python', 'y']],
    [['preflight', '--python', '--', 'python3', '-m', 'x'], ['preflight', '--python', '--', 'python3', '-m', 'x']],
  ])('%j is read as %j', (args, expected) => {
    expect(separatePythonArgs(args, isInterpreter)).toEqual(expected);
  });
});

describe('isInterpreterWord', () => {
  const dir = tempDir('vcp-py-');
  const executable = join(dir, 'bin', 'py');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(executable, '#!/bin/sh\n');
  chmodSync(executable, 0o755);
  writeFileSync(join(dir, 'notes.txt'), '');
  it.each([
    [executable, true],
    [join(dir, 'bin'), false], // a folder: a target, a run, an <out>
    [join(dir, 'notes.txt'), false], // a file that cannot run
    [join(dir, 'no-such-run'), false],
    [join(dir, 'no', 'such', 'python3.11'), true], // named like one: "no such Python interpreter"
    ['python3', true],
    ['python3.99', true],
    ['sh', true], // a command on PATH
    ['run071', false],
  ])('%s: %s', (word, expected) => {
    expect(isInterpreterWord(word)).toBe(expected);
  });
});

describe.skipIf(lacks(PYTHON3))('on the command line', () => {
  /** A site-packages folder holding a VeRL 0.9.0 that python3 imports through PYTHONPATH. */
  function verlOnPythonPath(patched = true): Record<string, string> {
    const sitePackages = join(tempDir('vcp-site-'), 'lib', 'python3.11', 'site-packages');
    writeVerlCheckout(sitePackages, '0.9.0', { patched });
    writeFileSync(join(sitePackages, 'verl', '__init__.py'), '');
    return { PYTHONPATH: sitePackages };
  }

  it.each(['diff', 'apply', 'check', 'revert'])('%s --python FOLDER is a usage error naming both, not FOLDER run as an interpreter', (verb) => {
    const cwd = tempDir('vcp-cwd-');
    mkdirSync(join(cwd, 'verl'));
    const env = verlOnPythonPath(false);
    const result = runCli([verb, '--python', 'verl'], { cwd, env });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'error: give target paths or --python, not both\n(run with --help for usage)\n' });
    // Alone, or before another option, --python still means python3; =PATH names an interpreter.
    for (const args of [['--python'], ['--python', '--quiet'], ['--python', 'python3'], ['--python=python3']]) {
      const run = runCli([verb, ...args], { cwd, env });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
  });

  it('stage --python RUN OUT stages RUN into OUT with the verl python3 imports', () => {
    const work = tempDir('vcp-stage-');
    saveCritic(join(work, 'run071', 'global_step_8', 'critic'), { family: 'fsdp2', worldSize: 2, contents: ['model'] });
    const result = runCli(['stage', '--python', 'run071', 'warm'], { cwd: work, env: verlOnPythonPath() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^verl-critic-patch: note: VeRL imported by /);
    expect(result.stdout).toContain(`Staged the critic of ${join(work, 'run071', 'global_step_8')}`);
    expect(result.stdout).toContain('Overrides for VeRL 0.9.0');
  });

  it('--python= (an empty interpreter name) is one line, exit 2, on every verb that takes --python (it was an internal error)', () => {
    const cwd = tempDir('vcp-empty-python-');
    for (const args of [['diff'], ['apply'], ['check'], ['revert'], ['stage', 'run', 'out'], ['preflight', '--', 'trainer.resume_mode=auto']]) {
      const [verb, ...rest] = args;
      const result = runCli([verb!, '--python=', ...rest], { cwd });
      expect(result, args.join(' ')).toEqual({ code: 2, stdout: '', stderr: 'verl-critic-patch: --python: an empty interpreter name (give a path or a command, or --python alone for python3)\n' });
    }
  });

  it('preflight --python OVERRIDE takes the override as one, with the verl python3 imports', () => {
    const result = runCli(['preflight', '--python', 'trainer.resume_mode=auto'], { cwd: tempDir(), env: verlOnPythonPath() });
    expect(result.stderr).not.toContain('trainer.resume_mode=auto: no such Python interpreter');
    expect(result.stderr).not.toContain('missing required argument');
    // Composing the config takes OmegaConf; without it preflight says so, having found the VeRL.
    if (findOmegaConf() === null) expect(result.stderr).toMatch(/^verl-critic-patch: no Python with OmegaConf to compose the launch's config/);
    else expect(result.stdout).toContain('[2] trainer.resume_mode: resume_mode=auto finds no checkpoint');
  });
});
