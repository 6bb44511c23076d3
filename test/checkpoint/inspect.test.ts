// inspect: every report field and every warning, on fake trees built by test/helpers/checkpointTrees.ts.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectCheckpoint } from '../../src/checkpoint/inspect.js';
import { formatReport } from '../../src/output/inspectTable.js';
import type { InspectReport, WarningCode } from '../../src/checkpoint/reportTypes.js';
import { ExitCode, ToolError } from '../../src/errors.js';
import { saveCritic, scratch, typicalRun, TYPICAL_RUN_REPORT, writeRole, writeRun, writeStep } from '../helpers/checkpointTrees.js';
import { stageCritic } from '../../src/checkpoint/stage.js';

const root = scratch('vcp-inspect-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = (name = 'case') => join(root, `${name}-${counter++}`);

const codes = (report: InspectReport): WarningCode[] => report.warnings.map((w) => w.code);

async function expectToolError(promise: Promise<unknown>, exitCode: number, reason: RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolError);
  expect((error as ToolError).exitCode).toBe(exitCode);
  expect((error as ToolError).reason).toMatch(reason);
}

describe('inspect: a healthy FSDP run folder', () => {
  it('reports the run, the latest step and both roles in full', async () => {
    const run = typicalRun(fresh('run'), 4);
    const report = await inspectCheckpoint(run);
    expect(report.kind).toBe('run');
    expect(report.path).toBe(run);
    expect(report.run).toEqual(TYPICAL_RUN_REPORT);
    expect(report.step?.path).toBe(join(run, 'global_step_120'));
    expect(report.step?.step).toBe(120);
    expect(report.step?.dataPt).toBe(true);
    expect(report.step?.ignoredFolders).toEqual([]);
    for (const role of ['actor', 'critic'] as const) {
      const r = report.step?.[role];
      expect(r).toMatchObject({
        folder: role,
        path: join(run, 'global_step_120', role),
        backend: 'fsdp',
        worldSize: 4,
        worldSizes: [4],
        contents: { model: true, optimizer: true, extra: true },
        missingRanks: [],
        fsdpConfig: { present: true, worldSize: 4 },
        huggingface: { files: 3, weights: false },
        files: 4 * 3 + 1 + 3,
      });
      expect(r!.bytes).toBeGreaterThan(4 * 3 * 64);
    }
    expect(report.warnings).toEqual([]);
  });

  it.each([1, 2, 8, 16])('reads world size %i from the shard names', async (worldSize) => {
    const dir = writeStep(join(fresh(), 'global_step_7'), { critic: { worldSize } });
    const report = await inspectCheckpoint(dir);
    expect(report.kind).toBe('step');
    expect(report.run).toBeNull();
    expect(report.step?.step).toBe(7);
    expect(report.step?.critic?.worldSize).toBe(worldSize);
    expect(report.step?.actor).toBeNull();
    expect(report.warnings).toEqual([]);
  });

  it('reports which of model / optimizer / extra state were saved', async () => {
    const dir = writeStep(join(fresh(), 'global_step_3'), {
      actor: { worldSize: 2, kinds: ['model'] },
      critic: { worldSize: 2, kinds: ['model', 'extra'] },
      dataPt: false,
    });
    const report = await inspectCheckpoint(dir);
    expect(report.step?.dataPt).toBe(false);
    expect(report.step?.actor?.contents).toEqual({ model: true, optimizer: false, extra: false });
    expect(report.step?.critic?.contents).toEqual({ model: true, optimizer: false, extra: true });
    expect(report.step?.critic?.huggingface).toBeNull();
    expect(report.warnings).toEqual([]);
  });

  it('tells a huggingface/ folder with weights from one without', async () => {
    const dir = writeStep(join(fresh(), 'global_step_1'), {
      actor: { worldSize: 1, huggingface: 'weights' },
      critic: { worldSize: 1, huggingface: true },
    });
    const report = await inspectCheckpoint(dir);
    expect(report.step?.actor?.huggingface).toEqual({ files: 4, weights: true });
    expect(report.step?.critic?.huggingface).toEqual({ files: 3, weights: false });
  });
});

describe('inspect: a Megatron checkpoint', () => {
  it('reports dist_ckpt/ as Megatron 0.4.1-0.8, contents from its .metadata, world size not recorded', async () => {
    const run = writeRun(fresh('mcore'), {
      steps: { 10: { actor: { backend: 'megatron' }, critic: { backend: 'megatron', huggingface: true } } },
    });
    const report = await inspectCheckpoint(run);
    const critic = report.step?.critic;
    expect(critic).toMatchObject({
      backend: 'megatron',
      layout: { id: 'megatron-v0.4.1', savedBy: 'VeRL 0.4.1 to 0.8' },
      worldSize: null,
      worldSizes: [],
      contents: { model: true, optimizer: true, extra: true },
      fsdpConfig: { present: false, worldSize: null },
      huggingface: { files: 3, weights: false },
      files: 7 + 3,
    });
    expect(report.warnings).toEqual([]);
    expect(formatReport(report)).toMatch(/backend\s+Megatron\s+Megatron\n/);
    expect(formatReport(report)).toMatch(/layout\s+as VeRL 0.4.1 to 0.8 save it\s+as VeRL 0.4.1 to 0.8 save it/);
    expect(formatReport(report)).toMatch(/world size\s+not recorded\s+not recorded/);
  });

  it('warns about FSDP shards and dist_ckpt/ mixed in one folder', async () => {
    const dir = join(fresh(), 'global_step_2');
    writeStep(dir, { critic: { worldSize: 2 } });
    writeRole(join(dir, 'critic'), { backend: 'megatron' });
    const report = await inspectCheckpoint(dir);
    expect(report.step?.critic?.backend).toBe('mixed');
    expect(codes(report)).toContain('mixed-backend');
  });
});

describe('inspect: the tracker file', () => {
  const step = { critic: { worldSize: 2 } };

  it('warns when the tracker and the highest global_step_ disagree, and follows the tracker', async () => {
    const run = writeRun(fresh(), { steps: { 40: step, 80: step, 120: step }, tracker: 80 });
    const report = await inspectCheckpoint(run);
    expect(report.run).toMatchObject({ latestStep: 80, highestStep: 120, latestFrom: 'tracker' });
    expect(report.step?.path).toBe(join(run, 'global_step_80'));
    expect(codes(report)).toEqual(['tracker-disagrees']);
    expect(report.warnings[0]!.message).toMatch(/says 80, but global_step_120 exists.*using step 80/);
  });

  it('falls back to the highest step when the tracker names a missing folder', async () => {
    const run = writeRun(fresh(), { steps: { 40: step, 80: step }, tracker: 200 });
    const report = await inspectCheckpoint(run);
    expect(report.run).toMatchObject({ latestStep: 80, latestFrom: 'highest', tracker: { step: 200 } });
    expect(codes(report)).toEqual(['tracker-step-missing']);
  });

  it('warns about a tracker VeRL cannot parse', async () => {
    const run = writeRun(fresh(), { steps: { 5: step }, tracker: 'step 5\n' });
    const report = await inspectCheckpoint(run);
    expect(report.run?.tracker).toEqual({ present: true, step: null, raw: 'step 5' });
    expect(report.run?.latestStep).toBe(5);
    expect(codes(report)).toEqual(['tracker-malformed']);
  });

  it('accepts the tracker with surrounding whitespace, as int() does', async () => {
    const run = writeRun(fresh(), { steps: { 5: step }, tracker: ' 5\n' });
    const report = await inspectCheckpoint(run);
    expect(report.run?.tracker.step).toBe(5);
    expect(report.warnings).toEqual([]);
  });

  it('warns when there is no tracker', async () => {
    const run = writeRun(fresh(), { steps: { 5: step, 9: step }, tracker: null });
    const report = await inspectCheckpoint(run);
    expect(report.run).toMatchObject({ tracker: { present: false, step: null, raw: null }, latestStep: 9, latestFrom: 'highest' });
    expect(codes(report)).toEqual(['tracker-missing']);
  });

  it('warns when a run folder has a tracker but no step folders', async () => {
    const run = fresh();
    mkdirSync(run);
    writeFileSync(join(run, 'latest_checkpointed_iteration.txt'), '3');
    const report = await inspectCheckpoint(run);
    expect(report.step).toBeNull();
    expect(report.run?.latestStep).toBeNull();
    expect(codes(report)).toEqual(['no-steps', 'tracker-step-missing']);
    expect(formatReport(report)).toMatch(/Latest step\s+none/);
  });

  it('ignores folders that only look like steps', async () => {
    const run = writeRun(fresh(), { steps: { 5: step } });
    mkdirSync(join(run, 'global_step_9.bak'));
    mkdirSync(join(run, 'global_step_'));
    const report = await inspectCheckpoint(run);
    expect(report.run?.steps).toEqual([5]);
    expect(report.warnings).toEqual([]);
  });
});

describe('inspect: shard problems', () => {
  it('warns about shards of mixed world sizes', async () => {
    const dir = writeStep(join(fresh(), 'global_step_4'), { critic: { worldSize: 4, alsoWorldSize: 8, fsdpConfig: 8 } });
    const report = await inspectCheckpoint(dir);
    expect(report.step?.critic).toMatchObject({ worldSize: null, worldSizes: [4, 8], missingRanks: [] });
    expect(codes(report)).toEqual(['mixed-world-sizes']);
    expect(report.warnings[0]!.message).toMatch(/several world sizes \(4, 8\)/);
    expect(formatReport(report)).toMatch(/world size\s+-\s+mixed: 4, 8/);
  });

  it('lists missing ranks per kind, compactly', async () => {
    const dir = writeStep(join(fresh(), 'global_step_4'), {
      critic: { worldSize: 8, missing: { model: [3], optimizer: [1, 2, 3, 6] } },
    });
    const report = await inspectCheckpoint(dir);
    expect(report.step?.critic?.missingRanks).toEqual([
      { kind: 'model', worldSize: 8, ranks: [3] },
      { kind: 'optimizer', worldSize: 8, ranks: [1, 2, 3, 6] },
    ]);
    expect(codes(report)).toEqual(['missing-ranks', 'missing-ranks']);
    expect(report.warnings.map((w) => w.worldSize)).toEqual([8, 8]);
    expect(report.warnings[0]!.message).toBe('model shards for world size 8 miss rank 3: VeRL cannot load this checkpoint');
    expect(report.warnings[1]!.message).toMatch(/miss ranks 1-3, 6:/);
    expect(formatReport(report)).toMatch(/model\s+-\s+yes, ranks missing/);
  });

  it('warns about ranks beyond the world size', async () => {
    const dir = writeStep(join(fresh(), 'global_step_4'), { critic: { worldSize: 2 } });
    writeFileSync(join(dir, 'critic', 'model_world_size_2_rank_5.pt'), 'x');
    const report = await inspectCheckpoint(dir);
    expect(codes(report)).toEqual(['extra-ranks']);
  });

  it('warns when fsdp_config.json disagrees with the shards or is not JSON', async () => {
    const a = writeStep(join(fresh(), 'global_step_4'), { critic: { worldSize: 2, fsdpConfig: 4 } });
    const reportA = await inspectCheckpoint(a);
    expect(reportA.step?.critic?.fsdpConfig).toEqual({ present: true, worldSize: 4 });
    expect(codes(reportA)).toEqual(['fsdp-config']);
    expect(reportA.warnings[0]!.message).toMatch(/says world_size 4, but the shard files are for world size 2/);

    const b = writeStep(join(fresh(), 'global_step_4'), { critic: { worldSize: 2, fsdpConfig: '{oops' } });
    expect(codes(await inspectCheckpoint(b))).toEqual(['fsdp-config']);
  });

  it('warns about a role folder without model weights', async () => {
    const a = writeStep(join(fresh(), 'global_step_4'), { critic: { worldSize: 2, kinds: ['optimizer', 'extra'] } });
    const reportA = await inspectCheckpoint(a);
    expect(reportA.step?.critic?.contents).toEqual({ model: false, optimizer: true, extra: true });
    expect(codes(reportA)).toEqual(['no-model']);

    const b = join(fresh(), 'global_step_4');
    mkdirSync(join(b, 'critic'), { recursive: true });
    const reportB = await inspectCheckpoint(b);
    expect(reportB.step?.critic).toMatchObject({ backend: 'unknown', worldSize: null, files: 0 });
    expect(codes(reportB)).toEqual(['no-model']);
  });

  it('warns about a dangling symlink', async () => {
    const dir = writeStep(join(fresh(), 'global_step_4'), { critic: { worldSize: 1, huggingface: true } });
    symlinkSync('/nonexistent/model.safetensors', join(dir, 'critic', 'huggingface', 'model.safetensors'));
    const report = await inspectCheckpoint(dir);
    expect(codes(report)).toEqual(['unreadable']);
    expect(report.warnings[0]!.message).toBe('huggingface/model.safetensors: dangling symlink');
  });
});

describe('inspect: names VeRL does not read', () => {
  it('warns about Critic/ when there is no critic/', async () => {
    const dir = writeStep(join(fresh(), 'global_step_4'), { actor: { worldSize: 2 }, critic: { worldSize: 2 }, criticName: 'Critic' });
    const report = await inspectCheckpoint(dir);
    expect(report.step?.critic?.folder).toBe('Critic');
    expect(report.step?.ignoredFolders).toEqual(['Critic']);
    expect(codes(report)).toEqual(['role-case']);
    expect(report.warnings[0]).toMatchObject({ path: join(dir, 'Critic') });
    expect(report.warnings[0]!.message).toMatch(/VeRL reads lowercase critic\/ and will not find Critic\//);
    const text = formatReport(report);
    expect(text).toMatch(/ignored by VeRL\s+Critic\//);
    expect(text).toMatch(/\s{2}Critic\/\n/);
  });

  it('warns that Critic/ is ignored when critic/ exists too, and reports critic/', async () => {
    const dir = writeStep(join(fresh(), 'global_step_4'), { critic: { worldSize: 2 } });
    writeRole(join(dir, 'Critic'), { worldSize: 4 });
    const report = await inspectCheckpoint(dir);
    expect(report.step?.critic?.folder).toBe('critic');
    expect(report.step?.critic?.worldSize).toBe(2);
    expect(codes(report)).toEqual(['role-case']);
    expect(report.warnings[0]!.message).toMatch(/VeRL reads critic\/ and ignores Critic\//);
  });

  it('warns when there is no critic at all (a GRPO run)', async () => {
    const run = writeRun(fresh(), { steps: { 50: { actor: { worldSize: 2 } } } });
    const report = await inspectCheckpoint(run);
    expect(report.step?.critic).toBeNull();
    expect(codes(report)).toEqual(['no-critic']);
    expect(formatReport(report)).toMatch(/critic\/ \(missing\)/);
  });

  it('warns when a step folder is not named global_step_<N>', async () => {
    const dir = writeStep(fresh('warm_critic'), { critic: { worldSize: 2 }, dataPt: false });
    const report = await inspectCheckpoint(dir);
    expect(report.kind).toBe('step');
    expect(report.step?.step).toBeNull();
    expect(codes(report)).toEqual(['not-global-step']);
    expect(report.warnings[0]!.message).toMatch(/asserts that trainer.resume_from_path contains global_step_/);
  });
});

describe('inspect: refusals', () => {
  it('refuses a missing path, a file, and a folder that is not a checkpoint (exit 2)', async () => {
    await expectToolError(inspectCheckpoint(join(root, 'nope')), ExitCode.BadInput, /no such file or folder/);
    const file = join(root, 'file.txt');
    writeFileSync(file, 'x');
    await expectToolError(inspectCheckpoint(file), ExitCode.BadInput, /not a folder/);
    const empty = fresh();
    mkdirSync(empty);
    await expectToolError(inspectCheckpoint(empty), ExitCode.BadInput, /not a VeRL checkpoint folder/);
  });

  it('points a role folder to its step folder', async () => {
    const dir = writeStep(join(fresh(), 'global_step_4'), { critic: { worldSize: 2 } });
    await expectToolError(inspectCheckpoint(join(dir, 'critic')), ExitCode.BadInput, /role folder.*pass the global_step_N folder/);
  });
});

describe('inspect: the human table', () => {
  it('shows every field of a run', async () => {
    const run = typicalRun(fresh('run'), 8);
    const text = formatReport(await inspectCheckpoint(run));
    expect(text).toContain(`Checkpoint   ${run} (run folder)`);
    expect(text).toMatch(/Steps\s+40, 80, 120/);
    expect(text).toMatch(/Tracker\s+latest_checkpointed_iteration.txt = 120/);
    expect(text).toMatch(/Latest step\s+120 \(from the tracker\)/);
    expect(text).toMatch(/Step folder\s+.*global_step_120/);
    expect(text).toMatch(/data.pt\s+yes/);
    expect(text).toMatch(/\s+actor\/\s+critic\/\n/);
    expect(text).toMatch(/backend\s+FSDP\s+FSDP\n/);
    expect(text).toMatch(/layout\s+as VeRL 0.4.1 and later save it\s+as VeRL 0.4.1 and later save it\n/);
    expect(text).toMatch(/world size\s+8\s+8/);
    expect(text).toMatch(/optimizer\s+yes\s+yes/);
    expect(text).toMatch(/extra state\s+yes\s+yes/);
    expect(text).toMatch(/fsdp_config.json\s+yes \(world_size 8\)\s+yes \(world_size 8\)/);
    expect(text).toMatch(/huggingface\/\s+yes, 3 files, no weights\s+yes, 3 files, no weights/);
    expect(text).toMatch(/size\s+28 files, 1\.\d KiB/);
    expect(text).toMatch(/No problems found\.\n$/);
  });

  it('gives the verdict (what VeRL cannot load) before the warm-start table', async () => {
    const run = writeRun(fresh(), { steps: { 1: { critic: { worldSize: 2, missing: { model: [1] } } } } });
    const text = formatReport(await inspectCheckpoint(run));
    const verdict = text.indexOf('\nVeRL cannot load this (1):\n');
    const warmStart = text.indexOf('\nWarm start from this critic');
    expect(verdict).toBeGreaterThan(text.indexOf('\nsize '));
    expect(warmStart).toBeGreaterThan(verdict);
  });

  it('lists warnings with paths relative to the inspected folder', async () => {
    const run = writeRun(fresh(), { steps: { 1: { critic: { worldSize: 2, missing: { model: [1] } } } } });
    const text = formatReport(await inspectCheckpoint(run));
    expect(text).toMatch(/VeRL cannot load this \(1\):\n {2}- global_step_1\/critic: model shards for world size 2 miss rank 1/);
  });
});

describe('inspect: what each warning is about', () => {
  it('scopes every warning to the run, the step, or the role folder (by its name on disk)', async () => {
    const run = writeRun(fresh('run'), {
      steps: { 5: { actor: { worldSize: 2, missing: { model: [1] } }, critic: { worldSize: 2 }, criticName: 'Critic' }, 9: {} },
      tracker: 5,
    });
    const report = await inspectCheckpoint(run);
    expect(report.warnings.map((w) => [w.code, w.scope, w.folder])).toEqual([
      ['tracker-disagrees', 'run', undefined],
      ['missing-ranks', 'actor', 'actor'],
      ['role-case', 'critic', 'Critic'],
    ]);
  });
});

describe('inspect: what VeRL cannot load, and a staged folder', () => {
  it('marks missing ranks and files as errors, other findings as warnings', async () => {
    const run = writeRun(fresh('run'), { steps: { 3: { critic: { worldSize: 2, missing: { model: [1] } } } }, tracker: null });
    const report = await inspectCheckpoint(run);
    expect(report.warnings.map((w) => [w.code, w.level])).toEqual([
      ['tracker-missing', 'warning'],
      ['missing-ranks', 'error'],
    ]);
  });

  it('gives a folder made by stage no tracker warning, and says what it is', async () => {
    const run = typicalRun(fresh('run'), 2);
    const out = fresh('out');
    await stageCritic(run, out);
    const report = await inspectCheckpoint(out);
    expect(report).toMatchObject({ kind: 'run', staged: true, warnings: [] });
    expect(formatReport(report)).toContain(`Checkpoint   ${out} (run folder staged for a warm start: critic only)`);
    // The same shape with an actor is a run that lost its tracker.
    writeRole(join(out, 'global_step_0', 'actor'), { worldSize: 2 });
    expect(codes(await inspectCheckpoint(out))).toEqual(['tracker-missing']);
  });

  it('names the layout of each saver and the parallel layout Megatron records', async () => {
    const step = join(fresh(), 'global_step_4');
    saveCritic(join(step, 'critic'), { family: 'megatron-v0.4.0', tp: 2, pp: 2, dp: 2 });
    const critic = (await inspectCheckpoint(step)).step!.critic!;
    expect(critic).toMatchObject({
      backend: 'megatron',
      layout: { id: 'megatron-v0.4.0', savedBy: 'VeRL 0.4.0' },
      worldSize: 8,
      parallel: { tp: 2, pp: 2, cp: 1, dp: 2, worldSize: 8 },
      contents: { model: true, optimizer: true, extra: true },
      huggingface: { files: 4, weights: false },
    });
    expect(formatReport(await inspectCheckpoint(step))).toMatch(/world size\s+-\s+tp 2, pp 2, world size 8\n/);
  });
});

describe('inspect: what a warm start from the critic would restore', () => {
  it('lists, per --carry, the kinds loaded and the settings inherited on the saving releases, or why they cannot', async () => {
    const fsdp = join(fresh(), 'global_step_4');
    saveCritic(join(fsdp, 'critic'), { family: 'fsdp2', worldSize: 2 });
    const report = await inspectCheckpoint(fsdp);
    expect(report.warmStart?.loader).toEqual({ id: 'fsdp-v0.4.1', releases: 'VeRL 0.4.1 and later' });
    expect(report.warmStart?.defaultCarry).toBe('weights');
    expect(report.warmStart?.byCarry.map((c) => ('refusal' in c ? c.refusal : c.inherits.flatMap((i) => i.settings)))).toEqual([
      [],
      ['betas', 'eps', 'weight_decay'],
      ['betas', 'eps', 'weight_decay', 'critic.optim.lr', 'warmup', 'schedule position'],
    ]);
    const text = formatReport(report);
    expect(text).toContain('Warm start from this critic (stage --carry), on VeRL 0.4.1 and later, the releases that save this layout; without --carry: weights:\n');
    expect(text).toContain("  weights    loads model; the new run inherits none of the old run's settings (critic.checkpoint.load_contents=[model])\n");
    // What stage and docs/warm-start.md say of the optimizer state: the old lr holds until the
    // scheduler's first step; with the old schedule itself (all), the whole lr is the old run's.
    expect(text).toContain(
      "  optimizer  loads model, optimizer; the new run inherits betas, eps, weight_decay from the old run, and the lr until the scheduler's first step (critic.checkpoint.load_contents=[model,optimizer])\n",
    );
    expect(text).toMatch(/\n {2}all {8}loads model, optimizer, extra; the new run inherits betas, eps, weight_decay, critic\.optim\.lr, warmup, schedule position from the old run\n/);

    // FSDP 0.2 to 0.4.0 cannot leave anything out; Megatron 0.3 can, narrowing what the new run saves.
    const old = join(fresh(), 'global_step_4');
    saveCritic(join(old, 'critic'), { family: 'fsdp-v0.4.0', worldSize: 2 });
    const oldReport = await inspectCheckpoint(old);
    expect(oldReport.warmStart?.defaultCarry).toBe('all');
    expect(oldReport.warmStart?.byCarry.map((c) => 'refusal' in c)).toEqual([true, true, false]);
    expect(formatReport(oldReport)).toMatch(/\n {2}weights {4}cannot: --carry weights, but VeRL 0\.2 to 0\.4\.0 loads the critic's model, optimizer and extra state unconditionally/);
    const mcore = join(fresh(), 'global_step_4');
    saveCritic(join(mcore, 'critic'), { family: 'megatron-v0.3' });
    expect(formatReport(await inspectCheckpoint(mcore))).toContain(
      "  weights    loads model; the new run inherits none of the old run's settings (critic.checkpoint.contents=[model], which also narrows what the new run saves)\n",
    );
  });

  it('has nothing to say without a critic', async () => {
    const step = writeStep(join(fresh(), 'global_step_1'), { actor: { worldSize: 1 } });
    expect((await inspectCheckpoint(step)).warmStart).toBe(null);
  });
});

describe('inspect: sizes for people', () => {
  it('counts one file as "1 file", more as "N files"', async () => {
    const step = writeStep(fresh('step'), { critic: { backend: 'fsdp', worldSize: 1, kinds: ['model'], fsdpConfig: false }, dataPt: false });
    const text = formatReport(await inspectCheckpoint(step));
    expect(text).toMatch(/size\s+-?\s*1 file, /);
    expect(text).not.toMatch(/\b1 files\b/);
  });
});
