/**
 * VeRL in the loop: what `stage` claims about a warm start, checked by running VeRL's own code
 * (`npm run test:verl`; not part of `npm test`). For each release of test/verl/releases.txt, as
 * users get it from PyPI (scripts/verl-venv.sh fetches and caches it with the venv):
 *
 * 1. save: test/verl/critic_ckpt.py trains a tiny critic 3 steps at lr A with the release's own
 *    optimizer and scheduler builders (constant and cosine with warmup; FSDP and FSDP2 where the
 *    release has both) and saves it with the release's FSDPCheckpointManager under its default
 *    critic.checkpoint, at world size 1 and 2 (torchrun, gloo, CPU), as VeRL lays a run out;
 * 2. stage: the built CLI, `stage --json --verl <patched copy>`, default and every --carry;
 * 3. load: a new process composes (Hydra) the release's config with the printed overrides and the
 *    new run's own settings (lr B, another schedule, betas, weight decay), builds a new critic,
 *    loads with the manager that config makes, and reports what it restored. The expectations come
 *    from stage's JSON (`carries`, `inherits`, `launch.loadKinds`) and the two runs' observed
 *    values, so a wrong claim fails here, not a hard-coded number;
 * 4. trainer: the patched release's real `_load_checkpoint` (RayPPOTrainer, and the v1 PPOTrainer
 *    that 0.9's default trainer.use_v1 runs) with recording worker groups under that config; the
 *    unpatched release under ++trainer.load_critic_only=true is the counterfactual.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../helpers/scratch.js';
import { CLI, runCli, tempDir } from '../helpers/cli.js';
import { skipWithoutVerlVenv, verlRelease, verlReleaseVersions, verlVenv } from '../helpers/verlVenv.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CRITIC_CKPT = join(HERE, 'critic_ckpt.py');
const TRAINER_LOAD = join(HERE, 'trainer_load.py');
const SKIP = skipWithoutVerlVenv();
const PYTHON = verlVenv() ?? 'python3';

type Strategy = 'fsdp' | 'fsdp2';
type Schedule = 'constant' | 'cosine';
type CarryArg = 'default' | 'weights' | 'optimizer' | 'all';
const CARRIES: CarryArg[] = ['default', 'weights', 'optimizer', 'all'];
const WORLD_SIZES = [1, 2];

/** What differs between the releases for this suite (read from each release's code and config). */
interface ReleaseFacts {
  strategies: Strategy[];
  schedules: Schedule[];
  /** The critic.optim key that picks the schedule: 0.4-0.6 warmup_style, 0.7+ lr_scheduler_type. */
  scheduleKey: string;
  /** 0.3.x saves and restores the CUDA RNG with no device check: stand-ins for those two calls. */
  cudaRngStandins: boolean;
  /** 0.9+: main_ppo runs the v1 PPOTrainer by default (trainer.use_v1). */
  v1Trainer: boolean;
}
const FACTS: Record<string, ReleaseFacts> = {
  // 0.3.x: FSDP1 only, a constant schedule only (cosine came in 0.4.0).
  '0.3.0.post1': { strategies: ['fsdp'], schedules: ['constant'], scheduleKey: 'warmup_style', cudaRngStandins: true, v1Trainer: false },
  '0.5.0': { strategies: ['fsdp', 'fsdp2'], schedules: ['constant', 'cosine'], scheduleKey: 'warmup_style', cudaRngStandins: false, v1Trainer: false },
  '0.7.1': { strategies: ['fsdp', 'fsdp2'], schedules: ['constant', 'cosine'], scheduleKey: 'lr_scheduler_type', cudaRngStandins: false, v1Trainer: false },
  '0.9.1': { strategies: ['fsdp', 'fsdp2'], schedules: ['constant', 'cosine'], scheduleKey: 'lr_scheduler_type', cudaRngStandins: false, v1Trainer: true },
};

// The old run and the new one differ in every setting a warm start may carry over.
const OLD = { lr: '1e-5', totalSteps: 10, warmupRatio: 0.2 };
const NEW = { lr: '5e-6', totalSteps: 20, warmupRatio: 0.1, weightDecay: 0.02, betas: '[0.8,0.99]' };

interface ScheduleView {
  lr: number;
  initial_lr: number;
  betas: number[];
  eps: number;
  weight_decay: number;
  last_epoch: number;
  base_lrs: number[];
}
interface LoadReport {
  name: string;
  rank: number;
  weightsEqualSaved: boolean;
  weightsDifferedBeforeLoad: boolean;
  fresh: ScheduleView;
  afterLoad: ScheduleView;
  lrAfterFirstStep: number;
  adamLoaded: boolean;
  adamEqualSaved: boolean;
  rngRestored: boolean;
  lambdas: number[];
  loadContents: string[];
}
interface StageJson {
  exitCode: number;
  error: { message: string } | null;
  criticDest: string;
  resumeFrom: string;
  carries: Array<{ kind: string; what: string }>;
  inherits: Array<{ kind: string; settings: string[] }>;
  launch: { loadKinds: string[] };
  nextCommand: { line: string };
}
interface SavedCase {
  key: string;
  strategy: Strategy;
  schedule: Schedule;
  worldSize: number;
  run: string;
  truth: string;
}
interface StagedCase extends SavedCase {
  carry: CarryArg;
  out: string;
  stage: StageJson;
}
interface TrainerCall {
  role: string;
  path: string | null;
  exists: boolean;
  files: string[];
}
interface TrainerReport {
  name: string;
  composeError: string | null;
  calls?: TrainerCall[];
  globalSteps?: number | null;
  error?: string | null;
  loadCriticOnly?: unknown;
}

function pythonEnv(releaseRoot: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONPATH: releaseRoot,
    PYTHONDONTWRITEBYTECODE: '1',
    // VeRL's checkpoint managers leave a ckpt_<hash>.lock per folder in the temp folder: a scratch one.
    TMPDIR: scratchDir('vcp-verl-tmp-'),
    // No hub, no threads fighting over two cores; VeRL's own logging kept quiet.
    HF_HUB_OFFLINE: '1',
    TRANSFORMERS_OFFLINE: '1',
    TOKENIZERS_PARALLELISM: 'false',
    OMP_NUM_THREADS: '1',
    VERL_LOGGING_LEVEL: 'WARN',
  };
}

function runPython(args: string[], releaseRoot: string, what: string): void {
  const run = spawnSync(PYTHON, args, { env: pythonEnv(releaseRoot), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) {
    const tail = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => /Error|error|assert|Traceback|rank\d\]/.test(l)).slice(-25).join('\n');
    throw new Error(`${what} failed (exit ${run.status}, ${run.error?.message ?? ''}):\n${tail || run.stderr.slice(-4000)}`);
  }
}

/** critic_ckpt.py VERB JOB: alone at world size 1 (a file store), else under torchrun (gloo). */
function criticCkpt(worldSize: number, verb: string, job: string, releaseRoot: string): void {
  // --standalone: a free local port per run, so runs of other checkouts on the machine never collide.
  const launcher = worldSize === 1 ? [] : ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', String(worldSize)];
  const started = Date.now();
  runPython([...launcher, CRITIC_CKPT, verb, job], releaseRoot, `${verb} at world size ${worldSize}`);
  timings.push(`${verb} w${worldSize} ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
const timings: string[] = [];

/** The built CLI's stdout (stage --json prints its JSON whatever the exit code). */
function cliStdout(args: string[]): Promise<string> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 }, (_error, stdout) => done(stdout));
  });
}

function writeJson(path: string, value: unknown): string {
  writeFileSync(path, JSON.stringify(value, null, 1));
  return path;
}

/** Words of a shell line (what a user pastes), unquoted by Python's shlex in the Python scripts. */
function stageLine(stage: StageJson): string {
  return stage.nextCommand.line;
}

function newRunOverrides(facts: ReleaseFacts, strategy: Strategy, schedule: Schedule, localDir: string): string[] {
  return [
    `critic.strategy=${strategy}`,
    `critic.optim.lr=${NEW.lr}`,
    `critic.optim.total_training_steps=${NEW.totalSteps}`,
    `critic.optim.lr_warmup_steps_ratio=${NEW.warmupRatio}`,
    `critic.optim.${facts.scheduleKey}=${schedule}`,
    // 0.3-0.5 read these with .get() and have no such keys: ++ adds or overrides.
    `++critic.optim.weight_decay=${NEW.weightDecay}`,
    `++critic.optim.betas=${NEW.betas}`,
    `trainer.default_local_dir=${localDir}`,
  ];
}

/**
 * What the new run's critic must hold after the load, derived from stage's claims: which kinds it
 * says carry over (`carries`), which of the new run's settings it says come from the old run
 * (`inherits`), and the values both runs actually had (saved / fresh, observed).
 */
function expectedFromClaims(stage: StageJson, saved: ScheduleView, report: LoadReport) {
  const kinds = stage.carries.map((c) => c.kind);
  const inherited = new Set(stage.inherits.flatMap((i) => i.settings));
  const paramGroups = stage.carries.some((c) => /param groups/.test(c.what));
  const rng = stage.carries.some((c) => /RNG/.test(c.what));
  const pick = <T>(fromOld: boolean, key: keyof ScheduleView) => (fromOld ? saved[key] : report.fresh[key]) as T;
  const baseLrs = pick<number[]>(inherited.has('critic.optim.lr'), 'base_lrs');
  const lastEpoch = pick<number>(inherited.has('schedule position'), 'last_epoch');
  return {
    afterLoad: {
      // torch restores the saved param groups: lr and initial_lr with them, until the scheduler steps.
      lr: pick<number>(paramGroups, 'lr'),
      initial_lr: pick<number>(paramGroups, 'initial_lr'),
      betas: pick<number[]>(inherited.has('betas'), 'betas'),
      eps: pick<number>(inherited.has('eps'), 'eps'),
      weight_decay: pick<number>(inherited.has('weight_decay'), 'weight_decay'),
      last_epoch: lastEpoch,
      base_lrs: baseLrs,
    },
    // The new run's lambda stays whatever is loaded: base lr times it, one step on.
    lrAfterFirstStep: baseLrs[0]! * report.lambdas[lastEpoch + 1]!,
    adamLoaded: kinds.includes('optimizer'),
    rngRestored: kinds.includes('extra') && rng,
  };
}

// VCP_VERL_RELEASES=0.9.1,0.5.0 runs only those (while working on one); the default is all of them.
const only = process.env.VCP_VERL_RELEASES?.split(',').map((v) => v.trim());
const versions = verlReleaseVersions().filter((v) => !only || only.includes(v));

describe.skipIf(SKIP)('VeRL in the loop', () => {
  it('every release of test/verl/releases.txt has its facts here', () => {
    expect(versions.filter((v) => !(v in FACTS))).toEqual([]);
  });

  for (const version of versions) {
    const facts = FACTS[version]!;
    describe(`VeRL ${version}`, () => {
      let work = '';
      let patched = '';
      let pristine = '';
      const saved: SavedCase[] = [];
      const staged: StagedCase[] = [];
      const loads = new Map<string, LoadReport[]>();
      let trainerReports: TrainerReport[] = [];
      let counterfactual: TrainerReport[] = [];
      let trainerStage: StagedCase | undefined;

      beforeAll(async () => {
        pristine = verlRelease(version)!;
        work = tempDir(`vcp-verl-${version}-`);
        patched = join(work, 'verl-patched');
        cpSync(pristine, patched, { recursive: true });
        const apply = runCli(['apply', patched]);
        if (apply.code !== 0) throw new Error(`apply ${version}: exit ${apply.code}: ${apply.stderr}`);
        const trainers = facts.v1Trainer ? ['ray', 'v1'] : ['ray'];
        const trainerOut = join(work, 'trainer.json');
        const trainerBase = [`trainer.default_local_dir=${join(work, 'new_run')}`];

        for (const worldSize of WORLD_SIZES) {
          // 1. Save: one process per world size saves every strategy x schedule.
          const cases: SavedCase[] = [];
          for (const strategy of facts.strategies) {
            for (const schedule of facts.schedules) {
              const key = `${strategy}-${schedule}-w${worldSize}`;
              const run = join(work, key, 'checkpoints', 'old_run');
              const truth = join(work, key, 'truth');
              mkdirSync(truth, { recursive: true });
              cases.push({ key, strategy, schedule, worldSize, run, truth });
            }
          }
          const saveJob = writeJson(join(work, `save-w${worldSize}.json`), {
            configDir: join(pristine, 'verl', 'trainer', 'config'),
            out: work,
            cudaRngStandins: facts.cudaRngStandins,
            cases: cases.map((c) => ({
              run: c.run,
              truth: c.truth,
              overrides: [
                `critic.strategy=${c.strategy}`,
                `critic.optim.lr=${OLD.lr}`,
                `critic.optim.total_training_steps=${OLD.totalSteps}`,
                `critic.optim.lr_warmup_steps_ratio=${OLD.warmupRatio}`,
                `critic.optim.${facts.scheduleKey}=${c.schedule}`,
              ],
            })),
          });
          criticCkpt(worldSize, 'save', saveJob, pristine);
          saved.push(...cases);

          // 2. Stage, with the built CLI, for the patched copy of this release (four at a time).
          const requests = cases.flatMap((c) => CARRIES.map((carry) => ({ ...c, carry, out: join(work, c.key, `staged-${carry}`) })));
          const stagedHere: StagedCase[] = [];
          for (let i = 0; i < requests.length; i += 4) {
            const batch = requests.slice(i, i + 4).map(async (r) => {
              const args = ['stage', '--json', '--verl', patched, ...(r.carry === 'default' ? [] : ['--carry', r.carry]), r.run, r.out];
              return { ...r, stage: JSON.parse(await cliStdout(args)) as StageJson };
            });
            stagedHere.push(...(await Promise.all(batch)));
          }
          staged.push(...stagedHere);
          const toLoad = stagedHere.filter((s) => s.stage.exitCode === 0);

          // 3. Load, in a new process, under the config Hydra composes of the printed overrides.
          const loadOut = join(work, `load-w${worldSize}`);
          mkdirSync(loadOut, { recursive: true });
          // 4. Trainer (in the same process at world size 1): the patched release's _load_checkpoint
          // under the default stage of the first strategy, constant schedule.
          if (worldSize === 1) trainerStage = toLoad.find((s) => s.carry === 'default');
          const line = trainerStage ? stageLine(trainerStage.stage) : '';
          const loadJob = writeJson(join(work, `load-w${worldSize}.json`), {
            configDir: join(patched, 'verl', 'trainer', 'config'),
            cudaRngStandins: facts.cudaRngStandins,
            out: loadOut,
            cases: toLoad.map((s) => ({
              name: `${s.key}-${s.carry}`,
              truth: s.truth,
              stageLine: stageLine(s.stage),
              overrides: newRunOverrides(facts, s.strategy, s.schedule, join(work, 'new_run')),
            })),
            ...(worldSize === 1
              ? {
                  trainerOut,
                  trainerCases: trainers.map((trainer) => ({ name: `patched-${trainer}`, trainer, stageLine: line, overrides: trainerBase })),
                }
              : {}),
          });
          criticCkpt(worldSize, 'load', loadJob, patched);
          for (let rank = 0; rank < worldSize; rank++) {
            for (const report of JSON.parse(readFileSync(join(loadOut, `load_rank${rank}.json`), 'utf8')) as LoadReport[]) {
              loads.set(report.name, [...(loads.get(report.name) ?? []), report]);
            }
          }
        }

        trainerReports = JSON.parse(readFileSync(trainerOut, 'utf8')) as TrainerReport[];
        // The counterfactual: the same launch on the release as published.
        const line = stageLine(trainerStage!.stage);
        const base = trainerBase;
        const plusPlus = line.replace(/(^| )trainer\.load_critic_only=/, '$1++trainer.load_critic_only=');
        const cfOut = join(work, 'counterfactual.json');
        writeJson(join(work, 'counterfactual-job.json'), {
          configDir: join(pristine, 'verl', 'trainer', 'config'),
          out: cfOut,
          cases: [
            { name: 'unpatched-plain', trainer: 'ray', stageLine: line, overrides: base },
            ...trainers.map((trainer) => ({ name: `unpatched-${trainer}`, trainer, stageLine: plusPlus, overrides: base })),
          ],
        });
        const started = Date.now();
        runPython([TRAINER_LOAD, join(work, 'counterfactual-job.json')], pristine, 'the unpatched trainer');
        timings.push(`unpatched trainer ${((Date.now() - started) / 1000).toFixed(1)}s`);
        counterfactual = JSON.parse(readFileSync(cfOut, 'utf8')) as TrainerReport[];
        process.stderr.write(`VeRL ${version}: ${timings.splice(0).join(', ')}\n`);
      });

      afterAll(() => {
        if (work && !process.env.VCP_KEEP_VERL_WORK) rmSync(work, { recursive: true, force: true });
      });

      it('saves as VeRL lays a run out: global_step_3/critic/, the tracker, an actor/ and data.pt beside', () => {
        expect(saved.length).toBe(facts.strategies.length * facts.schedules.length * WORLD_SIZES.length);
        for (const c of saved) {
          expect(readFileSync(join(c.run, 'latest_checkpointed_iteration.txt'), 'utf8').trim()).toBe('3');
          const step = join(c.run, 'global_step_3');
          expect(readdirSync(step).sort()).toEqual(['actor', 'critic', 'data.pt']);
          const critic = readdirSync(join(step, 'critic'));
          for (let rank = 0; rank < c.worldSize; rank++) {
            for (const kind of ['model', 'optim', 'extra_state']) expect(critic).toContain(`${kind}_world_size_${c.worldSize}_rank_${rank}.pt`);
          }
        }
      });

      it('stage stages the critic only (no actor/, no data.pt) and refuses only what the release cannot load alone', () => {
        for (const s of staged) {
          if (s.stage.exitCode !== 0) {
            // Only a narrower carry than the release's loader allows is refused, with its reason.
            expect(s.stage.exitCode, `${s.key} --carry ${s.carry}`).toBe(1);
            expect(s.carry === 'weights' || s.carry === 'optimizer').toBe(true);
            expect(s.stage.error?.message).toMatch(/unconditionally/);
            continue;
          }
          expect(resolve(s.stage.resumeFrom)).toBe(resolve(s.out, 'global_step_0'));
          expect(readdirSync(join(s.out, 'global_step_0'))).toEqual(['critic']);
        }
        expect(staged.filter((s) => s.stage.exitCode === 0).length).toBeGreaterThan(0);
      });

      it('the load restores exactly what stage --json claims (weights bit-equal; lr, initial_lr, schedule, Adam state, RNG)', () => {
        const loaded = staged.filter((s) => s.stage.exitCode === 0);
        for (const s of loaded) {
          const name = `${s.key}-${s.carry}`;
          const reports = loads.get(name) ?? [];
          expect(reports.map((r) => r.rank).sort(), name).toEqual(Array.from({ length: s.worldSize }, (_, r) => r));
          const savedView = JSON.parse(readFileSync(join(s.truth, 'saved.json'), 'utf8')) as ScheduleView;
          for (const report of reports) {
            const where = `${name} rank ${report.rank}`;
            expect(report.weightsDifferedBeforeLoad, `${where}: the new critic starts from other weights`).toBe(true);
            expect(report.weightsEqualSaved, `${where}: weights bit-equal to the saved ones`).toBe(true);
            const expected = expectedFromClaims(s.stage, savedView, report);
            expect(report.afterLoad, `${where}: ${JSON.stringify({ carries: s.stage.carries.map((c) => c.kind), inherits: s.stage.inherits })}`).toEqual(expected.afterLoad);
            expect(report.lrAfterFirstStep, `${where}: lr after the scheduler's first step`).toBe(expected.lrAfterFirstStep);
            expect(report.adamLoaded, `${where}: Adam state loaded`).toBe(expected.adamLoaded);
            if (expected.adamLoaded) expect(report.adamEqualSaved, `${where}: Adam state bit-equal`).toBe(true);
            expect(report.rngRestored, `${where}: RNG restored`).toBe(expected.rngRestored);
            // 0.4.1+: the manager opens exactly the kinds stage staged (0.3 has one list for both).
            if (!facts.cudaRngStandins) expect([...report.loadContents].sort(), where).toEqual([...s.stage.launch.loadKinds].sort());
          }
        }
        // Every carry that stage accepted was loaded; the old and new runs really differ.
        expect(loads.size).toBe(loaded.length);
      });

      it('the patched trainer skips the actor and loads the staged critic at step 0, without data.pt', () => {
        const criticDest = resolve(trainerStage!.stage.criticDest);
        expect(trainerReports.map((r) => r.name)).toEqual(facts.v1Trainer ? ['patched-ray', 'patched-v1'] : ['patched-ray']);
        for (const report of trainerReports) {
          expect(report.composeError, report.name).toBeNull();
          expect(report.error, report.name).toBeNull();
          expect(report.loadCriticOnly, report.name).toBe(true);
          expect(report.calls, report.name).toEqual([
            { role: 'critic', path: criticDest, exists: true, files: readdirSync(criticDest).sort() },
          ]);
          expect(report.globalSteps, report.name).toBe(0);
        }
      });

      it('counterfactual: the unpatched release rejects the flag, and under ++ loads the missing actor/', () => {
        const [plain, ...plusPlus] = counterfactual;
        expect(plain!.composeError).toMatch(/load_critic_only/);
        for (const report of plusPlus) {
          expect(report.composeError, report.name).toBeNull();
          const actor = report.calls!.filter((c) => c.role === 'actor');
          expect(actor, report.name).toEqual([{ role: 'actor', path: join(resolve(trainerStage!.stage.resumeFrom), 'actor'), exists: false, files: [] }]);
          expect(existsSync(actor[0]!.path!)).toBe(false);
        }
      });
    });
  }
});
