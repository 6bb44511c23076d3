/**
 * preflight on both routes (src/launch/checks/route.ts) over release-shaped checkouts of our own
 * writing (test/helpers/launchShapes.ts): the override route (the actor's load_contents=[] on an
 * unpatched trainer) is ok where VeRL's FSDP checkpoint manager honours it and an error naming why
 * elsewhere; a later resume that keeps it is check 7's error. Composition needs a real OmegaConf
 * (omegaconfGate.ts).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/launch/checks/index.js';
import { overrideVerdict } from '../../src/launch/checks/route.js';
import type { PreflightFacts } from '../../src/launch/facts.js';
import { gather } from '../../src/launch/gather.js';
import { parseRelease } from '../../src/verl/release.js';
import { saveCritic } from '../helpers/checkpointTrees.js';
import { tempDir } from '../helpers/cli.js';
import { FAMILY, writeModel, writeShapedVerl, writeStagedCritic, type Shape } from '../helpers/launchShapes.js';
import { omegaConfPython } from './omegaconfGate.js';

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const OVERRIDE = 'actor_rollout_ref.actor.checkpoint.load_contents=[]';
const KEY = 'actor_rollout_ref.actor.checkpoint.load_contents';

/** An unpatched (or patched) checkout of `shape`, a weights-only staged critic, the models; cwd = root. */
function world(shape: Shape, patched: boolean) {
  const root = tempDir('vcp-route-');
  scratch.push(root);
  const verl = writeShapedVerl(join(root, 'verl-checkout'), shape, { patched });
  const warm = writeStagedCritic(join(root, 'warm'), FAMILY[shape], 8);
  writeModel(join(root, 'models', 'critic'));
  writeModel(join(root, 'models', 'actor'));
  const base = [
    'trainer.resume_mode=resume_path',
    `trainer.resume_from_path=${warm}`,
    'critic.model.path=models/critic',
    'actor_rollout_ref.model.path=models/actor',
    'trainer.experiment_name=run2',
  ];
  const launch = (...overrides: string[]) => [omegaConfPython!, '-m', 'verl.trainer.main_ppo', ...base, ...overrides];
  const preflight = async (words: string[]) => {
    const gathered = await gather(words, { verl, cwd: root });
    if (!gathered.facts) return { findings: [gathered.refusal!], verdict: { ok: false, route: null } };
    return runChecks(gathered.facts);
  };
  return { root, verl, warm, launch, preflight };
}

const errors = (result: { findings: { level: string; check: number; key: string }[] }) => result.findings.filter((f) => f.level === 'error').map((f) => `${f.check} ${f.key}`);

describe.skipIf(omegaConfPython === null)('preflight: the override route', () => {
  for (const shape of ['0.5.0', '0.7.1', '0.9.0'] as const) {
    const trainer = shape === '0.9.0' ? 'verl/trainer/ppo/v1/trainer_base.py' : 'verl/trainer/ppo/ray_trainer.py';

    it(`VeRL ${shape}, unpatched: the actor override alone is ok, route overrides; without it, the guard error naming both fixes`, async () => {
      const w = world(shape, false);
      const ok = await w.preflight(w.launch(OVERRIDE));
      expect(errors(ok)).toEqual([]);
      expect(ok.verdict).toMatchObject({ ok: true, route: 'overrides', folder: w.warm });
      expect(ok.findings.find((f) => f.check === 1 && f.key === KEY)).toMatchObject({ level: 'note' });
      // check 9 tells the later resume to drop the actor override too.
      expect(ok.findings.find((f) => f.check === 9)!.message).toContain(KEY);

      const bare = await w.preflight(w.launch());
      expect(errors(bare)).toEqual([`1 ${trainer}`, '1 trainer.load_critic_only']);
      // The other fix, no patch, is named in the guard's error (a failing launch prints no notes).
      expect(bare.findings.find((f) => f.check === 1 && f.key === trainer)!.message).toMatch(/run verl-critic-patch apply .*; or, with no patch, write "actor_rollout_ref\.actor\.checkpoint\.load_contents=\[\]" instead of trainer\.load_critic_only=true/);
    });

    it(`VeRL ${shape}: the override on a Megatron actor is an error naming the manager's assert`, async () => {
      const w = world(shape, false);
      const result = await w.preflight(w.launch(OVERRIDE, 'actor_rollout_ref.actor.strategy=megatron'));
      expect(errors(result)).toContain(`1 ${KEY}`);
      expect(result.findings.find((f) => f.key === KEY && f.level === 'error')!.message).toMatch(/asserts the folder exists/);
      expect(result.verdict).toMatchObject({ ok: false, route: null });
    });
  }

  it('unpatched VeRL 0.9.0 with plain trainer.load_critic_only=true (Hydra refuses the key): the refusal names the override route too, as the unguarded trainer\'s error does', async () => {
    const w = world('0.9.0', false);
    const result = await w.preflight(w.launch('trainer.load_critic_only=true'));
    expect(errors(result)).toEqual(['0 trainer.load_critic_only']);
    expect(result.findings[0]!.message).toMatch(/run verl-critic-patch apply .*; or, with no patch, write "actor_rollout_ref\.actor\.checkpoint\.load_contents=\[\]" instead of trainer\.load_critic_only=true \(with an FSDP or FSDP2 actor: VeRL 0\.9\.0's FSDP checkpoint manager opens no file of the actor/);
    // Before 0.4.1 there is no such route to name.
    const old = world('0.3.0.post1', false);
    const refused = await old.preflight(old.launch('trainer.load_critic_only=true'));
    expect(refused.findings[0]!.message).not.toContain('with no patch');
  });

  it('VeRL 0.3.0.post1 (no actor load_contents): ++ of the override is an error saying its manager opens every file', async () => {
    const w = world('0.3.0.post1', false);
    const result = await w.preflight(w.launch(`++${OVERRIDE}`));
    expect(errors(result)).toEqual(['1 verl/trainer/ppo/ray_trainer.py', '1 trainer.load_critic_only', `1 ${KEY}`]);
    expect(result.findings.find((f) => f.key === KEY)!.message).toMatch(/needs VeRL 0\.4\.1 or later/);
    // Written plainly, Hydra itself refuses the key that release's config lacks.
    expect(errors(await w.preflight(w.launch(OVERRIDE)))).toEqual([`0 ${KEY}`]);
  });

  it('a patched trainer with the flag: the override is not needed (a note), the route is the patch', async () => {
    const w = world('0.9.0', true);
    const result = await w.preflight(w.launch('trainer.load_critic_only=true', OVERRIDE));
    expect(result.verdict).toMatchObject({ ok: true, route: 'patch' });
    expect(result.findings.find((f) => f.key === KEY)).toMatchObject({ level: 'note', check: 1 });
    // A patched trainer without the flag takes the override route as well.
    expect((await w.preflight(w.launch(OVERRIDE))).verdict).toMatchObject({ ok: true, route: 'overrides' });
  });

  it('a later resume_mode=auto that keeps the actor override: check 7 says it never restores its own actor', async () => {
    const w = world('0.9.0', false);
    const own = join(w.root, 'checkpoints', 'my_project', 'run2');
    saveCritic(join(own, 'global_step_20', 'critic'), { family: 'fsdp-v0.4.1', worldSize: 8 });
    mkdirSync(join(own, 'global_step_20', 'actor'));
    writeFileSync(join(own, 'latest_checkpointed_iteration.txt'), '20');
    const kept = await w.preflight(w.launch('trainer.resume_mode=auto', OVERRIDE));
    const finding = kept.findings.find((f) => f.check === 7 && f.key === KEY)!;
    expect(finding.level).toBe('error');
    expect(finding.message).toMatch(/loads nothing of its own actor: a fresh actor at step 20, silently/);
    expect(kept.verdict.ok).toBe(false);
    const dropped = await w.preflight(w.launch('trainer.resume_mode=auto'));
    expect(dropped.findings.filter((f) => f.key === KEY)).toEqual([]);
  });

  it('a relaunch with resume_mode=auto and the flag left set: check 7 names only the keys the launch sets to drop (no resume_from_path it never wrote)', async () => {
    const w = world('0.9.0', true);
    const own = join(w.root, 'checkpoints', 'my_project', 'run2');
    saveCritic(join(own, 'global_step_20', 'critic'), { family: 'fsdp-v0.4.1', worldSize: 8 });
    mkdirSync(join(own, 'global_step_20', 'actor'));
    writeFileSync(join(own, 'latest_checkpointed_iteration.txt'), '20');
    const words = w.launch('trainer.resume_mode=auto', 'trainer.load_critic_only=true').filter((word) => !word.startsWith('trainer.resume_from_path='));
    const finding = (await w.preflight(words)).findings.find((f) => f.check === 7)!;
    expect(finding.message).toMatch(/launch it with trainer\.resume_mode=auto and without trainer\.load_critic_only; if the steps/);
  });

  it('a later resume_mode=auto that keeps both the flag and the actor override: one check-7 error, naming both to drop', async () => {
    const w = world('0.9.0', true);
    const own = join(w.root, 'checkpoints', 'my_project', 'run2');
    saveCritic(join(own, 'global_step_20', 'critic'), { family: 'fsdp-v0.4.1', worldSize: 8 });
    mkdirSync(join(own, 'global_step_20', 'actor'));
    writeFileSync(join(own, 'latest_checkpointed_iteration.txt'), '20');
    const words = w.launch('trainer.resume_mode=auto', 'trainer.load_critic_only=true', OVERRIDE).filter((word) => !word.startsWith('trainer.resume_from_path='));
    const sevens = (await w.preflight(words)).findings.filter((f) => f.check === 7);
    expect(sevens).toHaveLength(1);
    expect(sevens[0]!.message).toMatch(/without trainer\.load_critic_only, actor_rollout_ref\.actor\.checkpoint\.load_contents/);
  });

  it('the override route names only the keys its launch sets as the ones a later resume drops (no trainer.load_critic_only, as stage prints)', async () => {
    const w = world('0.9.0', false);
    const first = await w.preflight(w.launch(OVERRIDE));
    const later = first.findings.find((f) => f.check === 9)!.message;
    expect(later).toContain(KEY);
    expect(later).not.toContain('trainer.load_critic_only');
    // The same launch relaunched once the run saved its own steps: check 7 names the same keys.
    const own = join(w.root, 'checkpoints', 'my_project', 'run2');
    saveCritic(join(own, 'global_step_20', 'critic'), { family: 'fsdp-v0.4.1', worldSize: 8 });
    mkdirSync(join(own, 'global_step_20', 'actor'));
    writeFileSync(join(own, 'latest_checkpointed_iteration.txt'), '20');
    const again = (await w.preflight(w.launch(OVERRIDE))).findings.find((f) => f.check === 7)!;
    expect(again.message).toMatch(/trainer\.resume_mode=auto and without trainer\.resume_from_path, actor_rollout_ref\.actor\.checkpoint\.load_contents;/);
  });
});

describe('the override route: trainers and releases (pure)', () => {
  const facts = (release: string, trainers: string[], values: Record<string, unknown> = {}): PreflightFacts =>
    ({
      release: parseRelease(release)!,
      values: { 'actor_rollout_ref.actor.strategy': 'fsdp', [KEY]: [], ...values },
      absent: [],
      trainers: trainers.map((file) => ({ file, guarded: false })),
      staged: null,
      criticModel: null,
      actorTokenizer: null,
      actorTokenizerKey: 'actor_rollout_ref.model.path',
      runFolder: null,
    }) as PreflightFacts;

  it("is verified for main_ppo's trainers only: the fully-async trainer is refused with the reason", () => {
    expect(overrideVerdict(facts('0.9.0', ['verl/trainer/ppo/v1/trainer_base.py'])).ok).toBe(true);
    const async = overrideVerdict(facts('0.9.0', ['verl/experimental/fully_async_policy/fully_async_trainer.py']));
    expect(async).toMatchObject({ ok: false });
    expect(!async.ok && async.reason).toMatch(/not verified with load_contents=\[\]/);
  });

  it('FSDP2 is fine, another engine is unverified, releases before 0.4.1 are refused', () => {
    expect(overrideVerdict(facts('0.7.1', ['verl/trainer/ppo/ray_trainer.py'], { 'actor_rollout_ref.actor.strategy': 'fsdp2' })).ok).toBe(true);
    const veomni = overrideVerdict(facts('0.9.0', ['verl/trainer/ppo/ray_trainer.py'], { 'actor_rollout_ref.actor.strategy': 'veomni' }));
    expect(!veomni.ok && veomni.reason).toMatch(/strategy is veomni: the override route is verified for FSDP and FSDP2 actors only/);
    for (const release of ['0.2', '0.3.0.post1', '0.4.0']) expect(overrideVerdict(facts(release, ['verl/trainer/ppo/ray_trainer.py'])).ok).toBe(false);
    expect(overrideVerdict(facts('0.4.1', ['verl/trainer/ppo/ray_trainer.py'])).ok).toBe(true);
  });
});
