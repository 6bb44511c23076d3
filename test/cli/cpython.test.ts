/**
 * One verdict from diff, check and apply on a trainer CPython rejects (issue 28): tree-sitter
 * recovers from an indentation error and reads PEP 701 f-strings, CPython 3.11 does neither. The
 * interpreter that judges is the one that runs VeRL: --python's, the environment's whose
 * site-packages holds the file, else python3 on PATH; the message names it and its version.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, readBytes, runCli, tempDir, writeFile } from '../helpers/cli.js';
import { lacks, PYTHON, PYTHON3, skipBecause } from '../helpers/systemPackages.js';

const REFUSE = join(REPO_ROOT, 'fixtures', 'refuse');
const VERBS = ['diff', 'check', 'apply'] as const;

/** `python -c` -> its version, X.Y.Z. */
function versionOf(python: string): string {
  return spawnSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).stdout?.trim() ?? '';
}

const atLeast312 = (version: string) => {
  const [major, minor] = version.split('.').map(Number);
  return major! > 3 || (major === 3 && minor! >= 12);
};

/** Each verb on its own copy of `source` in `dir`: exit code, stderr, and whether the copy changed. */
function threeVerbs(dir: string, source: Buffer, name: string, env: Record<string, string> = {}) {
  return VERBS.map((verb) => {
    const path = join(dir, `${verb}-${name}`);
    writeFile(path, source);
    const result = runCli([verb, path], { env });
    return { verb, code: result.code, stderr: result.stderr.replace(`${verb}-${name}`, name), changed: !readBytes(path).equals(source) };
  });
}

describe.skipIf(lacks(PYTHON3))('files CPython rejects', () => {
  const python = versionOf(PYTHON);

  it('an indentation error tree-sitter recovers from: exit 2 from diff, check and apply, one line naming the interpreter, no file written', () => {
    const source = readBytes(join(REFUSE, 'indentation_error.py'));
    const runs = threeVerbs(tempDir(), source, 'indentation_error.py');
    for (const run of runs) {
      expect(run.code, `${run.verb}: ${run.stderr}`).toBe(2);
      expect(run.changed, run.verb).toBe(false);
      expect(run.stderr).toMatch(new RegExp(`^verl-critic-patch: .*indentation_error\\.py:24: Python syntax error: unexpected indent \\(IndentationError, python3 ${python.replace(/\./g, '\\.')}\\); `));
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(new Set(runs.map((run) => run.stderr)).size).toBe(1);
  });

  it('the hint names a way the tool accepts: --python in place of the path (with the path, --python is a usage error), or --no-verify', () => {
    const path = join(tempDir(), 'ray_trainer.py');
    writeFile(path, readBytes(join(REFUSE, 'indentation_error.py')));
    const { stderr } = runCli(['diff', path]);
    expect(stderr).toMatch(/; if VeRL runs on another Python, name it in place of the path \(--python PY: the verl it imports, judged by it\), or --no-verify skips this check$/m);
    expect(runCli(['diff', '--python=python3', path]).stderr).toMatch(/give target paths or --python, not both/);
  });

  it('a multi-line f-string (PEP 701): the three verbs agree, on the verdict of the python3 on PATH', () => {
    const source = readBytes(join(REFUSE, 'needs_python_3_12.py'));
    const runs = threeVerbs(tempDir(), source, 'needs_python_3_12.py');
    const expected = atLeast312(python) ? 0 : 2;
    for (const run of runs) expect(run.code, `${run.verb}: ${run.stderr}`).toBe(expected);
    if (expected === 2) for (const run of runs) expect(run.stderr).toMatch(new RegExp(`needs_python_3_12\\.py:15: Python syntax error: .*\\(SyntaxError, python3 ${python.replace(/\./g, '\\.')}\\)`));
  });

  it('a trainer in a virtual environment is judged by that environment\'s interpreter, not python3 on PATH', () => {
    const venv = join(tempDir('vcp-venv-'), 'env');
    const made = spawnSync(PYTHON, ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const libs = readdirSync(join(venv, 'lib'));
    const trainer = join(venv, 'lib', libs[0]!, 'site-packages', 'verl', 'trainer', 'ppo', 'ray_trainer.py');
    writeFile(join(dirname(trainer), '..', '..', '__init__.py'), '');
    writeFile(trainer, readBytes(join(REFUSE, 'indentation_error.py')));
    // python3 on PATH is a stand-in that compiles everything (argv: -I -S -c SCRIPT FILE...): only
    // the venv's own interpreter can refuse the file.
    const bin = tempDir('vcp-bin-');
    writeFile(join(bin, 'python3'), '#!/bin/sh\nshift 4\necho \'{"python": "9.9.9"}\'\nfor f in "$@"; do echo \'{"ok": true}\'; done\n');
    spawnSync('chmod', ['+x', join(bin, 'python3')]);
    const check = runCli(['check', trainer], { env: { PATH: `${bin}${delimiter}${process.env.PATH}` } });
    expect(check.code, check.stderr).toBe(2);
    expect(check.stderr).toContain(`(IndentationError, ${join(venv, 'bin', libs[0]!)} ${python})`);
    // That interpreter is VeRL's own: no other to name.
    expect(check.stderr).toMatch(/\); --no-verify skips this check$/m);
  });

  it('with no python3 at all, diff and check decide on tree-sitter\'s parse and say so; apply writes and says it did not verify', () => {
    const source = readBytes(join(REFUSE, 'indentation_error.py'));
    const env = { PATH: tempDir('vcp-empty-path-') };
    const [diff, check, apply] = threeVerbs(tempDir(), source, 'indentation_error.py', env);
    for (const run of [diff!, check!]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/note: not checked with CPython: no python3 on PATH; tree-sitter's parse alone decided/);
    }
    expect(apply!.code, apply!.stderr).toBe(0);
    expect(apply!.stderr).toMatch(/not verified: no python3 on PATH/);
  });

  it('--no-verify: diff and check leave CPython out, as apply does', () => {
    const path = join(REFUSE, 'indentation_error.py');
    expect(runCli(['diff', '--no-verify', path]).code).toBe(0);
    expect(runCli(['check', '--no-verify', path]).code).toBe(0);
  });
});

/** A Python 3.12+ interpreter on this machine (PATH or pyenv), or undefined. */
function python312(): string | undefined {
  const candidates = ['python3.13', 'python3.12'];
  const pyenv = '/root/.pyenv/versions';
  if (existsSync(pyenv)) for (const version of readdirSync(pyenv)) candidates.push(join(pyenv, version, 'bin', 'python3'));
  return candidates.find((python) => {
    const version = versionOf(python);
    return version !== '' && atLeast312(version);
  });
}

const newer = python312();

it.skipIf(skipBecause('the Python 3.12 verdict', newer ? null : 'no Python 3.12 or later on this machine (Debian 12 has none)'))(
  'a multi-line f-string in a Python 3.12 environment patches cleanly there with all three verbs, even with an older python3 on PATH',
  () => {
    const venv = join(tempDir('vcp-venv312-'), 'env');
    const made = spawnSync(newer!, ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const lib = readdirSync(join(venv, 'lib'))[0]!;
    const packageDir = join(venv, 'lib', lib, 'site-packages', 'verl');
    writeFile(join(packageDir, '__init__.py'), '');
    const source = readBytes(join(REFUSE, 'needs_python_3_12.py'));
    for (const verb of VERBS) {
      const trainer = join(packageDir, 'trainer', 'ppo', 'ray_trainer.py');
      writeFile(trainer, source);
      const result = runCli([verb, trainer]);
      expect(result.code, `${verb}: ${result.stderr}`).toBe(0);
    }
  },
);
