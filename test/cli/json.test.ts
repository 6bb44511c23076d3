/**
 * `--json`: every verb, whatever happens (success, refusal, bad input, a command line commander
 * refuses), prints exactly one JSON document on stdout, in the one envelope (tool, version, command,
 * exitCode, error, then the verb's fields), whose exitCode is the process's.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typicalRun, writeRun } from '../helpers/checkpointTrees.js';
import { REPO_ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';

const ENVELOPE = ['tool', 'version', 'command', 'exitCode', 'error'];
const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

const work = tempDir('vcp-json-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Copies a fixture into the scratch folder (apply and revert write), returning its new path. */
function copy(fixture: string, name: string): string {
  const path = join(work, name);
  copyFileSync(join(REPO_ROOT, fixture), path);
  return path;
}

let counter = 0;
const fresh = (name: string) => join(work, `${name}-${counter++}`);

type Outcome = 'success' | 'refusal' | 'bad input' | 'usage error' | 'bug';
const KIND: Record<Outcome, string | null> = { success: null, refusal: 'refused', 'bad input': 'bad-input', 'usage error': 'usage', bug: 'internal' };
const CODE: Record<Outcome, number> = { success: 0, refusal: 1, 'bad input': 2, 'usage error': 2, bug: 2 };

/** The one JSON document of a run, checked against the envelope and the run's exit code. */
function documentOf(result: CliResult, verb: string | null, outcome: Outcome): Record<string, unknown> {
  expect(result.code, result.stderr).toBe(CODE[outcome]);
  expect(result.stdout.endsWith('}\n'), result.stdout).toBe(true);
  const document = JSON.parse(result.stdout) as Record<string, unknown>; // throws on anything but one document
  expect(Object.keys(document).slice(0, ENVELOPE.length)).toEqual(ENVELOPE);
  expect(document).toMatchObject({ tool: 'verl-critic-patch', version, command: verb, exitCode: result.code });
  if (KIND[outcome] === null) expect(document.error).toBeNull();
  else {
    expect(Object.keys(document.error as object)).toEqual(['kind', 'message', 'path']);
    expect(document.error).toMatchObject({ kind: KIND[outcome], message: expect.any(String) });
  }
  return document;
}

describe('every patch verb', () => {
  const files: Record<string, string> = {};
  beforeAll(() => {
    for (const verb of ['diff', 'apply', 'check', 'revert']) {
      files[`${verb} ok`] = copy('fixtures/python/tabs.py', `${verb}-ok.py`);
      files[`${verb} refused`] = copy('fixtures/refuse/super_only_subclass.py', `${verb}-refused.py`);
      files[`${verb} broken`] = copy('fixtures/refuse/syntax_error_in_method.py', `${verb}-broken.py`);
    }
    // revert's success is undoing a patch.
    expect(runCli(['apply', files['revert ok']!]).code).toBe(0);
  });

  describe.each(['diff', 'apply', 'check', 'revert'])('%s --json', (verb) => {
    it('success: exit 0, error null, the verb\'s targets', () => {
      const document = documentOf(runCli([verb, '--json', files[`${verb} ok`]!]), verb, 'success');
      expect(document.targets).toEqual([expect.objectContaining({ path: files[`${verb} ok`], status: { diff: 'needs-patch', apply: 'patched', check: 'needs-patch', revert: 'reverted' }[verb] })]);
    });

    it('refusal: exit 1, the error line a run without --json prints', () => {
      const path = files[`${verb} refused`]!;
      const document = documentOf(runCli([verb, '--json', path]), verb, 'refusal');
      expect(document.error).toMatchObject({ path });
      expect(runCli([verb, path]).stderr).toContain(`verl-critic-patch: ${(document.error as { message: string }).message}\n`);
    });

    it.each([
      ['a missing path', () => join(work, 'no-such.py')],
      ['a Python syntax error', () => files[`${verb} broken`]!],
    ])('bad input (%s): exit 2, the error names the file', (_, path) => {
      const document = documentOf(runCli([verb, '--json', path()]), verb, 'bad input');
      expect(document.error).toMatchObject({ path: path() });
    });

    it.each([
      [['--json', '--bogus', '.'], "unknown option '--bogus'"],
      [['--json'], "missing required argument 'target' (a path, or --python)"],
      [['.', '--color', 'sometimes', '--json'], "option '--color <when>' argument 'sometimes' is invalid. Allowed choices are auto, always, never."],
      [['--python', '--json', '.'], 'give target paths or --python, not both'],
    ])('usage error %j: exit 2, commander\'s line on stderr and in the document', (args, message) => {
      const result = runCli([verb, ...args]);
      const document = documentOf(result, verb, 'usage error');
      expect(document.error).toEqual({ kind: 'usage', message, path: null });
      expect(result.stderr).toBe(`error: ${message}\n(run with --help for usage)\n`);
    });
  });

  it('check --applied: a trainer not patched yet is the error', () => {
    const path = files['check ok']!;
    const document = documentOf(runCli(['check', '--applied', '--json', path]), 'check', 'refusal');
    expect(document.error).toMatchObject({ path, message: expect.stringContaining('not patched yet; to patch it, run: verl-critic-patch apply') });
  });

  it('diff --output: a write that fails is the error', () => {
    const blocker = copy('fixtures/python/tabs.py', 'a-file');
    const document = documentOf(runCli(['diff', '--json', '-o', join(blocker, 'x.patch'), files['diff ok']!]), 'diff', 'bad input');
    expect(document).toMatchObject({ output: null, error: { path: join(blocker, 'x.patch'), message: expect.stringContaining(`${blocker} is a file, not a folder`) } });
  });
});

describe('inspect --json', () => {
  it('success: the report after the envelope', () => {
    const run = typicalRun(fresh('run'), 2);
    expect(documentOf(runCli(['inspect', '--json', run]), 'inspect', 'success')).toMatchObject({ path: run, kind: 'run' });
  });

  it('refusal (what VeRL cannot load): the first such warning is the error', () => {
    const run = writeRun(fresh('run'), { steps: { 3: { critic: { worldSize: 2, missing: { model: [0] } } } } });
    const document = documentOf(runCli(['inspect', '--json', run]), 'inspect', 'refusal');
    expect(document.error).toMatchObject({ message: expect.stringMatching(/critic: model shards for world size 2 miss rank 0/) });
  });

  it('bad input (not a checkpoint): the error names the folder', () => {
    const dir = fresh('empty');
    mkdirSync(dir);
    expect(documentOf(runCli(['inspect', '--json', dir]), 'inspect', 'bad input').error).toMatchObject({ path: dir });
  });

  it.each([[['--json']], [['--json', 'a', 'b']], [['--strict', '--bogus', '--json', 'a']]])('usage error %j', (args) => {
    documentOf(runCli(['inspect', ...args]), 'inspect', 'usage error');
  });
});

describe('stage --json', () => {
  it('success: the staged critic after the envelope', () => {
    const out = fresh('out');
    expect(documentOf(runCli(['stage', '--json', typicalRun(fresh('run'), 1), out]), 'stage', 'success')).toMatchObject({ out, worldSize: 1 });
  });

  it('refusal (another world size)', () => {
    documentOf(runCli(['stage', '--json', '--world-size', '8', typicalRun(fresh('run'), 1), fresh('out')]), 'stage', 'refusal');
  });

  it('bad input (not a checkpoint, a bad --world-size)', () => {
    const dir = fresh('empty');
    mkdirSync(dir);
    documentOf(runCli(['stage', '--json', dir, fresh('out')]), 'stage', 'bad input');
    documentOf(runCli(['stage', '--json', '--world-size', 'two', typicalRun(fresh('run'), 1), fresh('out')]), 'stage', 'bad input');
  });

  it.each([[['--json', 'run1']], [['--json', '--verl', 'v', '--python', 'a', 'b']], [['a', 'b', 'c', '--json']]])('usage error %j', (args) => {
    documentOf(runCli(['stage', ...args]), 'stage', 'usage error');
  });
});

describe('a command line naming no verb', () => {
  it.each([[['--json']], [['--json', 'frobnicate']]])('%j: command is null', (args) => {
    documentOf(runCli(args), null, 'usage error');
  });

  it('prints no JSON for --help or --version, nor for --json after --, which makes it a path', () => {
    expect(runCli(['diff', '--json', '--help']).stdout).toMatch(/^Usage: verl-critic-patch diff/);
    expect(runCli(['--version']).stdout).toBe(`${version}\n`);
    const path = runCli(['stage', '--', '--json']);
    expect(path.code).toBe(2);
    expect(path.stdout).toBe('');
  });
});

describe('a bug of this tool', () => {
  it('is an internal error in the document, on one line, exit 2, for a verb that had already given its fields', () => {
    // runAction of the built CLI, in a process of its own, with an action that gives fields, then fails.
    const action = pathToFileURL(join(REPO_ROOT, 'dist/commands/action.js')).href;
    const script = `const { runAction } = await import(${JSON.stringify(action)});
await runAction('preflight', { json: true }, async (out) => { out.json({ checks: [] }); throw new TypeError('boom\\nsecond line'); });`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const document = documentOf({ code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }, 'preflight', 'bug');
    expect(document).toEqual({ tool: 'verl-critic-patch', version, command: 'preflight', exitCode: 2, error: { kind: 'internal', message: 'internal error: boom', path: null }, checks: [] });
    expect(result.stderr).toBe('verl-critic-patch: internal error: boom (set VERL_CRITIC_PATCH_DEBUG=1 for details)\n');
  });
});

describe('the bundled bin', () => {
  it('prints the same documents as tsc\'s output', () => {
    const entry = join(REPO_ROOT, 'dist/bin/verl-critic-patch.cjs');
    for (const args of [['check', '--json', 'fixtures/python/tabs.py'], ['stage', '--json', 'run1'], ['diff', '--json', 'no/such.py']]) {
      expect(runCli(args, { entry })).toEqual(runCli(args));
    }
  });
});
