/**
 * The two routes to a warm start (src/checkpoint/route.ts) as stage decides and prints them, on
 * release-shaped checkouts of our own writing (writeVerlCheckout): the patch where the trainer is
 * patched, the override route where it is not and the release allows it, a one-line refusal where
 * neither works, and --route to pick.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { chooseRoute, overrideRoute, type RouteRequest } from '../../src/checkpoint/route.js';
import { parseRelease } from '../../src/verl/release.js';
import { stageCritic } from '../../src/checkpoint/stage.js';
import { formatStageResult } from '../../src/output/stageSummary.js';
import { toolError } from '../helpers/toolError.js';
import { saveCritic, scratch, typicalRun, writeVerlCheckout } from '../helpers/checkpointTrees.js';

const root = scratch('vcp-route-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name = 'x') => join(root, `${name}-${n++}`);


const OVERRIDE = 'actor_rollout_ref.actor.checkpoint.load_contents=[]';

describe('overrideRoute and chooseRoute (pure)', () => {
  const request = (release: string | null, patched: boolean | null, more: Partial<RouteRequest> = {}): RouteRequest => ({
    release: release === null ? null : parseRelease(release),
    layoutAllowsOverrides: true,
    backend: 'fsdp',
    trainerPatched: patched,
    allowUnpatched: false,
    actorKeyDeclared: true,
    configFile: 'verl/trainer/config/ppo_trainer.yaml',
    ...more,
  });

  it('the override route works on FSDP from 0.4.1 (main included), not before, not on Megatron', () => {
    for (const release of ['0.4.1', '0.5.0', '0.6.1', '0.7.1', '0.8.0.dev', '0.9.0', '0.10.0.dev']) {
      expect(overrideRoute({ release: parseRelease(release)!, strategy: 'fsdp', keyDeclared: true }).ok, release).toBe(true);
      expect(overrideRoute({ release: parseRelease(release)!, strategy: 'megatron', keyDeclared: true }).ok, release).toBe(false);
    }
    for (const release of ['0.2', '0.2.0.post2', '0.3.0.post1', '0.4.0']) {
      expect(overrideRoute({ release: parseRelease(release)!, strategy: 'fsdp', keyDeclared: null }).ok, release).toBe(false);
    }
    const fork = overrideRoute({ release: parseRelease('0.9.0')!, strategy: 'fsdp', keyDeclared: false, configFile: 'verl/trainer/config/ppo_trainer.yaml' });
    expect(!fork.ok && fork.reason).toBe('verl/trainer/config/ppo_trainer.yaml declares no actor_rollout_ref.actor.checkpoint.load_contents (Hydra would refuse the override)');
  });

  it('the default: patch where patched (or unknown, or --allow-unpatched), overrides where not and allowed, else refused', () => {
    expect(chooseRoute(request('0.9.0', true))).toMatchObject({ route: 'patch' });
    expect(chooseRoute(request(null, null))).toMatchObject({ route: 'patch', routes: { overrides: { ok: true } } });
    expect(chooseRoute(request('0.9.0', false))).toMatchObject({ route: 'overrides' });
    expect(chooseRoute(request('0.9.0', false, { allowUnpatched: true }))).toMatchObject({ route: 'patch' });
    expect(chooseRoute(request('0.4.0', false))).toMatchObject({ refused: 'unpatched' });
    expect(chooseRoute(request('0.9.0', false, { backend: 'megatron' }))).toMatchObject({ refused: 'unpatched' });
  });

  it('--route: honoured where it works, refused with the reason where not', () => {
    expect(chooseRoute(request('0.9.0', true, { asked: 'overrides' }))).toMatchObject({ route: 'overrides' });
    expect(chooseRoute(request('0.9.0', false, { asked: 'patch' }))).toMatchObject({ refused: 'unpatched' });
    expect(chooseRoute(request('0.4.0', true, { asked: 'overrides' }))).toMatchObject({ refused: 'route' });
    // No --verl: the layout's savers decide (an FSDP layout of 0.4.1 and later allows it).
    expect(chooseRoute(request(null, null, { asked: 'overrides' }))).toMatchObject({ route: 'overrides' });
    expect(chooseRoute(request(null, null, { asked: 'overrides', layoutAllowsOverrides: false }))).toMatchObject({ refused: 'route' });
    expect(chooseRoute(request(null, null, { asked: 'overrides', backend: 'megatron' }))).toMatchObject({ refused: 'route' });
  });
});

describe('stage: the route it prints', () => {
  it('an unpatched 0.6.1: the override route by default, no flag, its log lines and what a later resume drops', async () => {
    const run = typicalRun(fresh('run'), 2);
    const verl = writeVerlCheckout(fresh('verl'), '0.6.1');
    const out = fresh('out');
    const result = await stageCritic(run, out, { verl });
    expect(result.route).toBe('overrides');
    expect(result.launch.overrides).toEqual([
      'trainer.resume_mode=resume_path',
      `trainer.resume_from_path=${out}/global_step_0`,
      OVERRIDE,
      'critic.checkpoint.load_contents=[model]',
    ]);
    expect(result.launch.overridesPlusPlus).toEqual(result.launch.overrides);
    expect(result.launch.lookFor[0]).toBe(`Resuming from ${out}/global_step_0`);
    expect(result.launch.lookFor.join('\n')).not.toContain('skipped loading the actor');
    expect(result.launch.mustNotShow).toEqual([`No such file or directory: '${out}/global_step_0/actor/`]);
    expect(result.launch.resumeLater.drop).toEqual(['trainer.resume_from_path', 'actor_rollout_ref.actor.checkpoint.load_contents', 'critic.checkpoint.load_contents']);
    expect(result.notes.at(-1)).toMatch(/^route: overrides, no change to VeRL's code: VeRL 0\.6\.1's FSDP checkpoint manager opens no file of the actor/);

    const text = formatStageResult(result);
    expect(text).not.toContain('load_critic_only=true');
    expect(text).toContain("In the new run's log, look for (VeRL's lines; the actor's load logs nothing, since it opens nothing):");
    expect(text).toContain(`and no FileNotFoundError with (the actor override did not reach the actor, which VeRL then tries to open):\n  No such file or directory: '${out}/global_step_0/actor/\n`);
    expect(text).toContain("with the actor's load_contents=[] still set it would restore its own critic and step but never its own actor");
  });

  it('a patched 0.9: the patch by default, the overrides with --route overrides', async () => {
    const run = typicalRun(fresh('run'), 2);
    const verl = writeVerlCheckout(fresh('verl'), '0.9.0', { patched: true });
    const patch = await stageCritic(run, fresh('out'), { verl });
    expect(patch.route).toBe('patch');
    expect(patch.launch.overrides).toContain('trainer.load_critic_only=true');
    expect(patch.launch.lookFor[0]).toBe('trainer.load_critic_only is set: skipped loading the actor checkpoint');
    expect(patch.launch.mustNotShow).toEqual([]);
    const overrides = await stageCritic(run, fresh('out'), { verl, route: 'overrides' });
    expect(overrides.route).toBe('overrides');
    expect(overrides.launch.overrides).toContain(OVERRIDE);
    expect(overrides.launch.overrides.join(' ')).not.toContain('load_critic_only');
  });

  it('refuses --route overrides where the release or backend does not honour it, in one line, leaving nothing', async () => {
    const run = typicalRun(fresh('run'), 2);
    const old = writeVerlCheckout(fresh('verl'), '0.4.0', { patched: true });
    const out = fresh('out');
    const error = await toolError(stageCritic(run, out, { verl: old, route: 'overrides' }));
    expect(error).toMatchObject({ exitCode: ExitCode.Refused, file: old });
    expect(error.reason).toMatch(/^--route overrides: VeRL 0\.4\.0 has no actor checkpoint\.load_contents: .*; use the patch route/);
    expect(error.reason).not.toContain('\n');
    expect(existsSync(out)).toBe(false);

    const mega = join(fresh('run'), 'global_step_5');
    saveCritic(join(mega, 'critic'), { family: 'megatron-v0.6', tp: 2, pp: 1, dp: 2 });
    const verl = writeVerlCheckout(fresh('verl'), '0.7.1');
    const megatron = await toolError(stageCritic(mega, fresh('out'), { verl, route: 'overrides' }));
    expect(megatron.reason).toMatch(/Megatron checkpoint manager asserts the folder exists/);
    // By default an unpatched 0.7.1 with a Megatron critic has neither route: the refusal says both.
    const neither = await toolError(stageCritic(mega, fresh('out'), { verl }));
    expect(neither.reason).toMatch(/^the trainer does not guard the actor load yet.*\(no override route instead: VeRL's Megatron checkpoint manager asserts/);
  });

  it('an unpatched release asked for the patch: the refusal names the override route that would work', async () => {
    const run = typicalRun(fresh('run'), 2);
    const verl = writeVerlCheckout(fresh('verl'), '0.9.0');
    const error = await toolError(stageCritic(run, fresh('out'), { verl, route: 'patch' }));
    expect(error.reason).toMatch(/or pass --allow-unpatched to stage anyway, or --route overrides \(VeRL 0\.9\.0's FSDP checkpoint manager opens no file/);
  });

  it('no --verl: --route overrides for a 0.4.1+ FSDP layout (assumed), refused for a layout only older releases save', async () => {
    const run = typicalRun(fresh('run'), 2);
    const result = await stageCritic(run, fresh('out'), { route: 'overrides' });
    expect(result.launch.overrides).toContain(OVERRIDE);
    expect(formatStageResult(result)).toContain('- The override route needs VeRL 0.4.1 or later with an FSDP or FSDP2 actor');
    const old = join(fresh('run'), 'global_step_5');
    saveCritic(join(old, 'critic'), { family: 'fsdp-v0.3', worldSize: 2 });
    const error = await toolError(stageCritic(old, fresh('out'), { route: 'overrides' }));
    expect(error.reason).toMatch(/before 0\.4\.1\) have no actor checkpoint\.load_contents; pass --verl/);
  });
});
