// stage, called as a function: link and copy, the source left untouched, every refusal, and
// failures half-way that must leave neither <out> nor the temp folder behind.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectCheckpoint } from '../../src/checkpoint/inspect.js';
import { removeStaleStages, stageCritic, type StageProgress } from '../../src/checkpoint/stage.js';
import { tempPathFor } from '../../src/io/temp.js';
import { formatStageResult } from '../../src/output/stageSummary.js';
import { ExitCode } from '../../src/errors.js';
import { toolError } from '../helpers/toolError.js';
import { listFiles, saveCritic, scratch, snapshotTree, typicalRun, writeRole, writeRun, writeStep, writeVerlCheckout } from '../helpers/checkpointTrees.js';

const root = scratch('vcp-stage-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = (name = 'case') => join(root, `${name}-${counter++}`);


/** Nothing named <out> or <out>.tmp-* beside it. */
function expectNoTrace(out: string) {
  expect(existsSync(out)).toBe(false);
  const base = out.split('/').pop()!;
  const parent = out.slice(0, out.length - base.length - 1);
  expect(readdirSync(parent).filter((n) => n.startsWith(base))).toEqual([]);
}

describe('stage: the happy path', () => {
  it('hard-links the latest critic into <out>/global_step_0/critic and nothing else (--carry all)', async () => {
    const run = typicalRun(fresh('run'), 4);
    const before = snapshotTree(run);
    const out = fresh('out');
    const result = await stageCritic(run, out, { carry: 'all' });

    expect(result).toMatchObject({
      source: { stepPath: join(run, 'global_step_120'), step: 120, criticPath: join(run, 'global_step_120', 'critic'), criticFolder: 'critic' },
      out,
      resumeFrom: join(out, 'global_step_0'),
      criticDest: join(out, 'global_step_0', 'critic'),
      backend: 'fsdp',
      worldSize: 4,
      files: 16,
      linked: 16,
      copied: 0,
      method: 'link',
      layout: { id: 'fsdp-v0.4.1' },
      written: [],
      warnings: [],
      notes: [
        'no --verl given: these overrides are for the releases that save this layout (VeRL 0.4.1 and later); ' +
          'pass --verl CHECKOUT to have them checked against the VeRL the new run uses',
        // With no VeRL named, the patch route is printed and the override route named (a 0.4.1+ FSDP layout).
        'a VeRL you cannot patch also works if the new run uses VeRL 0.4.1 or later with an FSDP or FSDP2 actor: ' +
          'write "actor_rollout_ref.actor.checkpoint.load_contents=[]" instead of trainer.load_critic_only=true (stage --route overrides --verl <its VeRL> prints and checks it)',
      ],
      removedLeftovers: [],
      carry: 'all',
      route: 'patch',
    });
    expect(result.launch).toMatchObject({ loader: { id: 'fsdp-v0.4.1' }, basis: { kind: 'layout' }, loadKinds: ['model', 'optimizer', 'extra'] });
    expect(result.inherits.map((i) => i.settings)).toEqual([['betas', 'eps', 'weight_decay'], ['critic.optim.lr', 'warmup', 'schedule position']]);
    expect(readdirSync(out)).toEqual(['global_step_0']);
    expect(readdirSync(join(out, 'global_step_0'))).toEqual(['critic']);
    const src = join(run, 'global_step_120', 'critic');
    expect(listFiles(result.criticDest)).toEqual(listFiles(src));
    for (const file of listFiles(src)) {
      expect(statSync(join(result.criticDest, file)).ino).toBe(statSync(join(src, file)).ino);
    }
    expect(snapshotTree(run)).toEqual(before);
    expect(existsSync(tempPathFor(out))).toBe(false);
  });

  it('by default stages the weights only, with the override that makes VeRL 0.4.1+ load only them', async () => {
    const run = typicalRun(fresh('run'), 4);
    const result = await stageCritic(run, fresh('out'));
    expect(result).toMatchObject({ carry: 'weights', inherits: [], files: 8, linked: 8 });
    expect(result.carries.map((c) => c.kind)).toEqual(['model']);
    expect(listFiles(result.criticDest).filter((f) => f.endsWith('.pt'))).toEqual([0, 1, 2, 3].map((r) => `model_world_size_4_rank_${r}.pt`));
    expect(result.launch.overrides.at(-1)).toBe('critic.checkpoint.load_contents=[model]');
    expect(formatStageResult(result)).toContain(
      "Carries over (default: weights): the critic's weights (FSDP model state).\n" +
        'Not loaded, so fresh in the new run: the optimizer state and extra state (LR schedule and RNG).\n' +
        "The new run inherits none of the old run's settings.\n",
    );
  });

  it('copies with copy: true: same bytes, different files, source untouched', async () => {
    const run = typicalRun(fresh('run'), 2);
    const before = snapshotTree(run);
    const out = fresh('out');
    const result = await stageCritic(run, out, { copy: true, carry: 'all' });
    expect(result).toMatchObject({ method: 'copy', linked: 0, copied: 10, files: 10 });
    const src = join(run, 'global_step_120', 'critic');
    const staged = snapshotTree(result.criticDest);
    const original = snapshotTree(src);
    expect(Object.keys(staged).sort()).toEqual(Object.keys(original).sort());
    for (const [file, fact] of Object.entries(original)) {
      if (file.endsWith('/')) continue;
      expect(staged[file]!.sha256).toBe(fact.sha256);
      expect(staged[file]!.ino).not.toBe(fact.ino);
    }
    expect(snapshotTree(run)).toEqual(before);
  });

  it('stages the given step folder rather than the latest', async () => {
    const run = typicalRun(fresh('run'), 2);
    const result = await stageCritic(join(run, 'global_step_40'), fresh('out'));
    expect(result.source.step).toBe(40);
    expect(result.source.stepPath).toBe(join(run, 'global_step_40'));
  });

  it('follows the tracker when it disagrees with the highest folder, and says so', async () => {
    const run = writeRun(fresh('run'), { steps: { 40: { critic: { worldSize: 2 } }, 80: { critic: { worldSize: 2 } } }, tracker: 40 });
    const result = await stageCritic(run, fresh('out'));
    expect(result.source.step).toBe(40);
    expect(result.warnings.map((w) => w.code)).toEqual(['tracker-disagrees']);
  });

  it('stages a Megatron critic with its dist_ckpt/ and huggingface/ trees', async () => {
    const run = writeRun(fresh('mcore'), { steps: { 10: { actor: { backend: 'megatron' }, critic: { backend: 'megatron', huggingface: 'weights' } } } });
    const result = await stageCritic(run, fresh('out'), { worldSize: 8 });
    expect(result).toMatchObject({ backend: 'megatron', layout: { id: 'megatron-v0.4.1' }, worldSize: null, files: 11 });
    expect(listFiles(result.criticDest)).toEqual(listFiles(join(run, 'global_step_10', 'critic')));
    expect(result.warnings.map((w) => w.code)).toEqual(['world-size-unchecked']);
    expect(formatStageResult(result)).toMatch(/same parallel layout/);
    // A Megatron critic is loaded by a run of Megatron's config: the launch it prints says so.
    expect(formatStageResult(result)).toContain('your usual command (python3 -m verl.trainer.main_ppo --config-name ppo_megatron_trainer ...)');
  });

  it("names the Python the new run's VeRL was found with (--python, the launcher's) in the launch it prints", async () => {
    const result = await stageCritic(typicalRun(fresh('run'), 2), fresh('out'), { worldSize: 2 });
    expect(formatStageResult(result)).toContain('your usual command (python3 -m verl.trainer.main_ppo ...)');
    expect(formatStageResult(result, { python: '/opt/my env/bin/python' })).toContain(`your usual command ("/opt/my env/bin/python" -m verl.trainer.main_ppo ...)`);
  });

  it('accepts an existing empty <out> folder and creates missing parents', async () => {
    const run = typicalRun(fresh('run'), 1);
    const empty = fresh('empty');
    mkdirSync(empty);
    expect((await stageCritic(run, empty)).files).toBe(5);
    const deep = join(fresh('parents'), 'a', 'b');
    expect((await stageCritic(run, deep)).out).toBe(deep);
  });

  it('accepts --world-size equal to the saved one', async () => {
    const run = typicalRun(fresh('run'), 4);
    expect((await stageCritic(run, fresh('out'), { worldSize: 4 })).worldSize).toBe(4);
  });

  it('notes that the optimizer starts fresh when it was not saved', async () => {
    const dir = writeStep(join(fresh(), 'global_step_9'), { critic: { worldSize: 2, kinds: ['model', 'extra'] } });
    const result = await stageCritic(dir, fresh('out'), { carry: 'all' });
    expect(result.notes.slice(1, -1)).toEqual(['the critic was saved without its optimizer state: it starts fresh']);
    // VeRL's loader opens what load_contents lists, which defaults to the new run's save_contents (all three).
    expect(result.launch.overrides).toContain('critic.checkpoint.load_contents=[model,extra]');
  });

  it('reads as a step-0 checkpoint with only a critic afterwards', async () => {
    const run = typicalRun(fresh('run'), 2);
    const out = fresh('out');
    const result = await stageCritic(run, out);
    const report = await inspectCheckpoint(result.resumeFrom);
    expect(report.step).toMatchObject({ step: 0, dataPt: false, actor: null, critic: { folder: 'critic', worldSize: 2 } });
    expect(report.warnings).toEqual([]);
  });

  it('copies the files behind symlinks, and hard-links what it can', async () => {
    const dir = writeStep(join(fresh(), 'global_step_3'), { critic: { worldSize: 1 } });
    const cache = fresh('hf-cache');
    mkdirSync(cache);
    writeFileSync(join(cache, 'config.json'), '{"x": 1}');
    symlinkSync(cache, join(dir, 'critic', 'huggingface'));
    const result = await stageCritic(dir, fresh('out'));
    const staged = join(result.criticDest, 'huggingface', 'config.json');
    expect(readFileSync(staged, 'utf8')).toBe('{"x": 1}');
    expect(statSync(staged).ino).toBe(statSync(join(cache, 'config.json')).ino);
  });
});

describe('stage: across filesystems', () => {
  const shm = '/dev/shm';
  const otherDevice = existsSync(shm) && statSync(shm).dev !== statSync(root).dev;

  it.skipIf(!otherDevice)('falls back to copies when hard links cannot cross filesystems', async () => {
    const run = typicalRun(fresh('run'), 2);
    const base = mkdtempSync(join(shm, 'vcp-stage-'));
    try {
      const result = await stageCritic(run, join(base, 'out'), { carry: 'all' });
      expect(result).toMatchObject({ method: 'copy', linked: 0, copied: 10 });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('stage: the critic folder spelled Critic/', () => {
  it('stages it as lowercase critic/, with a warning, and leaves the source name alone', async () => {
    const dir = writeStep(join(fresh(), 'global_step_5'), { actor: { worldSize: 2 }, critic: { worldSize: 2 }, criticName: 'Critic' });
    const result = await stageCritic(dir, fresh('out'));
    expect(result.source.criticFolder).toBe('Critic');
    expect(readdirSync(result.resumeFrom)).toEqual(['critic']);
    expect(result.warnings).toEqual([
      {
        code: 'role-case',
        level: 'warning',
        scope: 'critic',
        folder: 'Critic',
        path: join(dir, 'Critic'),
        message: 'VeRL reads lowercase critic/ only; staged this Critic/ as critic/ (the source keeps its name)',
      },
    ]);
    expect(readdirSync(dir).sort()).toEqual(['Critic', 'actor', 'data.pt']);
  });

  it('refuses two spellings without a lowercase one (exit 1)', async () => {
    const dir = writeStep(join(fresh(), 'global_step_5'), { critic: { worldSize: 2 }, criticName: 'Critic' });
    writeRole(join(dir, 'CRITIC'), { worldSize: 2 });
    const error = await toolError(stageCritic(dir, fresh('out')));
    expect(error.exitCode).toBe(ExitCode.Refused);
    expect(error.reason).toMatch(/several spellings \(CRITIC\/, Critic\/\)/);
  });

  it('uses critic/ when both critic/ and Critic/ exist', async () => {
    const dir = writeStep(join(fresh(), 'global_step_5'), { critic: { worldSize: 2 } });
    writeRole(join(dir, 'Critic'), { worldSize: 8 });
    const result = await stageCritic(dir, fresh('out'));
    expect(result.source.criticFolder).toBe('critic');
    expect(result.worldSize).toBe(2);
    expect(result.warnings.map((w) => w.message)).toEqual(['VeRL reads critic/ and ignores Critic/ (folder names are case-sensitive on Linux)']);
  });
});

describe('stage: refusals leave no trace', () => {
  it('refuses a run without a critic (exit 1)', async () => {
    const run = writeRun(fresh('grpo'), { steps: { 50: { actor: { worldSize: 2 } } } });
    const out = fresh('out');
    const error = await toolError(stageCritic(run, out));
    expect(error.exitCode).toBe(ExitCode.Refused);
    expect(error.file).toBe(join(run, 'global_step_50'));
    expect(error.reason).toMatch(/no critic\/ folder/);
    expectNoTrace(out);
  });

  it('refuses a run folder with no step folders (exit 1)', async () => {
    const run = fresh('empty-run');
    mkdirSync(run);
    writeFileSync(join(run, 'latest_checkpointed_iteration.txt'), '5');
    const error = await toolError(stageCritic(run, fresh('out')));
    expect(error.exitCode).toBe(ExitCode.Refused);
    expect(error.reason).toMatch(/no global_step_N folder/);
  });

  it('refuses a folder that is not a checkpoint (exit 2)', async () => {
    const dir = fresh('nothing');
    mkdirSync(dir);
    expect((await toolError(stageCritic(dir, fresh('out')))).exitCode).toBe(ExitCode.BadInput);
  });

  it('refuses a non-empty <out>, and a file as <out> (exit 2), changing neither', async () => {
    const run = typicalRun(fresh('run'), 1);
    const out = fresh('out');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const error = await toolError(stageCritic(run, out));
    expect(error.exitCode).toBe(ExitCode.BadInput);
    expect(error.reason).toMatch(/exists and is not empty/);
    expect(readdirSync(out)).toEqual(['keep.txt']);

    const file = fresh('file');
    writeFileSync(file, 'x');
    expect((await toolError(stageCritic(run, file))).reason).toMatch(/exists and is not a folder/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('succeeds as "already staged" when <out> holds exactly this staged critic, linked or copied, writing nothing', async () => {
    const run = typicalRun(fresh('run'), 2);
    for (const copy of [false, true]) {
      const out = fresh('out');
      const first = await stageCritic(run, out, { copy });
      expect(first.alreadyStaged).toBe(false);
      const before = snapshotTree(out);
      const again = await stageCritic(run, out, { copy: !copy });
      expect(again).toMatchObject({ alreadyStaged: true, files: first.files, bytes: first.bytes, linked: first.linked, copied: first.copied });
      expect(again.launch.overrides).toEqual(first.launch.overrides);
      expect(snapshotTree(out)).toEqual(before);
      expect(readdirSync(join(out, '..')).filter((n) => n.startsWith(`${basename(out)}.`))).toEqual([]);
      expect(formatStageResult(again)).toMatch(/^Already staged: .*\n.*nothing was changed\.\n/);
    }
  });

  it('refuses an <out> holding anything else: another step, a changed or extra or missing file, a differently staged critic', async () => {
    const run = typicalRun(fresh('run'), 2);
    const staged = async () => {
      const out = fresh('out');
      const result = await stageCritic(run, out, { copy: true });
      return { out, critic: result.criticDest };
    };
    const expectRefused = async (out: string, difference: RegExp, options = {}) => {
      const before = snapshotTree(out);
      const error = await toolError(stageCritic(run, out, options));
      expect(error.exitCode).toBe(ExitCode.BadInput);
      expect(error.reason).toMatch(/^exists and is not empty, and is not this critic as stage makes it \(/);
      expect(error.reason).toMatch(difference);
      expect(snapshotTree(out)).toEqual(before);
    };
    const changed = await staged();
    const shard = readdirSync(changed.critic).find((n) => n.startsWith('model_'))!;
    const bytes = readFileSync(join(changed.critic, shard));
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(join(changed.critic, shard), bytes);
    await expectRefused(changed.out, new RegExp(`global_step_0/critic/${shard} differs from its source`));

    const extra = await staged();
    writeFileSync(join(extra.critic, 'notes.txt'), 'mine');
    await expectRefused(extra.out, /it holds global_step_0\/critic\/notes\.txt, which this stage would not make/);

    const missing = await staged();
    rmSync(join(missing.critic, shard));
    await expectRefused(missing.out, new RegExp(`global_step_0/critic/${shard} is missing`));

    const beside = await staged();
    mkdirSync(join(beside.out, 'global_step_5'));
    await expectRefused(beside.out, /it holds global_step_5, which stage does not make/);

    const linkInside = await staged();
    rmSync(join(linkInside.critic, shard));
    symlinkSync(join(run, 'global_step_120', 'critic', shard), join(linkInside.critic, shard));
    await expectRefused(linkInside.out, /is not a regular file or folder/);

    // The same source staged another way (weights only, then asked for everything) is another critic.
    const weights = await staged();
    await expectRefused(weights.out, /(extra_state|optim)_world_size_\d+_rank_\d+\.pt is missing/, { carry: 'all' });
  });

  it('refuses an <out> inside the source step (exit 2)', async () => {
    const run = typicalRun(fresh('run'), 1);
    const before = snapshotTree(run);
    const error = await toolError(stageCritic(run, join(run, 'global_step_120', 'warm')));
    expect(error.exitCode).toBe(ExitCode.BadInput);
    expect(error.reason).toMatch(/overlaps the source checkpoint/);
    expect(snapshotTree(run)).toEqual(before);
  });

  it('refuses a world size other than --world-size (exit 1)', async () => {
    const run = typicalRun(fresh('run'), 4);
    const out = fresh('out');
    const error = await toolError(stageCritic(run, out, { worldSize: 8 }));
    expect(error.exitCode).toBe(ExitCode.Refused);
    expect(error.reason).toBe(
      'was saved with world size 4, not 8 (--world-size): FSDP shards load only on the world size they were saved with',
    );
    expectNoTrace(out);
  });

  it('refuses mixed world sizes unless --world-size picks one, then stages only that set', async () => {
    const dir = writeStep(join(fresh(), 'global_step_5'), { critic: { worldSize: 2, alsoWorldSize: 4 } });
    const error = await toolError(stageCritic(dir, fresh('out')));
    expect(error.exitCode).toBe(ExitCode.Refused);
    expect(error.reason).toMatch(/several world sizes \(2, 4\): pass --world-size N/);

    const result = await stageCritic(dir, fresh('out'), { worldSize: 4, carry: 'all' });
    expect(result.worldSize).toBe(4);
    expect(listFiles(result.criticDest).filter((f) => f.endsWith('.pt'))).toHaveLength(12);
    expect(listFiles(result.criticDest).some((f) => f.includes('world_size_2_'))).toBe(false);
    expect(result.warnings.map((w) => w.message)).toEqual([
      'staging only the shards of world size 4; those of world size 2 are left out',
    ]);
  });

  it('with --world-size, ignores missing ranks in the shard set it leaves out', async () => {
    const dir = writeStep(join(fresh(), 'global_step_5'), { critic: { worldSize: 2, alsoWorldSize: 4, missing: { model: [1] } } });
    const result = await stageCritic(dir, fresh('out'), { worldSize: 4 });
    expect(result.warnings.map((w) => w.code)).toEqual(['mixed-world-sizes']);
    const error = await toolError(stageCritic(dir, fresh('out'), { worldSize: 2 }));
    expect(error.reason).toMatch(/incomplete for world size 2: missing model rank 1/);
  });

  it('refuses missing ranks of a kind it loads (exit 1), not of one it leaves out', async () => {
    const dir = writeStep(join(fresh(), 'global_step_5'), { critic: { worldSize: 8, missing: { optimizer: [5, 6, 7] } } });
    const error = await toolError(stageCritic(dir, fresh('out'), { carry: 'optimizer' }));
    expect(error.exitCode).toBe(ExitCode.Refused);
    expect(error.reason).toMatch(/incomplete for world size 8: missing optimizer ranks 5-7/);
    expect((await stageCritic(dir, fresh('out'))).carry).toBe('weights');
  });

  it('refuses a critic without weights (exit 1) and a dangling symlink (exit 2)', async () => {
    const a = join(fresh(), 'global_step_5');
    mkdirSync(join(a, 'critic'), { recursive: true });
    writeFileSync(join(a, 'critic', 'fsdp_config.json'), '{}');
    expect((await toolError(stageCritic(a, fresh('out')))).reason).toMatch(/holds no critic weights/);

    const b = writeStep(join(fresh(), 'global_step_5'), { critic: { worldSize: 1 } });
    symlinkSync('/nonexistent', join(b, 'critic', 'tokenizer.json'));
    const error = await toolError(stageCritic(b, fresh('out')));
    expect(error.exitCode).toBe(ExitCode.BadInput);
    expect(error.file).toBe(join(b, 'critic', 'tokenizer.json'));
    expect(error.reason).toMatch(/dangling symlink/);
  });
});

describe('stage: failures half-way', () => {
  it('removes the temp folder and leaves no <out> when a file fails mid-way', async () => {
    const run = typicalRun(fresh('run'), 4);
    const before = snapshotTree(run);
    const out = fresh('out');
    const seen: string[] = [];
    const failure = new Error('injected failure');
    const error = await stageCritic(run, out, {
      beforeFile: (relPath, index) => {
        seen.push(relPath);
        // Prove the temp folder really was being filled before the failure.
        if (index === 6) {
          expect(listFiles(join(tempPathFor(out), 'global_step_0', 'critic'))).toHaveLength(6);
          throw failure;
        }
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(failure);
    expect(seen).toHaveLength(7);
    expectNoTrace(out);
    expect(snapshotTree(run)).toEqual(before);
  });

  it.skipIf(process.getuid?.() === 0)('fails with exit 2 on an unreadable source file, leaving no <out>', async () => {
    const run = typicalRun(fresh('run'), 2);
    const victim = join(run, 'global_step_120', 'critic', 'optim_world_size_2_rank_1.pt');
    chmodSync(victim, 0o000);
    const out = fresh('out');
    try {
      const error = await toolError(stageCritic(run, out, { copy: true }));
      expect(error.exitCode).toBe(ExitCode.BadInput);
      expect(error.file).toBe(victim);
      expectNoTrace(out);
    } finally {
      chmodSync(victim, 0o644);
    }
  });

  it('fails with exit 2 on a source file that vanishes mid-way, leaving no <out>', async () => {
    const run = typicalRun(fresh('run'), 2);
    const victim = join(run, 'global_step_120', 'critic', 'optim_world_size_2_rank_1.pt');
    const out = fresh('out');
    const error = await toolError(
      stageCritic(run, out, { copy: true, carry: 'all', beforeFile: (relPath) => (relPath.endsWith('optim_world_size_2_rank_1.pt') ? rmSync(victim) : undefined) }),
    );
    expect(error.exitCode).toBe(ExitCode.BadInput);
    expect(error.file).toBe(victim);
    expect(error.reason).toMatch(/cannot read \(no such file or directory\)/);
    expectNoTrace(out);
  });

  it('fails with exit 1 when a staged file cannot be written, naming <out>, leaving no <out>', async () => {
    const run = typicalRun(fresh('run'), 1);
    const out = fresh('out');
    const error = await toolError(
      stageCritic(run, out, {
        beforeFile: (relPath) => {
          if (relPath !== 'huggingface/config.json') return;
          // Stand-in for a full disk: the folder the file goes into is now a plain file.
          const dir = join(tempPathFor(out), 'global_step_0', 'critic', 'huggingface');
          rmSync(dir, { recursive: true });
          writeFileSync(dir, '');
        },
      }),
    );
    expect(error.exitCode).toBe(ExitCode.Refused);
    expect(error.file).toBe(out);
    expect(error.reason).toBe('cannot write global_step_0/critic/huggingface/config.json (a parent of this path is not a folder); nothing was staged');
    expectNoTrace(out);
  });

  it('refuses when <out> is filled by someone else while staging, and removes its own temp', async () => {
    const run = typicalRun(fresh('run'), 1);
    const out = fresh('out');
    const error = await toolError(
      stageCritic(run, out, {
        beforeFile: (_, index) => {
          if (index === 0) {
            mkdirSync(out);
            writeFileSync(join(out, 'theirs'), 'x');
          }
        },
      }),
    );
    expect(error.exitCode).toBe(ExitCode.BadInput);
    expect(error.reason).toMatch(/created by something else while staging/);
    expect(readdirSync(out)).toEqual(['theirs']);
    expect(existsSync(tempPathFor(out))).toBe(false);
  });
});

describe('stage: leftovers of a killed stage', () => {
  const deadPid = 2 ** 22 + 12345; // above Linux's pid_max: no such process

  it('removes a leftover temp folder of a dead process before staging', async () => {
    const run = typicalRun(fresh('run'), 2);
    const out = fresh('out');
    const leftover = tempPathFor(out, deadPid);
    writeStep(join(leftover, 'global_step_0'), { critic: { worldSize: 2 }, dataPt: false });
    const result = await stageCritic(run, out, { carry: 'all' });
    expect(result.removedLeftovers).toEqual([leftover]);
    expect(existsSync(leftover)).toBe(false);
    expect(result.files).toBe(10);
  });

  it('also removes a half-removed `.removing` leftover of an interrupted cleanup', async () => {
    const out = fresh('out');
    const leftover = `${tempPathFor(out, deadPid)}.removing`;
    mkdirSync(join(leftover, 'global_step_0', 'critic'), { recursive: true });
    expect(removeStaleStages(out)).toEqual({ removed: [leftover], kept: [] });
    expect(existsSync(leftover)).toBe(false);
  });

  it('leaves alone a temp folder of a live process, of another host, or with unexpected content', async () => {
    const out = fresh('out');
    const alive = tempPathFor(out, process.ppid);
    const otherHost = join(out, '..', `.${basename(out)}.verl-critic-patch-tmp-some-other-node-${deadPid}.tmp`);
    const strange = tempPathFor(out, deadPid);
    for (const dir of [alive, otherHost, strange]) mkdirSync(join(dir, 'global_step_0'), { recursive: true });
    writeFileSync(join(strange, 'notes.txt'), 'not ours');
    const { removed, kept } = removeStaleStages(out);
    expect(removed).toEqual([]);
    expect(kept.sort()).toEqual([alive, otherHost, strange].sort());
    for (const dir of [alive, otherHost, strange]) expect(existsSync(dir)).toBe(true);
  });

  it('does not touch folders whose name merely starts like <out>', async () => {
    const out = fresh('out');
    const hidden = (name: string) => join(out, '..', name);
    const base = basename(out);
    const similar = [`${out}-2`, `${out}.tmp`, hidden(`.${base}.verl-critic-patch-tmp-`), hidden(`.${base}x.verl-critic-patch-tmp-h-1.tmp`), hidden(`.${base}.verl-critic-patch-tmp-h-1.tmp.old`)];
    for (const dir of similar) mkdirSync(dir);
    const { removed, kept } = removeStaleStages(out);
    expect([...removed, ...kept]).toEqual([]);
    for (const dir of similar) expect(existsSync(dir)).toBe(true);
  });
});

describe('stage: progress events', () => {
  it('reports every file, ending at the totals', async () => {
    const run = typicalRun(fresh('run'), 2);
    const events: StageProgress[] = [];
    const result = await stageCritic(run, fresh('out'), { copy: true, carry: 'all', onProgress: (p) => events.push(p) });
    const last = events[events.length - 1]!;
    expect(events[0]).toMatchObject({ filesDone: 0, bytesDone: 0, filesTotal: 10 });
    expect(last).toMatchObject({ filesDone: 10, filesTotal: 10, bytesDone: result.bytes, bytesTotal: result.bytes, copying: null });
    expect(events.filter((e) => e.copying !== null)).toHaveLength(10);
  });
});

describe('stage: where <out> may not be', () => {
  it('refuses an <out> inside the source run folder, from a run or from one of its steps (exit 2)', async () => {
    const run = typicalRun(fresh('run'), 1);
    const before = snapshotTree(run);
    for (const [source, out] of [
      [run, join(run, 'warm')],
      [join(run, 'global_step_120'), join(run, 'global_step_80', 'warm')],
    ] as const) {
      const error = await toolError(stageCritic(source, out));
      expect(error.exitCode).toBe(ExitCode.BadInput);
      expect(error.file).toBe(out);
      expect(error.reason).toBe(
        `is inside the run folder ${run}: that run's resume_mode=auto or checkpoint cleanup could see or delete it; choose a folder outside it`,
      );
    }
    expect(snapshotTree(run)).toEqual(before);
  });

  it('refuses an <out> named global_step_N, saying what to pass instead (exit 2)', async () => {
    const run = typicalRun(fresh('run'), 1);
    const parent = fresh('warm');
    const error = await toolError(stageCritic(run, join(parent, 'global_step_0')));
    expect(error.exitCode).toBe(ExitCode.BadInput);
    expect(error.reason).toBe(`ends in global_step_0: stage creates <out>/global_step_0 itself; pass a new folder to hold it (for example ${parent})`);
    expect(existsSync(parent)).toBe(false);
  });
});

describe('stage: what the release loads', () => {
  it('refuses a release that cannot load the critic, naming the checkout (exit 1), and bad --verl paths (exit 2)', async () => {
    const run = typicalRun(fresh('run'), 2);
    const old = writeVerlCheckout(fresh('verl'), '0.2.0.post2', { patched: true });
    const error = await toolError(stageCritic(run, fresh('out'), { verl: old }));
    expect(error.exitCode).toBe(ExitCode.Refused);
    expect(error.file).toBe(old);
    expect(error.reason).toMatch(/^VeRL 0\.2\.0\.post2 loads data\.pt .* unconditionally .*upgrade VeRL to 0\.3\.0 or later$/);

    const nothing = fresh('nothing');
    mkdirSync(nothing);
    const notCheckout = await toolError(stageCritic(run, fresh('out'), { verl: nothing }));
    expect(notCheckout).toMatchObject({ exitCode: ExitCode.BadInput, file: nothing });
    expect(notCheckout.reason).toBe('--verl: no VeRL here: not a checkout, a verl/ package folder or a site-packages folder holding one');
    const noVersion = writeVerlCheckout(fresh('verl'), '0.9.0');
    rmSync(join(noVersion, 'verl', 'version'), { recursive: true });
    expect((await toolError(stageCritic(run, fresh('out'), { verl: noVersion }))).reason).toMatch(/no verl\/version\/version/);
  });

  it('refuses a checkout whose trainer is not patched (exit 1, naming the apply command), unless allowUnpatched', async () => {
    const run = typicalRun(fresh('run'), 2);
    const verl = writeVerlCheckout(fresh('verl'), '0.3.0.post0');
    const refusedOut = fresh('out');
    const error = await toolError(stageCritic(run, refusedOut, { verl }));
    expect(error).toMatchObject({ exitCode: ExitCode.Refused, file: verl });
    expect(error.reason).toBe(
      `the trainer does not guard the actor load yet, so the new run would try to load ${refusedOut}/global_step_0/actor ` +
        `(stage makes no actor/) and crash: run verl-critic-patch apply ${verl} first, or pass --allow-unpatched to stage anyway ` +
        "(no override route instead: VeRL 0.3.0.post0 has no actor checkpoint.load_contents: its FSDP checkpoint manager opens the actor's model, optimizer and extra-state files unconditionally " +
        '(v0.4.0:verl/utils/checkpoint/fsdp_checkpoint_manager.py:93-99, v0.3.0.post1:verl/utils/checkpoint/fsdp_checkpoint_manager.py:72-79), so the missing actor/ crashes the load; the override route needs VeRL 0.4.1 or later)',
    );
    expectNoTrace(refusedOut);
    const typed = await toolError(stageCritic(run, refusedOut, { verl, applyCommand: 'verl-critic-patch apply --python ./venv/bin/python' }));
    expect(typed.reason).toContain('run verl-critic-patch apply --python ./venv/bin/python first');

    const out = fresh('out');
    const result = await stageCritic(run, out, { verl, allowUnpatched: true });
    expect(result.launch.overrides).toEqual([`trainer.resume_mode=${out}/global_step_0`, '++trainer.load_critic_only=true']);
    expect(result.launch.resumeLater).toEqual({ set: ['trainer.resume_mode=auto'], drop: ['trainer.load_critic_only'] });
    expect(result.notes).toEqual([
      `--allow-unpatched: the trainer of ${verl} does not guard the actor load yet: run verl-critic-patch apply ${verl} before the launch`,
      "VeRL 0.3.0.post0 loads the critic's model, optimizer and extra state unconditionally, so the new run inherits them; VeRL 0.4.1 or later can carry the weights only",
    ]);
    expect(result.verl).toEqual({ root: verl, release: '0.3.0.post0', configFile: 'verl/trainer/config/ppo_trainer.yaml' });
  });

  it('on 0.9 needs the guard in the ppo/v1 trainer too, which main_ppo runs by default', async () => {
    const run = typicalRun(fresh('run'), 2);
    const verl = writeVerlCheckout(fresh('verl'), '0.9.0', { patched: true });
    mkdirSync(join(verl, 'verl', 'trainer', 'ppo', 'v1'));
    writeFileSync(join(verl, 'verl', 'trainer', 'ppo', 'v1', 'trainer_base.py'), 'class PPOTrainer:\n    def _load_checkpoint(self):\n        self.actor_rollout_wg.load_checkpoint(p)\n', { flag: 'w' });
    // The patch route asked for; by default an unguarded 0.9 takes the override route (test/checkpoint/route.test.ts).
    expect((await toolError(stageCritic(run, fresh('out'), { verl, route: 'patch' }))).reason).toMatch(/^the trainer does not guard the actor load yet/);
    writeFileSync(join(verl, 'verl', 'trainer', 'ppo', 'v1', 'trainer_base.py'), 'if not self.config.trainer.get("load_critic_only", False): pass\n');
    await stageCritic(run, fresh('out'), { verl });
  });

  it('--model-only stages only the model shards and prints load_contents, which a later resume must drop', async () => {
    const step = join(fresh('run'), 'global_step_3');
    saveCritic(join(step, 'critic'), { family: 'fsdp-v0.4.1', worldSize: 2 });
    rmSync(join(step, 'critic', 'optim_world_size_2_rank_1.pt'));
    const verl = writeVerlCheckout(fresh('verl'), '0.9.0', { patched: true });
    // The optimizer shards are incomplete: a stage that loads them refuses, a model-only one does not need them.
    expect((await toolError(stageCritic(step, fresh('out'), { verl, carry: 'all' }))).reason).toMatch(/missing optimizer rank 1/);
    const out = fresh('out');
    const result = await stageCritic(step, out, { verl, modelOnly: true });
    expect(listFiles(result.criticDest)).toEqual([
      'fsdp_config.json',
      'huggingface/config.json',
      'huggingface/special_tokens_map.json',
      'huggingface/tokenizer.json',
      'huggingface/tokenizer_config.json',
      'model_world_size_2_rank_0.pt',
      'model_world_size_2_rank_1.pt',
    ]);
    expect(result.warnings).toEqual([]);
    expect(result.launch.overrides).toEqual([
      'trainer.resume_mode=resume_path',
      `trainer.resume_from_path=${out}/global_step_0`,
      'trainer.load_critic_only=true',
      'critic.checkpoint.load_contents=[model]',
    ]);
    expect(result.launch.resumeLater.drop).toEqual(['trainer.resume_from_path', 'trainer.load_critic_only', 'critic.checkpoint.load_contents']);
    expect(result.notes).toEqual([]);
    expect(result.carry).toBe('weights');
  });

  it('refuses a Megatron dist_ckpt/ critic for VeRL 0.9, which reads only its split layout', async () => {
    const step = join(fresh('run'), 'global_step_3');
    saveCritic(join(step, 'critic'), { family: 'megatron-v0.6' });
    const error = await toolError(stageCritic(step, fresh('out'), { verl: writeVerlCheckout(fresh('verl'), '0.9.0', { patched: true }) }));
    expect(error.exitCode).toBe(ExitCode.Refused);
    expect(error.file).toBe(join(step, 'critic'));
    expect(error.reason).toMatch(/rejects dist_ckpt\/ at the critic's root; convert a copy of the step with VeRL's scripts\/migrate_megatron_checkpoint_layout\.py/);
  });

  it('checks --world-size against a Megatron layout that records it, and refuses missing files', async () => {
    const step = join(fresh('run'), 'global_step_3');
    saveCritic(join(step, 'critic'), { family: 'megatron-v0.4.0', tp: 2, dp: 4 });
    expect((await toolError(stageCritic(step, fresh('out'), { worldSize: 4 }))).reason).toBe(
      'was saved with world size 8, not 4 (--world-size): keep the parallel layout it was saved with',
    );
    expect((await stageCritic(step, fresh('out'), { worldSize: 8 })).worldSize).toBe(8);
    rmSync(join(step, 'critic', 'model', 'mp_rank_01'), { recursive: true });
    expect((await toolError(stageCritic(step, fresh('out')))).reason).toBe('is incomplete: misses model/mp_rank_01/model.pt: VeRL cannot load this checkpoint');

    const dist = join(fresh('run'), 'global_step_3');
    saveCritic(join(dist, 'critic'), { family: 'megatron-v0.6', tp: 2, dp: 2 });
    rmSync(join(dist, 'critic', 'dist_ckpt', '__3_0.distcp'));
    expect((await toolError(stageCritic(dist, fresh('out')))).reason).toBe(
      'is incomplete: dist_ckpt/ misses __3_0.distcp, named in its .metadata: VeRL cannot load this checkpoint',
    );
  });
});

describe('stage --verl: reading the checkout', () => {
  it("finds the trainer section through a Megatron config's defaults, and the critic keys in the generated snapshot", async () => {
    const verl = writeVerlCheckout(fresh('verl'), '0.9.0', { patched: true });
    const config = join(verl, 'verl', 'trainer', 'config');
    // 0.9's Megatron config only lists ppo_trainer in its defaults; its composed snapshot has the critic keys.
    writeFileSync(join(config, 'ppo_megatron_trainer.yaml'), 'defaults:\n  - ppo_trainer\n  - _self_\n');
    writeFileSync(join(config, '_generated_ppo_megatron_trainer.yaml'), 'critic:\n  checkpoint:\n    save_contents: [model]\n    load_contents: ${.save_contents}\n');
    const step = join(fresh('run'), 'global_step_3');
    saveCritic(join(step, 'critic'), { family: 'megatron-v0.9', contents: ['model'] });
    const result = await stageCritic(step, fresh('out'), { verl });
    expect(result.launch.keyDeclared).toBe(true);
    // 0.9's Megatron loader reshards (HF weights through Megatron-Bridge): the strategy, no tp/pp.
    expect(result.launch.overrides.slice(2)).toEqual(['trainer.load_critic_only=true', 'critic.checkpoint.load_contents=[model]', 'critic.strategy=megatron']);

    // A config that lacks the key the override needs is a refusal, not a launch line Hydra rejects.
    writeFileSync(join(config, '_generated_ppo_megatron_trainer.yaml'), 'critic:\n  checkpoint:\n    async_save: false\n');
    expect((await toolError(stageCritic(step, fresh('out'), { verl }))).reason).toBe(
      'the critic needs critic.checkpoint.load_contents=[model], but verl/trainer/config/ppo_megatron_trainer.yaml declares no such key',
    );
  });
});
