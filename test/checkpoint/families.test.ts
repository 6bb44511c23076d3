// The proof of issues 13 and 20: for every checkpoint family VeRL has saved (FSDP 0.2, 0.3, 0.4.0,
// 0.4.1+, FSDP2; Megatron 0.3, 0.4.0, 0.4.1-0.5, 0.6-0.8, 0.9), default and partial saves written
// with the exact names each saver writes, `stage` (no --carry and each --carry, with and without a
// VeRL checkout of each release) either builds a folder holding exactly the files that release's
// critic loader opens under the printed overrides, byte-identical to the source step, those being
// the kinds --carry names, and prints the settings the new run inherits as that release's code
// implies; or refuses with one line.
// What each loader opens is written out below from VeRL's checkpoint managers, independently of
// src/checkpoint/families.ts; which combinations must load is spelled out case by case.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectCheckpoint } from '../../src/checkpoint/inspect.js';
import { stageCritic, type StageResult } from '../../src/checkpoint/stage.js';
import { ExitCode, ToolError } from '../../src/errors.js';
import { formatStageResult } from '../../src/output/stageSummary.js';
import {
  defaultContents,
  listFiles,
  saveCritic,
  SAVER_FAMILIES,
  scratch,
  writeVerlCheckout,
  type Content,
  type Kind,
  type SaveSpec,
  type SaverFamily,
} from '../helpers/checkpointTrees.js';

const root = scratch('vcp-families-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = (name: string) => join(root, `${name}-${counter++}`);

const ALL: Kind[] = ['model', 'optimizer', 'extra'];
const TP = 2;
const DP = 2;
const WORLD = TP * DP;

/** The layout inspect must name for each saver (0.2 and 0.3 FSDP, 0.4.1-0.5 and 0.6-0.8 Megatron save alike). */
const LAYOUT_OF: Record<SaverFamily, string> = {
  'fsdp-v0.2': 'fsdp-v0.2',
  'fsdp-v0.3': 'fsdp-v0.2',
  'fsdp-v0.4.0': 'fsdp-v0.4.0',
  'fsdp-v0.4.1': 'fsdp-v0.4.1',
  fsdp2: 'fsdp2',
  'megatron-v0.3': 'megatron-v0.3',
  'megatron-v0.4.0': 'megatron-v0.4.0',
  'megatron-v0.4.1': 'megatron-v0.4.1',
  'megatron-v0.6': 'megatron-v0.4.1',
  'megatron-v0.9': 'megatron-v0.9',
};

/** Partial saves each saver can make: before 0.4.1 FSDP asserted all three kinds. */
function savesOf(family: SaverFamily): { name: string; contents: Content[] }[] {
  const saves = [{ name: 'default', contents: defaultContents(family) }];
  if (family === 'fsdp-v0.3') saves.push({ name: 'without hf_model', contents: ['model', 'optimizer', 'extra'] });
  if (!['fsdp-v0.2', 'fsdp-v0.3', 'fsdp-v0.4.0'].includes(family)) {
    saves.push({ name: 'model only', contents: ['model'] });
    saves.push({ name: 'model and optimizer', contents: ['model', 'optimizer'] });
  }
  return saves;
}

const isFsdp = (family: SaverFamily) => family.startsWith('fsdp');

/** The releases a new run might use, per backend; null: no --verl. */
const RELEASES: Record<'fsdp' | 'megatron', (string | null)[]> = {
  fsdp: [null, '0.2.0.post2', '0.3.0.post0', '0.3.0.post1', '0.4.0', '0.4.1', '0.6.1', '0.9.0'],
  megatron: [null, '0.3.0.post1', '0.4.0', '0.4.1', '0.5.0', '0.7.0.dev', '0.9.0'],
};

function rank(version: string): number[] {
  const [major, minor, patch] = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const post = /post(\d+)/.exec(version);
  return [major!, minor!, patch ?? 0, post ? Number(post[1]) + 1 : 0];
}
function atLeast(version: string, than: string): boolean {
  const a = rank(version);
  const b = rank(than);
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}

/** Which releases' Megatron critic loader reads a Megatron saver's layout. */
function megatronReads(family: SaverFamily, release: string): boolean {
  if (family === 'megatron-v0.3') return !atLeast(release, '0.4.0');
  if (family === 'megatron-v0.4.0') return atLeast(release, '0.4.0') && !atLeast(release, '0.4.1');
  if (family === 'megatron-v0.9') return atLeast(release, '0.9.0');
  return atLeast(release, '0.4.1') && !atLeast(release, '0.9.0');
}

type Choice = 'all' | 'contents' | 'save_and_load' | 'load_contents';
type CarryAsk = 'default' | 'weights' | 'optimizer' | 'all';
const CARRY_ASKS: CarryAsk[] = ['default', 'weights', 'optimizer', 'all'];

/** How the new run's critic loader picks what it opens, from VeRL's managers (release null: the saver's own). */
function choiceOf(family: SaverFamily, release: string | null): Choice {
  const saverRelease: Record<SaverFamily, string> = {
    'fsdp-v0.2': '0.2.0', 'fsdp-v0.3': '0.3.0.post1', 'fsdp-v0.4.0': '0.4.0', 'fsdp-v0.4.1': '0.4.1', fsdp2: '0.9.0',
    // 0.4.1 to 0.8 save one shape: without --verl the newer loader is assumed, the 0.4.1-0.5 override is a note.
    'megatron-v0.3': '0.3.0.post1', 'megatron-v0.4.0': '0.4.0', 'megatron-v0.4.1': '0.6.0', 'megatron-v0.6': '0.6.0', 'megatron-v0.9': '0.9.0',
  };
  const r = release ?? saverRelease[family];
  // FSDP before 0.4.1: all three kinds, no option (v0.4.0 fsdp_checkpoint_manager.py:66 asserts it).
  if (isFsdp(family)) return atLeast(r, '0.4.1') ? 'load_contents' : 'all';
  if (!atLeast(r, '0.4.1')) return 'contents';
  return atLeast(r, '0.6.0') ? 'load_contents' : 'save_and_load';
}

/** Whether Megatron from 0.4.1 keeps its LR scheduler state with the optimizer (loaded only on request). */
const mcoreScheduler = (family: SaverFamily, release: string | null) => !isFsdp(family) && choiceOf(family, release) !== 'contents';

/**
 * What a stage with `carry` must load, or null where it must refuse, from VeRL's code: 0.2.x needs
 * data.pt; Megatron layouts are read only by their own releases; FSDP before 0.4.1 opens all three
 * kinds, so it cannot carry less (an explicit --carry weights or optimizer is refused, the default
 * loads all); Megatron 0.3 to 0.5 can load less only with an override that also narrows what the
 * new run saves, so the default loads what was saved; --carry optimizer needs a saved optimizer.
 */
function expectedKinds(family: SaverFamily, saved: Kind[], carry: CarryAsk, release: string | null): Kind[] | null {
  if (release !== null && !atLeast(release, '0.3.0')) return null;
  if (release !== null && !isFsdp(family) && !megatronReads(family, release)) return null;
  if (carry === 'optimizer' && !saved.includes('optimizer')) return null;
  const choice = choiceOf(family, release);
  const kinds: Kind[] =
    carry === 'weights' || (carry === 'default' && choice === 'load_contents') ? ['model'] : carry === 'optimizer' ? ['model', 'optimizer'] : saved;
  if (choice === 'all' && kinds.length < 3) return null;
  return kinds;
}

/** The settings each loaded kind takes from the old run, per backend and release (see src/checkpoint/carry.ts for the lines). */
function expectedInherits(family: SaverFamily, kinds: Kind[], release: string | null, scheduler: boolean): string[][] {
  const out: string[][] = [];
  if (isFsdp(family)) {
    if (kinds.includes('optimizer')) out.push(['betas', 'eps', 'weight_decay']);
    if (kinds.includes('extra')) out.push(['critic.optim.lr', 'warmup', 'schedule position']);
  } else if (mcoreScheduler(family, release) && kinds.includes('optimizer')) {
    out.push(['betas', 'eps']);
    if (scheduler) out.push(['critic.optim.lr', 'min_lr', 'warmup', 'decay', 'schedule position']);
  }
  return out;
}

/** The kinds the new run's loader opens under `overrides`, by its own rules (defaults: save_contents = all three, load_contents = save_contents). */
function openedUnder(overrides: string[], choice: Choice): Kind[] {
  const list = (key: string) => {
    const found = overrides.map((o) => new RegExp(`^"?critic\\.checkpoint\\.${key}=\\[([a-z,]*)\\]"?$`).exec(o)).find((m) => m !== null);
    return found ? (found[1]!.split(',') as Kind[]) : null;
  };
  const save = list('save_contents') ?? ALL;
  const load = list('load_contents') ?? save;
  switch (choice) {
    case 'all':
      return ALL;
    case 'contents':
      return list('contents') ?? ALL;
    case 'load_contents':
      return load;
    case 'save_and_load':
      // v0.4.1 megatron_checkpoint_manager.py:232-258: the request is what it saves or loads; only load is applied.
      return ALL.filter((k) => load.includes(k));
  }
}

/** What the new run saves under `overrides` (its own checkpoints): only the narrowing releases change it. */
function savedUnder(overrides: string[], choice: Choice): Kind[] {
  const list = (key: string) => overrides.map((o) => new RegExp(`critic\\.checkpoint\\.${key}=\\[([a-z,]*)\\]`).exec(o)).find((m) => m !== null)?.[1]!.split(',') as Kind[] | undefined;
  if (choice === 'contents') return list('contents') ?? ALL;
  return list('save_contents') ?? ALL;
}

/** What the critic loader opens for `kinds`, as VeRL's checkpoint managers name the files. */
function loaderOpens(spec: SaveSpec, kinds: Kind[], staged: string): string[] {
  const prefix: Record<Kind, string> = { model: 'model', optimizer: 'optim', extra: 'extra_state' };
  const everything = (dir: string) => listFiles(join(staged, dir)).map((f) => `${dir}/${f}`);
  switch (spec.family) {
    case 'fsdp-v0.2':
    case 'fsdp-v0.3':
    case 'fsdp-v0.4.0':
    case 'fsdp-v0.4.1':
    case 'fsdp2':
      return kinds.flatMap((k) => Array.from({ length: WORLD }, (_, r) => `${prefix[k]}_world_size_${WORLD}_rank_${r}.pt`));
    case 'megatron-v0.3':
    case 'megatron-v0.4.0': {
      const v040 = spec.family === 'megatron-v0.4.0';
      const out: string[] = [];
      for (let t = 0; t < TP; t++) {
        if (kinds.includes('model')) out.push(`model/mp_rank_0${t}/model.pt`);
        if (kinds.includes('optimizer')) out.push(v040 ? `optim/distrib_optim_pp0_tp${t}_cp0_dp0.pt` : `optim/distrib_optim_pp0_tp${t}.pt`);
        if (kinds.includes('extra') && v040) for (let d = 0; d < DP; d++) out.push(`rng_states/rng_states_pp0_tp${t}_cp0_dp${d}.pt`);
      }
      if (kinds.includes('extra') && !v040) out.push('rng_states/rng_states.pt');
      return out;
    }
    case 'megatron-v0.4.1':
    case 'megatron-v0.6':
      // load_dist_checkpointing reads the index, then the shards it names.
      return everything('dist_ckpt');
    case 'megatron-v0.9':
      return [
        ...(kinds.includes('model')
          ? ['model/huggingface/config.json', 'model/huggingface/model-00001-of-00002.safetensors', 'model/huggingface/model-00002-of-00002.safetensors']
          : []),
        ...(kinds.includes('optimizer') ? everything('optimizer/dist_ckpt') : []),
        ...(kinds.includes('extra') ? everything('extra/dist_ckpt') : []),
      ];
  }
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function stageOrRefuse(source: string, out: string, options: Parameters<typeof stageCritic>[2]): Promise<StageResult | ToolError> {
  return stageCritic(source, out, options).catch((error: unknown) => {
    if (error instanceof ToolError) return error;
    throw error;
  });
}

const checkouts = new Map<string, string>();
function checkout(version: string): string {
  if (!checkouts.has(version)) checkouts.set(version, writeVerlCheckout(fresh(`verl-${version}`), version, { patched: true }));
  return checkouts.get(version)!;
}

describe.each([...SAVER_FAMILIES])(
  'the %s saver',
  (family) => {
    for (const save of savesOf(family)) {
      it(`${save.name} save: inspect names its layout; stage loads it or refuses, for every release`, async () => {
        const spec: SaveSpec = { family, contents: save.contents, tp: TP, dp: DP };
        const stepPath = join(fresh('run'), 'global_step_40');
        saveCritic(join(stepPath, 'critic'), spec);
        const saved = ALL.filter((k) => save.contents.includes(k));

        const report = await inspectCheckpoint(stepPath);
        expect(report.step?.critic?.layout?.id).toBe(LAYOUT_OF[family]);
        expect(report.step?.critic?.backend).toBe(isFsdp(family) ? 'fsdp' : 'megatron');
        expect(report.step?.critic?.contents).toEqual({ model: true, optimizer: saved.includes('optimizer'), extra: saved.includes('extra') });
        expect(report.warnings.filter((w) => w.level === 'error')).toEqual([]);
        // Megatron records tp and pp in its folder names (0.3, 0.4.0) or in transformer_config.json, saved with the extra state.
        const recordsLayout = family === 'megatron-v0.3' || family === 'megatron-v0.4.0' || saved.includes('extra');
        if (!isFsdp(family) && recordsLayout) expect(report.step?.critic?.parallel).toMatchObject({ tp: TP, pp: 1 });
        if (family === 'megatron-v0.9' || (family === 'megatron-v0.4.0' && saved.includes('extra'))) expect(report.step?.critic?.worldSize).toBe(WORLD);

        for (const release of RELEASES[isFsdp(family) ? 'fsdp' : 'megatron']) {
          for (const carry of CARRY_ASKS) {
            const out = fresh('out');
            const outcome = await stageOrRefuse(stepPath, out, { ...(carry === 'default' ? {} : { carry }), ...(release ? { verl: checkout(release) } : {}) });
            const label = `${family} ${save.name}, ${carry === 'default' ? 'no --carry' : `--carry ${carry}`}, ${release ?? 'no --verl'}`;
            const expected = expectedKinds(family, saved, carry, release);
            if (outcome instanceof ToolError) {
              expect({ label, reason: outcome.reason, code: outcome.exitCode }).toMatchObject({ label, code: ExitCode.Refused });
              expect(outcome.reason.includes('\n')).toBe(false);
              expect(expected, `${label} was refused: ${outcome.reason}`).toBe(null);
              expect(existsSync(out)).toBe(false);
              continue;
            }
            expect(expected, `${label} staged, but that release cannot load it that way`).not.toBe(null);
            const choice = choiceOf(family, release);
            const kinds = openedUnder(outcome.launch.overrides, choice);
            expect(kinds, label).toEqual(expected);
            expect(outcome.launch.loadKinds, label).toEqual(expected);
            // The default never changes what the new run itself saves; an explicit --carry may, and says so.
            const saves = savedUnder(outcome.launch.overrides, choice);
            if (carry === 'default' && saved.length === 3) expect(saves, `${label}: the new run's own saves`).toEqual(ALL);
            if (saves.length < 3) expect(outcome.notes.join(' '), label).toMatch(/also sets? what the new run saves/);
            // Megatron 0.4.1+ restores its LR schedule from the optimizer state only when asked, which --carry all does.
            const scheduler = outcome.launch.overrides.includes('critic.optim.use_checkpoint_opt_param_scheduler=True');
            expect(scheduler, label).toBe(carry === 'all' && mcoreScheduler(family, release) && saved.includes('optimizer'));
            expect(outcome.inherits.map((i) => i.settings), label).toEqual(expectedInherits(family, kinds, release, scheduler));
            expect(outcome.carries.map((c) => c.kind), label).toEqual(kinds);
            const summary = formatStageResult(outcome);
            for (const inherited of outcome.inherits) expect(summary, label).toContain(`  - ${inherited.line}.\n`);
            if (outcome.inherits.length === 0) expect(summary, label).toContain("The new run inherits none of the old run's settings.");
            // The resume overrides this release takes.
            const pathForm = release !== null && !atLeast(release, '0.3.0.post1');
            expect(outcome.launch.overrides[0], label).toBe(pathForm ? `trainer.resume_mode=${out}/global_step_0` : 'trainer.resume_mode=resume_path');
            expect(outcome.launch.overrides).toContain('trainer.load_critic_only=true');
            // What the loader needs the new run to share is in the launch itself, not left to the
            // config's defaults (fsdp, tp 1): the strategy, and the tp/pp Megatron's loaders up to 0.8 need.
            if (!isFsdp(family)) expect(outcome.launch.overrides, label).toContain('critic.strategy=megatron');
            const sharesLayout = !isFsdp(family) && family !== 'megatron-v0.9' && recordsLayout;
            expect(outcome.launch.overrides.filter((o) => o.startsWith('critic.megatron.')), label).toEqual(
              sharesLayout ? [`critic.megatron.tensor_model_parallel_size=${TP}`, 'critic.megatron.pipeline_model_parallel_size=1'] : [],
            );
            const staged = outcome.criticDest;
            const opened = loaderOpens(spec, kinds, join(stepPath, 'critic'));
            expect(opened.length, label).toBeGreaterThan(0);
            for (const file of opened) {
              expect(existsSync(join(staged, file)), `${label}: ${file} is not staged`).toBe(true);
              expect(sha(join(staged, file)), `${label}: ${file}`).toBe(sha(join(stepPath, 'critic', file)));
            }
            // What the loader will not open is left out, where it is a file or folder of its own (dist_ckpt/ is one unit).
            if (family !== 'megatron-v0.4.1' && family !== 'megatron-v0.6') {
              const unopened = loaderOpens(spec, ALL.filter((k) => !kinds.includes(k) && saved.includes(k)), join(stepPath, 'critic'));
              for (const file of unopened) expect(existsSync(join(staged, file)), `${label}: ${file} staged`).toBe(false);
            }
            expect(readdirSync(join(out, 'global_step_0'))).toEqual(['critic']);
          }
        }
      });
    }
  },
);

describe('staged metadata matches what was staged', () => {
  it('rewrites fsdp_config.json for the world size picked out of mixed shards, leaving the source alone', async () => {
    const step = join(fresh('run'), 'global_step_9');
    saveCritic(join(step, 'critic'), { family: 'fsdp-v0.4.1', worldSize: 8 });
    // A second run of world size 4 saved into the same folder; the fsdp_config.json left is the first run's (8).
    for (let r = 0; r < 4; r++) {
      for (const p of ['model', 'optim', 'extra_state']) writeFileSync(join(step, 'critic', `${p}_world_size_4_rank_${r}.pt`), `${p}${r}`);
    }
    const sourceConfig = readFileSync(join(step, 'critic', 'fsdp_config.json'), 'utf8');
    const result = await stageCritic(step, fresh('out'), { worldSize: 4 });
    expect(result.written).toEqual(['fsdp_config.json']);
    expect(JSON.parse(readFileSync(join(result.criticDest, 'fsdp_config.json'), 'utf8'))).toEqual({ FSDP_version: 1, world_size: 4 });
    expect(readFileSync(join(step, 'critic', 'fsdp_config.json'), 'utf8')).toBe(sourceConfig);
    expect(statSync(join(result.criticDest, 'fsdp_config.json')).ino).not.toBe(statSync(join(step, 'critic', 'fsdp_config.json')).ino);
    expect(result.notes).toContain("fsdp_config.json is written anew with world_size 4, the staged shards' (the source says 8)");
  });

  it('rewrites the 0.9 Megatron manifest on --model-only, without the parts left out', async () => {
    const step = join(fresh('run'), 'global_step_9');
    saveCritic(join(step, 'critic'), { family: 'megatron-v0.9', tp: 2, dp: 2 });
    const result = await stageCritic(step, fresh('out'), { modelOnly: true });
    const manifest = JSON.parse(readFileSync(join(result.criticDest, 'ckpt_contents.json'), 'utf8'));
    expect(manifest.save_contents).toEqual(['model']);
    expect(Object.keys(manifest.contents)).toEqual(['model', 'transformer_config']);
    expect(manifest.directories).toEqual({});
    expect(readdirSync(result.criticDest).sort()).toEqual(['ckpt_contents.json', 'model', 'transformer_config.json']);
    expect(readdirSync(join(result.criticDest, 'model')).sort()).toEqual(['dist_ckpt', 'huggingface']);
    expect(result.launch.overrides).toContain('critic.checkpoint.load_contents=[model]');
  });
});
