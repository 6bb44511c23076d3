// inspect and stage through the built CLI (dist/cli.js): output, exit codes, and what a signal
// in the middle of a large stage leaves behind.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempPathFor } from '../../src/io/temp.js';
import {
  listFiles,
  saveCritic,
  scratch,
  snapshotTree,
  typicalRun,
  TYPICAL_RUN_REPORT,
  writeRun,
  writeStep,
  writeVerlCheckout,
} from '../helpers/checkpointTrees.js';
import { CLI, REPO_ROOT, hasStackTrace, runCli } from '../helpers/cli.js';
import { lacks, PYTHON3, SCRIPT } from '../helpers/systemPackages.js';
import { findOmegaConf } from '../launch/omegaconfFind.js';

/** Builds dist/ when it is missing or older than a source file (the shared globalSetup usually has). */
function ensureBuilt(): void {
  const newestSource = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newestSource(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestSource(join(REPO_ROOT, 'src'))) return;
  spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: REPO_ROOT });
}

const root = scratch('vcp-cli-');
beforeAll(ensureBuilt);
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = (name = 'case') => join(root, `${name}-${counter++}`);

describe('inspect on the command line', () => {
  it('prints the JSON report', () => {
    const run = typicalRun(fresh('run'), 2);
    const { code, stdout, stderr } = runCli(['inspect', '--json', run]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['tool', 'version', 'command', 'exitCode', 'error', 'path', 'kind', 'staged', 'run', 'step', 'warnings', 'warmStart']);
    expect(report.warmStart.defaultCarry).toBe('weights');
    expect(report.warmStart.byCarry.map((c: { carry: string }) => c.carry)).toEqual(['weights', 'optimizer', 'all']);
    expect(report.run).toEqual(TYPICAL_RUN_REPORT);
    expect(Object.keys(report.step)).toEqual(['path', 'step', 'dataPt', 'actor', 'critic', 'ignoredFolders']);
    expect(Object.keys(report.step.critic)).toEqual([
      'folder', 'path', 'backend', 'layout', 'worldSize', 'parallel', 'worldSizes', 'contents', 'missingRanks', 'fsdpConfig', 'huggingface', 'files', 'bytes',
    ]);
    expect(report.step.critic.worldSize).toBe(2);
    expect(report.step.critic.layout).toEqual({ id: 'fsdp-v0.4.1', label: 'FSDP shards with fsdp_config.json', savedBy: 'VeRL 0.4.1 and later' });
  });

  it('prints the table; exit 1 on what VeRL cannot load, 0 on warnings, 1 on warnings with --strict', () => {
    const broken = writeRun(fresh('run'), { steps: { 3: { critic: { worldSize: 2, missing: { model: [0] } } } }, tracker: 'x' });
    const first = runCli(['inspect', broken]);
    expect(first.code).toBe(1);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/VeRL cannot load this \(1\):\n {2}- global_step_3\/critic: model shards for world size 2 miss rank 0/);
    expect(first.stdout).toMatch(/Warnings \(1\):\n {2}- latest_checkpointed_iteration.txt: does not hold a step number/);

    const warned = writeRun(fresh('run'), { steps: { 3: { critic: { worldSize: 2 } } }, tracker: 'x' });
    expect(runCli(['inspect', warned]).code).toBe(0);
    const strict = runCli(['inspect', '--strict', '--json', warned]);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout).warnings.map((w: { code: string; level: string }) => [w.code, w.level])).toEqual([['tracker-malformed', 'warning']]);
    expect(runCli(['inspect', '--strict', typicalRun(fresh('run'), 1)]).code).toBe(0);
  });

  it('-q: the problems alone, a line each with the full path (errors first); nothing on a clean checkpoint', () => {
    const broken = writeRun(fresh('run'), { steps: { 3: { critic: { worldSize: 2, missing: { model: [0] } } } }, tracker: 'x' });
    const quiet = runCli(['inspect', '-q', broken]);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(
      `error   ${join(broken, 'global_step_3', 'critic')}: model shards for world size 2 miss rank 0: VeRL cannot load this checkpoint\n` +
        `warning ${join(broken, 'latest_checkpointed_iteration.txt')}: does not hold a step number (VeRL's int() would fail on "x")\n`,
    );
    const clean = runCli(['inspect', '--quiet', '--strict', typicalRun(fresh('run'), 1)]);
    expect(clean).toEqual({ code: 0, stdout: '', stderr: '' });
    // --json keeps its document under -q, as every verb's does.
    expect(JSON.parse(runCli(['inspect', '-q', '--json', broken]).stdout).exitCode).toBe(1);
  });

  it('fails on one line with exit 2 when the path is not a checkpoint', () => {
    const dir = fresh('empty');
    mkdirSync(dir);
    const { code, stdout, stderr } = runCli(['inspect', dir]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`verl-critic-patch: ${dir}: not a VeRL checkpoint folder: no global_step_* folders, no latest_checkpointed_iteration.txt, no actor/ or critic/\n`);
  });
});

describe('stage on the command line', () => {
  it('stages and prints the next overrides, with nothing on a non-TTY stderr', () => {
    const run = typicalRun(fresh('run'), 4);
    const out = fresh('warm start');
    const { code, stdout, stderr } = runCli(['stage', run, out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Staged the critic of ${run}/global_step_120 (step 120, FSDP, world size 4)`);
    expect(stdout).toContain(`into ${out}/global_step_0/critic: 8 files,`);
    expect(stdout).toContain("\nCarries over (default: weights): the critic's weights (FSDP model state).\n");
    expect(stdout).toContain('hard-linked; the source is unchanged.');
    // The path has a space: quoted for Hydra inside, for the shell outside.
    expect(stdout).toContain(
      `\n  trainer.resume_mode=resume_path "trainer.resume_from_path='${out}/global_step_0'" trainer.load_critic_only=true "critic.checkpoint.load_contents=[model]"\n`,
    );
    expect(stdout).toContain('write\n  ++trainer.load_critic_only=true instead of trainer.load_critic_only=true.');
    expect(stdout).toContain('same world size as the saved critic: 4 GPUs');
    expect(listFiles(join(out, 'global_step_0', 'critic'))).toHaveLength(8);
  });

  it('prints the plain overrides for a plain path, and JSON with --json', () => {
    const run = typicalRun(fresh('run'), 1);
    const out = fresh('out');
    const text = runCli(['stage', '--copy', '--carry', 'all', run, out]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`\n  trainer.resume_mode=resume_path trainer.resume_from_path=${out}/global_step_0 trainer.load_critic_only=true\n`);
    expect(text.stdout).toContain(', copied; the source is unchanged.');

    const out2 = fresh('out');
    const json = runCli(['stage', '--json', '--world-size', '1', run, out2]);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ out: out2, resumeFrom: `${out2}/global_step_0`, method: 'link', worldSize: 1, files: 5, carry: 'weights', inherits: [] });
    expect(result.carries).toEqual([{ kind: 'model', what: "the critic's weights (FSDP model state)" }]);
    const resume = ['trainer.resume_mode=resume_path', `trainer.resume_from_path=${out2}/global_step_0`];
    // overrides are argv elements (no shell quotes: fed to subprocess or preflight as they are), line is for a shell.
    expect(result.nextCommand).toEqual({
      overrides: [...resume, 'trainer.load_critic_only=true', 'critic.checkpoint.load_contents=[model]'],
      overridesPlusPlus: [...resume, '++trainer.load_critic_only=true', 'critic.checkpoint.load_contents=[model]'],
      line: `${resume.join(' ')} trainer.load_critic_only=true "critic.checkpoint.load_contents=[model]"`,
    });
    expect(result.launch.overrides).toEqual(result.nextCommand.overrides);

    const out3 = fresh('out');
    const all = JSON.parse(runCli(['stage', '--json', '--carry', 'all', run, out3]).stdout);
    expect(all.carry).toBe('all');
    expect(all.inherits.map((i: { settings: string[] }) => i.settings)).toEqual([['betas', 'eps', 'weight_decay'], ['critic.optim.lr', 'warmup', 'schedule position']]);
    expect(all.inherits[1].line).toMatch(/^critic\.optim\.lr, warmup and schedule position come from the old run \(FSDP extra state/);
  });

  it('resolves a relative <out> to an absolute resume path', () => {
    const run = typicalRun(fresh('run'), 1);
    const cwd = fresh('cwd');
    mkdirSync(cwd);
    const { code, stdout } = runCli(['stage', run, 'warm'], { cwd });
    expect(code).toBe(0);
    expect(stdout).toContain(`trainer.resume_from_path=${cwd}/warm/global_step_0 `);
  });

  it('warns on stderr about a Critic/ folder and stages it as critic/', () => {
    const dir = writeStep(join(fresh(), 'global_step_2'), { critic: { worldSize: 1 }, criticName: 'Critic' });
    const out = fresh('out');
    const { code, stderr } = runCli(['stage', dir, out]);
    expect(code).toBe(0);
    expect(stderr).toBe(
      `verl-critic-patch: warning: ${dir}/Critic: VeRL reads lowercase critic/ only; staged this Critic/ as critic/ (the source keeps its name)\n`,
    );
    expect(readdirSync(join(out, 'global_step_0'))).toEqual(['critic']);
  });

  it.each([
    ['no critic', () => writeRun(fresh('grpo'), { steps: { 5: { actor: { worldSize: 1 } } } }), [], 1, /global_step_5: no critic\/ folder/],
    ['world size differs', () => typicalRun(fresh('run'), 2), ['--world-size', '8'], 1, /was saved with world size 2, not 8/],
    ['bad --world-size', () => typicalRun(fresh('run'), 2), ['--world-size', 'eight'], 2, /--world-size must be a positive whole number/],
    ['zero --world-size', () => typicalRun(fresh('run'), 2), ['--world-size', '0'], 2, /--world-size must be a positive whole number/],
    ['VeRL 0.2.x', () => typicalRun(fresh('run'), 2), () => ['--verl', writeVerlCheckout(fresh('verl'), '0.2')], 1, /verl-\d+: VeRL 0\.2 loads data\.pt/],
    ['not a checkout', () => typicalRun(fresh('run'), 2), () => ['--verl', fresh('nowhere')], 2, /--verl: no such folder/],
    [
      '--model-only on VeRL 0.4.0',
      () => typicalRun(fresh('run'), 2),
      () => ['--model-only', '--verl', writeVerlCheckout(fresh('verl'), '0.4.0', { patched: true })],
      1,
      /--model-only, but VeRL 0\.4\.0 loads the critic's model, optimizer and extra state unconditionally .*: use --carry all/,
    ],
    [
      '--carry optimizer on VeRL 0.3.0.post1',
      () => typicalRun(fresh('run'), 2),
      () => ['--carry', 'optimizer', '--verl', writeVerlCheckout(fresh('verl'), '0.3.0.post1', { patched: true })],
      1,
      /--carry optimizer, but VeRL 0\.3\.0\.post1 loads the critic's model, optimizer and extra state unconditionally/,
    ],
    ['--carry optimizer, none saved', () => writeRun(fresh('run'), { steps: { 3: { critic: { worldSize: 1, kinds: ['model'] } } } }), ['--carry', 'optimizer'], 1, /critic: --carry optimizer, but the critic was saved without its optimizer state/],

  ] as [string, () => string, string[] | (() => string[]), number, RegExp][])('refuses: %s', (_, make, extra, exitCode, reason) => {
    const source = make();
    const out = fresh('out');
    const { code, stdout, stderr } = runCli(['stage', ...(typeof extra === 'function' ? extra() : extra), source, out]);
    expect(code).toBe(exitCode);
    expect(stdout).toBe('');
    expect(stderr).toMatch(reason);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(hasStackTrace(stderr)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('takes --carry weights|optimizer|all only, and --model-only only as --carry weights (usage errors, exit 2)', () => {
    const run = typicalRun(fresh('run'), 1);
    for (const [args, reason] of [
      [['--carry', 'bogus'], "error: option '--carry <what>' argument 'bogus' is invalid. Allowed choices are weights, optimizer, all."],
      [['--model-only', '--carry', 'all'], 'error: --model-only means --carry weights, not --carry all'],
    ] as [string[], string][]) {
      const out = fresh('out');
      const { code, stdout, stderr } = runCli(['stage', ...args, run, out]);
      expect({ code, stdout, first: stderr.split('\n')[0] }).toEqual({ code: 2, stdout: '', first: reason });
      expect(existsSync(out)).toBe(false);
    }
    const same = runCli(['stage', '--json', '--model-only', '--carry', 'weights', run, fresh('out')]);
    expect(JSON.parse(same.stdout).carry).toBe('weights');
  });

  // `script` runs the CLI on a pseudo-terminal, so stderr.isTTY is true as for a user at a shell.
  it.skipIf(lacks(SCRIPT))('shows one self-rewriting progress line on a terminal, erased at the end', () => {
    const run = typicalRun(fresh('run'), 2);
    const out = fresh('out');
    const tty = spawnSync('script', ['-qec', `${process.execPath} ${CLI} stage --carry all ${run} ${out}`, '/dev/null'], { encoding: 'utf8' });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain('\r\x1b[2Kstaging critic: 0/10 files, 0 B of ');
    expect(tty.stdout).toContain('\r\x1b[2Kstaging critic: 10/10 files, ');
    expect(tty.stdout).toContain('(100%)\r\x1b[2KStaged the critic of ');
    expect(tty.stdout.split('staging critic:')[0]).not.toContain('\n');
  });

  it('with -q/--quiet prints only errors and warnings: no summary, no note, no progress line, the same exit codes', () => {
    const step = join(fresh('run'), 'global_step_8');
    saveCritic(join(step, 'critic'), { family: 'fsdp2', worldSize: 2, contents: ['model'] });
    const verl = writeVerlCheckout(fresh('verl'), '0.9.0', { patched: true });
    const out = fresh('out');
    // --verl notes the VeRL it checked the launch against, or that its checks were skipped.
    expect(runCli(['stage', '--quiet', '--verl', verl, step, out])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(join(out, 'global_step_0', 'critic')).length).toBeGreaterThan(0);
    const again = runCli(['stage', '-q', '--json', step, out]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ exitCode: 0, alreadyStaged: true });
    const refused = runCli(['stage', '-q', step, join(step, '..')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^verl-critic-patch: .*(exists and is not empty|overlaps the source)/);
    if (!lacks(SCRIPT)) {
      const tty = spawnSync('script', ['-qec', `${process.execPath} ${CLI} stage -q ${step} ${fresh('out')}`, '/dev/null'], { encoding: 'utf8' });
      expect({ status: tty.status, output: tty.stdout }).toEqual({ status: 0, output: '' });
    }
  });

  it('--verl that names no folder: one line, exit 2, nothing staged (an empty value is not the working folder)', () => {
    const step = join(fresh('run'), 'global_step_8');
    saveCritic(join(step, 'critic'), { family: 'fsdp2', worldSize: 2, contents: ['model'] });
    const file = join(step, 'critic', 'fsdp_config.json');
    for (const [verl, said] of [['', '--verl: no such folder'], [fresh('missing'), '--verl: no such folder'], [file, '--verl: not a folder']] as const) {
      const out = fresh('out');
      const result = runCli(['stage', `--verl=${verl}`, step, out], { cwd: dirname(step) });
      expect(result.code, verl).toBe(2);
      expect(result.stderr).toBe(`verl-critic-patch: ${verl === '' ? '' : `${verl}: `}${said} (pass the VeRL checkout the new run uses)\n`);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('prints the launch line for the release of --verl, what to look for in the log, and how to resume later', () => {
    const step = join(fresh('run'), 'global_step_8');
    saveCritic(join(step, 'critic'), { family: 'fsdp2', worldSize: 2, contents: ['model'] });
    const verl = writeVerlCheckout(fresh('verl'), '0.9.0', { patched: true });
    const out = fresh('out');
    const { code, stdout, stderr } = runCli(['stage', '--verl', verl, step, out]);
    // The launch line does not depend on OmegaConf: stage --verl checks it with preflight where a
    // Python has OmegaConf (silent when it passes), and says in one note that it could not where none has.
    const skippedChecks = /^verl-critic-patch: note: preflight checks of the printed launch skipped: no Python with OmegaConf [^\n]*\n$/;
    expect({ code, stderr }).toEqual({ code: 0, stderr: findOmegaConf() === null ? expect.stringMatching(skippedChecks) : '' });
    expect(stdout).toContain(`Staged the critic of ${step} (step 8, FSDP, world size 2)`);
    expect(stdout).toContain(`Layout: FSDP2 shards (fsdp_config.json: FSDP_version 2), as VeRL 0.4.1 and later save it. Overrides for VeRL 0.9.0 (${verl}), whose critic loader is that of VeRL 0.4.1 and later.`);
    expect(stdout).toContain(
      "\nCarries over (default: weights): the critic's weights (FSDP model state).\n" +
        'Not loaded, so fresh in the new run: the optimizer state and extra state (LR schedule and RNG).\n' +
        "The new run inherits none of the old run's settings.\n",
    );
    expect(stdout).toContain(
      `\n  trainer.resume_mode=resume_path trainer.resume_from_path=${out}/global_step_0 trainer.load_critic_only=true "critic.checkpoint.load_contents=[model]" critic.strategy=fsdp2\n`,
    );
    expect(stdout).toContain('critic.strategy=fsdp2 as saved');
    expect(stdout).not.toContain('++trainer.load_critic_only');
    expect(stdout).toContain(
      [
        "In the new run's log, look for (the first line is the patched trainer's, the others VeRL's):",
        '  trainer.load_critic_only is set: skipped loading the actor checkpoint',
        `  Resuming from ${out}/global_step_0`,
        `  [Rank 0] Loaded model from ${out}/global_step_0/critic/model_world_size_2_rank_0.pt`,
        `  Warning: No dataloader state found at ${out}/global_step_0/data.pt, will start from scratch`,
      ].join('\n'),
    );
    expect(stdout).toContain(
      'Resume the new run later (once it has saved a checkpoint of its own) with trainer.resume_mode=auto,\n' +
        'without trainer.resume_from_path, trainer.load_critic_only, critic.checkpoint.load_contents:\n' +
        'with load_critic_only still set it would restore its own critic and step but start a fresh actor, silently.\n',
    );
  });

  it.skipIf(lacks(PYTHON3))('takes the VeRL of the new run as a package folder, or as the verl that --python imports', () => {
    const step = join(fresh('run'), 'global_step_8');
    saveCritic(join(step, 'critic'), { family: 'fsdp2', worldSize: 2, contents: ['model'] });
    const sitePackages = join(fresh('venv'), 'lib', 'python3.11', 'site-packages');
    writeVerlCheckout(sitePackages, '0.9.0', { patched: true });
    writeFileSync(join(sitePackages, 'verl', '__init__.py'), 'raise SystemExit("imported verl")\n');
    const byFolder = runCli(['stage', '--verl', join(sitePackages, 'verl'), step, fresh('out')]);
    expect(byFolder.code, byFolder.stderr).toBe(0);
    expect(byFolder.stdout).toContain('Overrides for VeRL 0.9.0');
    const byPython = runCli(['stage', '--python', 'python3', step, fresh('out')], { env: { PYTHONPATH: sitePackages } });
    expect(byPython.code, byPython.stderr).toBe(0);
    expect(byPython.stderr).toContain(`): ${join(sitePackages, 'verl')}`);
    expect(byPython.stdout).toContain('Overrides for VeRL 0.9.0');
    expect(runCli(['stage', '--verl', sitePackages, '--python', step, fresh('out')]).code).toBe(2);
  });

  it('runs twice in a launch script: the second stage says "already staged" and exits 0', () => {
    const run = typicalRun(fresh('run'), 1);
    const out = fresh('out');
    const first = runCli(['stage', run, out]);
    expect(first.code, first.stderr).toBe(0);
    const second = runCli(['stage', run, out]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^Already staged: /);
    expect(second.stdout.split('\n\n').slice(1)).toEqual(first.stdout.split('\n\n').slice(1));
    const json = runCli(['stage', '--json', run, out]);
    expect(json.code).toBe(0);
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain('"alreadyStaged":true');
  });

  it('refuses an unpatched VeRL that has no override route with exit 1 and the apply command as typed, unless --allow-unpatched', () => {
    const run = typicalRun(fresh('run'), 1);
    const sitePackages = join(fresh('venv'), 'lib', 'python3.11', 'site-packages');
    // 0.4.0: the actor's checkpoint manager opens every kind, so only the patch can skip it.
    writeVerlCheckout(sitePackages, '0.4.0');
    writeFileSync(join(sitePackages, 'verl', '__init__.py'), '');
    const out = fresh('out');
    const byFolder = runCli(['stage', '--verl', sitePackages, run, out]);
    expect(byFolder.code).toBe(1);
    expect(byFolder.stderr.trim().split('\n')).toHaveLength(1);
    expect(byFolder.stderr).toContain(`run verl-critic-patch apply ${sitePackages} first, or pass --allow-unpatched`);
    expect(existsSync(out)).toBe(false);
    const byPython = runCli(['stage', '--python', 'python3', run, out], { env: { PYTHONPATH: sitePackages } });
    expect(byPython.code).toBe(1);
    expect(byPython.stderr).toContain('run verl-critic-patch apply --python python3 first');
    const allowed = runCli(['stage', '--allow-unpatched', '--verl', sitePackages, run, out]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain(`Note: --allow-unpatched: the trainer of ${sitePackages} does not guard the actor load yet`);
  });

  it('refuses a non-empty <out> with exit 2', () => {
    const run = typicalRun(fresh('run'), 1);
    const { code, stderr } = runCli(['stage', run, join(run, '..')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/exists and is not empty|overlaps the source/);
  });
});

describe('stage interrupted', () => {
  const bigRun = () =>
    writeRun(fresh('big'), { steps: { 7: { critic: { worldSize: 96, shardBytes: 64 * 1024, huggingface: true } } } });
  const PAUSE_AT = 5;

  /**
   * Starts a copying stage that pauses before its file number PAUSE_AT (the test seam
   * VERL_CRITIC_PATCH_TEST_STAGE_PAUSE), and resolves once its temp folder holds the files before
   * it: the interruption then comes mid-stage however busy the machine is, never after the end.
   */
  function startStage(run: string, out: string) {
    const child = spawn(process.execPath, [CLI, 'stage', '--copy', '--carry', 'all', run, out], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VERL_CRITIC_PATCH_TEST_STAGE_PAUSE: String(PAUSE_AT) },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const midway = new Promise<boolean>((resolve) => {
      const temp = join(tempPathFor(out, child.pid), 'global_step_0', 'critic');
      const poll = setInterval(() => {
        let count = 0;
        try {
          count = readdirSync(temp).length;
        } catch {
          /* not there yet */
        }
        if (count >= PAUSE_AT) {
          clearInterval(poll);
          resolve(true);
        }
      }, 10);
      void exited.then(() => {
        clearInterval(poll);
        resolve(false);
      });
    });
    return { child, exited, midway, stderr: () => stderr };
  }

  function expectCompleteOrAbsent(out: string, source: string) {
    if (!existsSync(out)) return 'absent';
    expect(snapshotTree(join(out, 'global_step_0', 'critic'))).toMatchObject(
      Object.fromEntries(
        Object.entries(snapshotTree(source))
          .filter(([p]) => !p.endsWith('/'))
          .map(([p, f]) => [p, { size: f.size, sha256: f.sha256 }]),
      ),
    );
    return 'complete';
  }

  it('on SIGINT removes the temp folder, leaves no <out>, and dies by the signal', async () => {
    const run = bigRun();
    const before = snapshotTree(run);
    const out = fresh('out');
    const stage = startStage(run, out);
    const reachedMidway = await stage.midway;
    if (reachedMidway) stage.child.kill('SIGINT');
    const { signal, code } = await stage.exited;
    expect(reachedMidway).toBe(true);
    // Dies by the signal, with one line on stderr and no stack trace (a race once produced one).
    expect({ signal, code, stderr: stage.stderr() }).toEqual({
      signal: 'SIGINT',
      code: null,
      stderr: `verl-critic-patch: ${out}: interrupted; removed the partly staged folder, nothing was staged\n`,
    });
    expect(existsSync(out)).toBe(false);
    const base = out.split('/').pop()!;
    expect(readdirSync(join(out, '..')).filter((n) => n.startsWith(`${base}.`) || n.startsWith(`.${base}.`))).toEqual([]);
    expect(snapshotTree(run)).toEqual(before);
  });

  it('on SIGKILL leaves <out> absent or complete, and the next stage cleans the leftover', async () => {
    const run = bigRun();
    const out = fresh('out');
    const stage = startStage(run, out);
    const reachedMidway = await stage.midway;
    if (reachedMidway) stage.child.kill('SIGKILL');
    const { signal } = await stage.exited;
    expect(reachedMidway).toBe(true);
    expect(signal).toBe('SIGKILL');
    const source = join(run, 'global_step_7', 'critic');
    const state = expectCompleteOrAbsent(out, source);
    const leftover = tempPathFor(out, stage.child.pid);
    expect(state === 'absent' ? existsSync(leftover) : true).toBe(true);

    if (state === 'absent') {
      const again = runCli(['stage', '--carry', 'all', run, out]);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain(`verl-critic-patch: note: removed ${leftover}, left by an interrupted stage`);
      expect(existsSync(leftover)).toBe(false);
      expect(expectCompleteOrAbsent(out, source)).toBe('complete');
    }
  });
});
