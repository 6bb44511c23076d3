/**
 * The trainers of the VeRL a launch (preflight) or a staged warm start (stage --verl) uses are
 * read as `check` reads them: a trainer that is not UTF-8 is refused with check's own line, not
 * analysed on a text Python would not run (issue 30).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveCritic } from '../helpers/checkpointTrees.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { writeShapedVerl } from '../helpers/launchShapes.js';
import { omegaConfPython } from '../launch/omegaconfGate.js';

const root = tempDir('vcp-verl-trainers-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const run = join(root, 'run');
saveCritic(join(run, 'global_step_40', 'critic'), { family: 'fsdp-v0.4.1', worldSize: 8 });

/** A 0.5-shaped checkout whose one trainer is fixtures/refuse/non_utf8.py. */
function nonUtf8Checkout(name: string): { verl: string; trainer: string } {
  const verl = writeShapedVerl(join(root, name), '0.5.0');
  const trainer = join(verl, 'verl', 'trainer', 'ppo', 'ray_trainer.py');
  copyFileSync(join(REPO_ROOT, 'fixtures', 'refuse', 'non_utf8.py'), trainer);
  return { verl, trainer };
}

describe('a non-UTF-8 trainer in the VeRL named', () => {
  it("stage --verl refuses it with check's line (exit 2) and stages nothing", () => {
    const { verl, trainer } = nonUtf8Checkout('stage');
    const check = runCli(['check', trainer]);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/not valid UTF-8 text/);
    const stage = runCli(['stage', '--verl', verl, run, join(root, 'warm')], { cwd: root });
    expect({ code: stage.code, stderr: stage.stderr }).toEqual({ code: 2, stderr: check.stderr });
    expect(existsSync(join(root, 'warm'))).toBe(false);
  });

  it("a trainer with a lone CR (Python's line break, not tree-sitter's): stage --verl refuses it with check's line too", () => {
    const verl = writeShapedVerl(join(root, 'lone-cr'), '0.5.0');
    const trainer = join(verl, 'verl', 'trainer', 'ppo', 'ray_trainer.py');
    writeFileSync(trainer, readFileSync(trainer, 'utf8').replace('# load actor\n', '# load actor\r'));
    const check = runCli(['check', trainer]);
    expect(check.stderr).toMatch(/lone CR/);
    const stage = runCli(['stage', '--verl', verl, run, join(root, 'warm-cr')], { cwd: root });
    expect({ code: stage.code, stderr: stage.stderr }).toEqual({ code: 2, stderr: check.stderr });
  });

  it.skipIf(omegaConfPython === null)("preflight refuses it with check's line (exit 2)", () => {
    const { verl, trainer } = nonUtf8Checkout('preflight');
    const check = runCli(['check', trainer]);
    const overrides = ['trainer.resume_mode=resume_path', `trainer.resume_from_path=${join(run, 'global_step_40')}`, 'trainer.load_critic_only=true'];
    const preflight = runCli(['preflight', '--verl', verl, '--', ...overrides], { cwd: root });
    expect({ code: preflight.code, stdout: preflight.stdout, stderr: preflight.stderr }).toEqual({ code: 2, stdout: '', stderr: check.stderr });
  });
});

describe('stage --verl decides "patched" by the planner, as preflight\'s check 1 does', () => {
  it('a trainer whose comment names load_critic_only but whose actor load is unguarded is unpatched', () => {
    // Two unpatched 0.5 checkouts, one whose trainer's comment names the flag: staged the same way
    // from folders of the same shape, they must print the same bytes (the overrides route).
    const stageIn = (name: string, comment: boolean) => {
      const cwd = join(root, name);
      mkdirSync(cwd, { recursive: true });
      const verl = writeShapedVerl(join(cwd, 'verl'), '0.5.0', { patched: false });
      const trainer = join(verl, 'verl', 'trainer', 'ppo', 'ray_trainer.py');
      if (comment) writeFileSync(trainer, readFileSync(trainer, 'utf8').replace('# load actor', '# load actor (TODO: skip it under trainer.load_critic_only)'));
      const result = runCli(['stage', '--verl', 'verl', run, 'warm'], { cwd });
      // stage prints the absolute out folder: the two differ only there.
      return { code: result.code, stdout: result.stdout.replaceAll(cwd, '<cwd>'), stderr: result.stderr.replaceAll(cwd, '<cwd>') };
    };
    const plain = stageIn('plain', false);
    const commented = stageIn('commented', true);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/load_contents=\[\]/);
    expect(commented).toEqual(plain);
  });
});

describe('--verl and --python together', () => {
  it.each([
    ['stage', [run, join(root, 'warm-both')]],
    ['preflight', ['--', 'trainer.load_critic_only=true']],
  ])('%s: the same usage error, exit 2, nothing run', (verb, rest) => {
    const result = runCli([verb, '--verl', join(root, 'anywhere'), '--python=python3', ...rest]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'error: give --verl or --python, not both\n(run with --help for usage)\n' });
  });
});

/**
 * The verbs that read the VeRL's trainers, forced onto the WebAssembly parser: runAction starts it
 * for every verb that declares it reads code, so each prints what the native path prints.
 */
describe('stage --verl and preflight on each parser path', () => {
  const verl = writeShapedVerl(join(root, 'paths'), '0.9.0', { patched: false });
  const onPath = (parser: string, args: string[]) => {
    const result = runCli(args, { cwd: root, env: { VERL_CRITIC_PATCH_PARSER: parser } });
    return { code: result.code, stdout: result.stdout.replaceAll(`warm-${parser}`, 'warm'), stderr: result.stderr.replaceAll(`warm-${parser}`, 'warm') };
  };

  it('stage --verl: the same bytes and exit code on both paths', () => {
    const [native, wasm] = ['native', 'wasm'].map((parser) => onPath(parser, ['stage', '--verl', verl, run, join(root, `warm-${parser}`)]));
    expect(wasm!.stderr).not.toMatch(/internal error|WebAssembly/);
    expect(wasm).toEqual(native);
  });

  it.skipIf(omegaConfPython === null)('preflight: the same bytes and exit code on both paths, the guarded trainer found', () => {
    // Patched: the config takes the flag, so check 1 reads the trainer (an unpatched config stops at the override).
    const patched = writeShapedVerl(join(root, 'paths-patched'), '0.9.0');
    const launch = ['preflight', '--verl', patched, '--', 'trainer.resume_mode=resume_path', `trainer.resume_from_path=${join(run, 'global_step_40')}`, 'trainer.load_critic_only=true'];
    const [native, wasm] = ['native', 'wasm'].map((parser) => onPath(parser, launch));
    // Check 1 read the guard: no finding of its own.
    expect(native!.stdout).not.toMatch(/\[1\] /);
    expect(wasm).toEqual(native);
  });
});
