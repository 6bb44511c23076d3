// The proof of issue 13: for every checkpoint family VeRL has saved (FSDP 0.2, 0.3, 0.4.0, 0.4.1+,
// FSDP2; Megatron 0.3, 0.4.0, 0.4.1-0.5, 0.6-0.8, 0.9), default and model-only saves written with
// the exact names each saver writes, `stage` (default and --model-only, with and without a VeRL
// checkout of each release) either builds a folder holding every file that release's critic loader
// opens under the printed overrides, byte-identical to the source step, or refuses with one line.
// What each loader opens is written out below from VeRL's checkpoint managers, independently of
// src/checkpoint/families.ts; which combinations must load is spelled out case by case.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectCheckpoint } from '../../src/checkpoint/inspect.js';
import { stageCritic, type StageResult } from '../../src/checkpoint/stage.js';
import { ExitCode, ToolError } from '../../src/errors.js';
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

/**
 * Whether the stage must succeed, from VeRL's code: 0.2.x needs data.pt; FSDP before 0.4.1 and
 * every release's savers' names agree but the loader opens all three kinds; Megatron layouts
 * are read only by their own releases. `release` null: the release that saved it.
 */
function mustLoad(family: SaverFamily, saved: Kind[], modelOnly: boolean, release: string | null): boolean {
  const partial = modelOnly || saved.length < 3;
  if (release === null) {
    // The saver's own release: FSDP 0.2 to 0.4.0 cannot load a model-only stage (no option).
    return !(partial && ['fsdp-v0.2', 'fsdp-v0.3', 'fsdp-v0.4.0'].includes(family));
  }
  if (!atLeast(release, '0.3.0')) return false;
  if (isFsdp(family)) return !(partial && !atLeast(release, '0.4.1'));
  return megatronReads(family, release);
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

/** The kinds the printed overrides make the new run's critic loader open (default: the new run's save_contents, all three). */
function kindsFromOverrides(overrides: string[]): Kind[] {
  const lists = overrides
    .map((o) => /critic\.checkpoint\.(load_contents|contents)=\[([a-z,_]*)\]/.exec(o))
    .filter((m) => m !== null)
    .map((m) => m[2]!.split(',') as Kind[]);
  return lists.length > 0 ? lists[lists.length - 1]! : ALL;
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
          for (const modelOnly of [false, true]) {
            const out = fresh('out');
            const outcome = await stageOrRefuse(stepPath, out, { modelOnly, ...(release ? { verl: checkout(release) } : {}) });
            const label = `${family} ${save.name}, ${modelOnly ? '--model-only' : 'default'}, ${release ?? 'no --verl'}`;
            if (outcome instanceof ToolError) {
              expect({ label, reason: outcome.reason, code: outcome.exitCode }).toMatchObject({ label, code: ExitCode.Refused });
              expect(outcome.reason.includes('\n')).toBe(false);
              expect(mustLoad(family, saved, modelOnly, release), `${label} was refused: ${outcome.reason}`).toBe(false);
              expect(existsSync(out)).toBe(false);
              continue;
            }
            expect(mustLoad(family, saved, modelOnly, release), `${label} staged, but that release cannot load it`).toBe(true);
            const kinds = kindsFromOverrides(outcome.launch.overrides);
            expect(kinds, label).toEqual(modelOnly ? ['model'] : saved);
            // The resume overrides this release takes.
            const pathForm = release !== null && !atLeast(release, '0.3.0.post1');
            expect(outcome.launch.overrides[0], label).toBe(pathForm ? `trainer.resume_mode=${out}/global_step_0` : 'trainer.resume_mode=resume_path');
            expect(outcome.launch.overrides).toContain('trainer.load_critic_only=true');
            const staged = outcome.criticDest;
            const opened = loaderOpens(spec, kinds, join(stepPath, 'critic'));
            expect(opened.length, label).toBeGreaterThan(0);
            for (const file of opened) {
              expect(existsSync(join(staged, file)), `${label}: ${file} is not staged`).toBe(true);
              expect(sha(join(staged, file)), `${label}: ${file}`).toBe(sha(join(stepPath, 'critic', file)));
            }
            // --model-only leaves out what the loader will not open, where it is a file or folder of its own.
            if (modelOnly && (isFsdp(family) || family === 'megatron-v0.9' || family.endsWith('v0.3') || family.endsWith('v0.4.0'))) {
              const unopened = loaderOpens(spec, ALL.filter((k) => k !== 'model' && saved.includes(k)), join(stepPath, 'critic'));
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
    expect(result.launch.overrides).toContain('"critic.checkpoint.load_contents=[model]"');
  });
});
