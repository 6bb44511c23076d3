/**
 * Started by the PyPI package's launcher (pypi/verl_critic_patch), the tool knows the Python it was
 * started from (VERL_CRITIC_PATCH_PYTHON): `check --applied`, `apply`, `stage` and `preflight`
 * (overrides alone) use the VeRL that Python imports when the command line names none, saying so
 * in one note line; `diff`, `revert` and plain `check` still need a target; a named VeRL wins; a
 * different VeRL around the working folder stops the run naming both (src/verl/launcher.ts).
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filesUnder, runCli, tempDir } from '../helpers/cli.js';
import { writeModel, writeShapedVerl, writeStagedCritic } from '../helpers/launchShapes.js';
import { typicalRun, writeVerlCheckout } from '../helpers/checkpointTrees.js';
import { omegaConfPython } from '../launch/omegaconfGate.js';

const root = tempDir('vcp-launcher-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A VeRL 0.9.0 at `dir` as apply and stage read one (as preflight does, `forPreflight`), with the
 * package's __init__.py: a folder without one is no package to import.
 */
function shapedVerl(dir: string, patched = false, forPreflight = false): string {
  if (forPreflight) writeShapedVerl(dir, '0.9.0', { patched });
  else writeVerlCheckout(dir, '0.9.0', { patched });
  writeFileSync(join(dir, 'verl', '__init__.py'), '');
  return dir;
}

/** A virtual environment's interpreter: python3 with `sitePackages` on its path (all the tool asks of it is where verl is). */
function venvPython(name: string, sitePackages: string | null): string {
  const python = join(root, name, 'bin', 'python');
  mkdirSync(join(root, name, 'bin'), { recursive: true });
  // -I -S: no site-packages, no PYTHONPATH, no working folder: this one imports no verl whatever is installed.
  writeFileSync(python, sitePackages === null ? '#!/bin/sh\nexec python3 -I -S "$@"\n' : `#!/bin/sh\nPYTHONPATH='${sitePackages}' exec python3 "$@"\n`);
  chmodSync(python, 0o755);
  return python;
}

const sitePackages = join(root, 'venv', 'lib', 'python3.11', 'site-packages');
shapedVerl(sitePackages);
const python = venvPython('venv', sitePackages);
const noVerlPython = venvPython('tool-venv', null);
const project = join(root, 'project');
mkdirSync(project);
const launched = (args: string[], options: { cwd?: string; python?: string } = {}) =>
  runCli(args, { cwd: options.cwd ?? project, env: { VERL_CRITIC_PATCH_PYTHON: options.python ?? python } });
const noteLine = (stderr: string) => stderr.split('\n').filter((line) => line.includes('the Python verl-critic-patch was started from'));

describe("the launcher's Python: its VeRL when the command line names none", () => {
  it('check --applied, apply, check --applied: that VeRL, one note line each, the advised commands naming it with --python', () => {
    const before = launched(['check', '--applied']);
    expect(before.code, before.stderr).toBe(1);
    expect(noteLine(before.stderr)).toEqual([expect.stringMatching(new RegExp(`^note: no VeRL named: using the one .*python3 \\(Python [\\d.]+, the Python verl-critic-patch was started from\\) imports: ${sitePackages}/verl$`))]);
    expect(before.stderr).toContain(`not patched yet; to patch it, run: verl-critic-patch apply --python ${python}\n`);

    const apply = launched(['apply']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(noteLine(apply.stderr)).toHaveLength(1);
    expect(apply.stdout).toContain(`patched ${sitePackages}/verl/trainer/ppo/ray_trainer.py`);
    expect(apply.stderr).toContain(`run 'verl-critic-patch check --applied --python ${python}' in your launch script`);

    const after = launched(['check', '--applied']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain(`ok ${sitePackages}/verl/trainer/ppo/ray_trainer.py: already patched`);
    // revert undoes it the same way, naming nothing: the launcher's VeRL, one note line.
    const revert = launched(['revert']);
    expect(revert.code, revert.stderr).toBe(0);
    expect(noteLine(revert.stderr)).toHaveLength(1);
    expect(revert.stdout).toContain(`reverted ${sitePackages}/verl/trainer/ppo/ray_trainer.py`);
    expect(launched(['check', '--applied']).code).toBe(1);
  });

  it('without the variable (the npm install), and for diff and plain check: a target is still required (exit 2)', () => {
    expect(runCli(['apply'], { cwd: project }).code).toBe(2);
    expect(runCli(['revert'], { cwd: project }).code).toBe(2);
    for (const verb of ['diff', 'check']) {
      const result = launched([verb]);
      expect(result.code, verb).toBe(2);
      expect(result.stderr).toContain("error: missing required argument 'target'");
    }
  });

  it('a named VeRL wins: a path, or --python, with no note', () => {
    const checkout = shapedVerl(join(root, 'checkout-named'));
    const result = launched(['check', '--applied', checkout]);
    expect(result.code).toBe(1);
    expect(noteLine(result.stderr)).toEqual([]);
    expect(result.stderr).toContain('checkout-named');
    expect(result.stderr).not.toContain(sitePackages);
  });

  it('another VeRL around the working folder: exit 2, one line naming both and how to pick; nothing written', () => {
    const checkout = join(root, 'checkout');
    shapedVerl(checkout);
    const scripts = join(checkout, 'scripts');
    mkdirSync(scripts);
    const before = filesUnder(checkout);
    const result = launched(['apply'], { cwd: scripts });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`^verl-critic-patch: two VeRLs: ${checkout}/verl is here, and .*python3 \\(the Python verl-critic-patch was started from\\) imports ${sitePackages}/verl: name the one to use: 'apply ${checkout}' or 'apply --python ${python}'\\n$`));
    expect(filesUnder(checkout)).toEqual(before);
  });

  it("the checkout in the working folder is the one its Python imports (python -m from there): no second VeRL", () => {
    const checkout = join(root, 'checkout-cwd');
    shapedVerl(checkout);
    const result = launched(['check', '--applied'], { cwd: checkout });
    expect(result.code).toBe(1);
    expect(noteLine(result.stderr)).toEqual([expect.stringContaining(`imports: ${checkout}/verl`)]);
  });

  it('a launcher Python that imports no verl: apply and check --applied exit 2 saying how to name one; stage stages as without it', () => {
    for (const args of [['apply'], ['check', '--applied']]) {
      const result = launched(args, { python: noVerlPython });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(new RegExp(`imports no verl: name the VeRL to use: '${args.join(' ')} PATH' or '${args.join(' ')} --python INTERPRETER'`));
    }
    const run = typicalRun(join(root, 'run-novel'), 8);
    const staged = launched(['stage', run, join(root, 'warm-novel')], { python: noVerlPython });
    expect(staged.code, staged.stderr).toBe(0);
    expect(noteLine(staged.stderr)).toEqual([]);
  });

  it('stage: checks the new run against that VeRL (the patch route refused while unpatched), stages once it is patched', () => {
    const verl = join(root, 'venv-stage', 'lib', 'python3.11', 'site-packages');
    shapedVerl(verl);
    const stagePython = venvPython('venv-stage', verl);
    const run = typicalRun(join(root, 'run'), 8);
    // --route patch: unpatched, 0.9.0 would otherwise take the override route (issue 31).
    const refused = launched(['stage', '--route', 'patch', run, join(root, 'warm-refused')], { python: stagePython });
    expect(refused.code).toBe(1);
    expect(noteLine(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toContain(`verl-critic-patch apply --python ${stagePython}`);
    expect(launched(['apply'], { python: stagePython }).code).toBe(0);
    const staged = launched(['stage', run, join(root, 'warm')], { python: stagePython });
    expect(staged.code, staged.stderr).toBe(0);
    expect(noteLine(staged.stderr)).toEqual([expect.stringContaining(`imports: ${verl}/verl`)]);
    expect(staged.stdout).toContain(`Overrides for VeRL 0.9.0 (${verl}/verl)`);
  });

  it.skipIf(omegaConfPython === null)('preflight, overrides alone: that VeRL, with one note line', () => {
    const verl = join(root, 'venv-preflight', 'lib', 'python3.11', 'site-packages');
    shapedVerl(verl, true, true);
    const preflightPython = venvPython('venv-preflight', verl);
    const warm = writeStagedCritic(join(root, 'warm-preflight'), 'fsdp-v0.4.1', 8);
    writeModel(join(project, 'models', 'm'));
    const overrides = ['trainer.resume_mode=resume_path', `trainer.resume_from_path=${warm}`, 'trainer.load_critic_only=true', 'critic.model.path=models/m', 'actor_rollout_ref.model.path=models/m'];
    const result = launched(['preflight', '--', ...overrides], { python: preflightPython });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`imports: ${verl}/verl`)]);
    expect(result.stdout).toMatch(/^ok: the run will skip the actor and load the critic from /m);
    // Without the variable: overrides alone still need --verl or --python.
    expect(runCli(['preflight', '--', ...overrides], { cwd: project }).code).toBe(2);
  });
});
