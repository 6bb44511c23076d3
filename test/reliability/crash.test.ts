/**
 * Crash safety: `apply` is killed with SIGKILL at random moments, over and over. Afterwards the
 * file is always byte for byte the original or the complete patched version, never a mix or a
 * truncation; a leftover temp file is never taken for a target (a checkout scan ignores it) and
 * the next run that writes the file removes it.
 *
 * Two kinds of moment: uniform over the whole run (start-up, parse, plan, write, python3 check),
 * and inside the write itself: the test watches the folder and kills at a random delay after the
 * temp file appears (the window from its creation to the rename is ~10-20 ms for the 1 MB target).
 * Some kills hit a checkout run that writes several files: each file is whole, and a second run
 * completes the patch.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/edits.js';
import { tempPathFor } from '../../src/io/temp.js';
import { CLI, tempDir, writeFile } from '../helpers/cli.js';
import { FIXTURE_DIR } from './cases.js';
import { isTempName, leftoverTemps, runCliAsync } from './cliAsync.js';
import { planTrainerText } from './model.js';
import { KILL_RUNS, SEED, reportFigures } from './settings.js';

const patchPlan = (text: string) => planTrainerText('patch', text);

/** A small deterministic generator, so a run can be replayed from VCP_PROPERTY_SEED. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const TRAINER = 'verl/trainer/ppo/ray_trainer.py';
const OTHER = 'verl/trainer/ppo/v1/trainer_base.py';

function bigTrainer(fixture: string, megabytes: number): Buffer {
  const source = readFileSync(join(FIXTURE_DIR, fixture), 'utf8');
  const line = `${'x'.repeat(90)} caf\u00e9 ${'y'.repeat(3)}\n`;
  return Buffer.from(`"""Bulk to make the write take a while.\n${line.repeat(Math.ceil((megabytes * 1024 * 1024) / Buffer.byteLength(line)))}"""\n${source}`, 'utf8');
}

function patchedOf(bytes: Buffer): Buffer {
  const text = bytes.toString('utf8');
  const plan = patchPlan(text);
  if (plan.status !== 'change') throw new Error(`fixture not patchable: ${plan.status}`);
  return Buffer.from(applyEdits(text, plan.edits), 'utf8');
}

interface Kill {
  mode: 'uniform' | 'write';
  delayMs: number;
}

/** Start `apply`, kill it as `kill` says, and resolve when it is gone. */
function applyAndKill(cwd: string, args: string[], watchDir: string, kill: Kill, totalMs: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'apply', ...args], { cwd, stdio: 'ignore' });
    let watcher: ReturnType<typeof watch> | undefined;
    const fire = () => {
      watcher?.close();
      child.kill('SIGKILL');
    };
    if (kill.mode === 'uniform') {
      setTimeout(fire, kill.delayMs);
    } else {
      watcher = watch(watchDir, (_event, name) => {
        if (name && isTempName(String(name))) {
          watcher?.close();
          setTimeout(fire, kill.delayMs);
        }
      });
      setTimeout(fire, totalMs * 3); // the write never came: kill anyway
    }
    child.on('close', (code, signal) => {
      watcher?.close();
      resolve({ killed: signal === 'SIGKILL', code });
    });
  });
}

describe('SIGKILL at random moments', () => {
  it(`${KILL_RUNS} kills: every file is the original or the whole patched version; leftovers are ignored, then removed`, async () => {
    const next = random(SEED);
    const checkout = tempDir('vcp-kill-');
    const original = bigTrainer('v0_9_keyword_only.py', 1);
    const patched = patchedOf(original);
    const otherOriginal = bigTrainer('v2025_04_three_line.py', 0.5);
    const otherPatched = patchedOf(otherOriginal);
    writeFile(join(checkout, 'verl', 'version', 'version'), '0.9.0\n');
    const reset = () => {
      writeFile(join(checkout, TRAINER), original);
      writeFile(join(checkout, OTHER), otherOriginal);
    };
    const state = (rel: string, orig: Buffer, done: Buffer) => {
      const now = readFileSync(join(checkout, rel));
      return now.equals(orig) ? 'original' : now.equals(done) ? 'patched' : `PARTIAL (${now.length} bytes)`;
    };

    // Calibrate: one run to the end, its duration and the write window.
    reset();
    const seen: number[] = [];
    const calibrate = watch(join(checkout, 'verl', 'trainer', 'ppo'), (_event, name) => {
      if (name && isTempName(String(name))) seen.push(performance.now());
    });
    const full = await runCliAsync(['apply', '--only', TRAINER, '.'], { cwd: checkout });
    calibrate.close();
    expect(full.code, full.stderr).toBe(0);
    const totalMs = full.ms;
    // From the temp file's creation to its rename over the target (at least a few ms).
    const windowMs = Math.max(4, seen.length > 1 ? seen[seen.length - 1]! - seen[0]! : 20);

    const tally: Record<string, number> = {};
    const count = (key: string) => (tally[key] = (tally[key] ?? 0) + 1);
    const failures: string[] = [];
    let leftovers = 0;
    let repairs = 0;
    for (let i = 0; i < KILL_RUNS; i++) {
      reset();
      const both = next() < 0.2; // a checkout run writing two trainers
      const kill: Kill = next() < 0.35 ? { mode: 'uniform', delayMs: next() * totalMs * 1.2 } : { mode: 'write', delayMs: next() * windowMs * 1.3 };
      const args = both ? ['.'] : ['--only', TRAINER, '.'];
      const run = await applyAndKill(checkout, args, join(checkout, 'verl', 'trainer', 'ppo'), kill, totalMs);
      count(run.killed ? `killed (${kill.mode})` : 'finished before the kill');
      const main = state(TRAINER, original, patched);
      const other = state(OTHER, otherOriginal, otherPatched);
      count(`main file ${main}`);
      if (main.startsWith('PARTIAL') || other.startsWith('PARTIAL')) failures.push(`kill ${i} (${JSON.stringify(kill)}, both=${both}): ${TRAINER} ${main}, ${OTHER} ${other}`);
      const temps = [...leftoverTemps(join(checkout, 'verl', 'trainer', 'ppo')), ...leftoverTemps(join(checkout, 'verl', 'trainer', 'ppo', 'v1'))];
      if (temps.length > 0) leftovers++;

      if (temps.length > 0 || i % 5 === 0) {
        // The next run: the scan does not take the temp file for a trainer, the patch completes,
        // and the stale temp file is gone.
        repairs++;
        const again = await runCliAsync(['apply', '--json', '.'], { cwd: checkout });
        if (again.code !== 0) failures.push(`kill ${i}: apply after the kill: exit ${again.code} ${again.stderr}`);
        const targets = (JSON.parse(again.stdout) as { targets: { path: string }[] }).targets.map((t) => t.path);
        if (targets.some((t) => t.includes('verl-critic-patch-tmp'))) failures.push(`kill ${i}: a temp file was taken for a target: ${targets.join(', ')}`);
        if (state(TRAINER, original, patched) !== 'patched' || state(OTHER, otherOriginal, otherPatched) !== 'patched') failures.push(`kill ${i}: the next apply did not complete the patch`);
        const still = [...leftoverTemps(join(checkout, 'verl', 'trainer', 'ppo')), ...leftoverTemps(join(checkout, 'verl', 'trainer', 'ppo', 'v1'))];
        if (still.length > 0) failures.push(`kill ${i}: temp files left after the next run: ${still.join(', ')}`);
      }
    }
    rmSync(checkout, { recursive: true, force: true });
    expect(failures).toEqual([]);
    reportFigures('SIGKILL', { kills: KILL_RUNS, runMs: Math.round(totalMs), writeWindowMs: Math.round(windowMs), withLeftoverTemp: leftovers, nextRuns: repairs, outcomes: tally });
  }, 900_000);
});

it('a leftover temp file of a live process is left alone, one of a dead process is removed', async () => {
  const dir = tempDir('vcp-stale-');
  const file = join(dir, 'trainer.py');
  writeFileSync(file, readFileSync(join(FIXTURE_DIR, 'v0_9_keyword_only.py')));
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => dead.on('close', resolve));
  const stale = tempPathFor(file, dead.pid);
  const live = tempPathFor(file, process.pid);
  const otherHost = join(dir, `.trainer.py.verl-critic-patch-tmp-elsewhere-${dead.pid}.tmp`);
  for (const path of [stale, live, otherHost]) writeFileSync(path, 'half a file');
  const apply = await runCliAsync(['apply', 'trainer.py'], { cwd: dir });
  expect(apply.code, apply.stderr).toBe(0);
  expect(leftoverTemps(dir).sort()).toEqual([live, otherHost].map((p) => p.slice(dir.length + 1)).sort());
});
