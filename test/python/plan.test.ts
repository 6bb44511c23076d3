/**
 * The pure core on shapes too small to deserve a fixture file: what a patch plan edits, what it
 * refuses, and that the revert plan inverts it byte for byte. Last, the text test a checkout scan
 * runs before it parses a file, on every fixture.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/edits.js';
import { planText } from '../../src/planner.js';
import { mayHoldTarget } from '../../src/python/plan.js';

const patchPlan = (text: string) => planText('trainer', 'patch', text, 't.py');
const revertPlan = (text: string) => planText('trainer', 'revert', text, 't.py');

const method = (body: string[], eol = '\n') =>
  ['class RayPPOTrainer:', '    def _load_checkpoint(self):', ...body.map((line) => (line ? `        ${line}` : line))].join(eol);

function patch(source: string): string {
  const plan = patchPlan(source);
  if (plan.status !== 'change') throw new Error(`expected a patch, got ${plan.status}: ${'reason' in plan ? plan.reason : ''}`);
  return applyEdits(source, plan.edits);
}

function roundTrip(source: string): string {
  const patched = patch(source);
  const back = revertPlan(patched);
  expect(back.status).toBe('change');
  if (back.status === 'change') expect(applyEdits(patched, back.edits)).toBe(source);
  expect(patchPlan(patched).status).toBe('unchanged');
  return patched;
}

describe('patch plans', () => {
  it('wraps the load, keeps the comment above the if, and writes the else branch', () => {
    const patched = roundTrip(method(['# load actor', 'self.actor_rollout_wg.load_checkpoint(actor_path)', 'x = 1', '']));
    expect(patched).toBe(
      method([
        '# load actor',
        'if not self.config.trainer.get("load_critic_only", False):',
        '    self.actor_rollout_wg.load_checkpoint(actor_path)',
        'else:',
        '    print("trainer.load_critic_only is set: skipped loading the actor checkpoint")',
        'x = 1',
        '',
      ]),
    );
  });

  it('keeps a file that ends without a newline ending without one', () => {
    const source = method(['self.actor_rollout_wg.load_checkpoint(actor_path)']);
    const patched = roundTrip(source);
    expect(patched.endsWith('skipped loading the actor checkpoint")')).toBe(true);
  });

  it('uses the line ending of the edited line in a file with mixed endings', () => {
    const source = 'class T:\n    def _load_checkpoint(self):\r\n        self.actor_rollout_wg.load_checkpoint(p)\r\n        pass\n';
    const patched = roundTrip(source);
    expect(patched).toContain('        if not self.config.trainer.get("load_critic_only", False):\r\n            self.actor_rollout_wg.load_checkpoint(p)\r\n        else:\r\n');
  });

  it('splits a semicolon-joined line without a space after the semicolon and reverts it', () => {
    const patched = roundTrip(method(['a = 1; self.actor_rollout_wg.load_checkpoint(p); b = 2', '']));
    expect(patched).toContain('a = 1; \n        if not');
  });

  it('leaves the inside of a multi-line string alone', () => {
    const patched = roundTrip(method(['self.actor_rollout_wg.load_checkpoint(p, note="""first', 'second""")', '']));
    expect(patched).toContain('            self.actor_rollout_wg.load_checkpoint(p, note="""first\n        second""")\n');
  });

  it('does not indent empty lines inside a multi-line load (no trailing whitespace), and reverts', () => {
    const patched = roundTrip(method(['self.actor_rollout_wg.load_checkpoint(', '    actor_path,', '', '    del_local_after_load=True,', ')', '']));
    expect(patched).toContain('                actor_path,\n\n                del_local_after_load=True,\n');
    expect(patched).not.toMatch(/[ \t]\n/);
  });

  it('guards only the unguarded load when one of two is already guarded by hand', () => {
    const source = method([
      'if cond:',
      '    if not self.config.trainer.get("load_critic_only", False):',
      '        self.actor_rollout_wg.load_checkpoint(a)',
      'else:',
      '    self.actor_rollout_wg.load_checkpoint(b)',
      '',
    ]);
    const plan = patchPlan(source);
    expect(plan.status).toBe('change');
    if (plan.status !== 'change') return;
    expect(plan.actorLoads.map((s) => s.guarded)).toEqual([true, false]);
    expect(applyEdits(source, plan.edits)).toContain('    else:\n            if not self.config.trainer.get("load_critic_only", False):\n                self.actor_rollout_wg.load_checkpoint(b)\n            else:\n');
  });

  it('never guards load_checkpoint(None), and adds it to the else branch in that family', () => {
    const patched = roundTrip(
      method(['if self.config.trainer.resume_mode == "disable":', '    self.actor_rollout_wg.load_checkpoint(None)', '    return', 'self.actor_rollout_wg.load_checkpoint(local_path=p)', '']),
    );
    expect(patched.match(/if not self\.config/g)).toHaveLength(1);
    expect(patched).toContain('    else:\n            print(');
    expect(patched).toMatch(/skipped loading the actor checkpoint"\)\n {12}self\.actor_rollout_wg\.load_checkpoint\(None\)\n/);
  });

  it.each([
    ['a load that shares its line with try:', ['try: self.actor_rollout_wg.load_checkpoint(p)', 'except Exception: raise', ''], /shares its line with the header of its block/],
    ['a load inside an assignment', ['ok = self.actor_rollout_wg.load_checkpoint(p)', ''], /part of a larger expression/],
    ['a method with only the offload call', ['self.actor_rollout_wg.load_checkpoint(None)', ''], /has no actor checkpoint load/],
  ])('refuses %s', (_label, body, reason) => {
    const plan = patchPlan(method(body));
    expect(plan.status).toBe('refused');
    if (plan.status === 'refused') expect(plan.reason).toMatch(reason);
  });

  it('a file whose rollout load is guarded but whose update workers still load the actor is not patched yet', () => {
    const half = method([
      'actor_path = os.path.join(global_step_folder, "actor")',
      'if not self.config.trainer.get("load_critic_only", False):',
      '    self.actor_rollout_wg.load_checkpoint(actor_path)',
      'else:',
      '    print("trainer.load_critic_only is set: skipped loading the actor checkpoint")',
      'if self.use_separate_actor_workers:',
      '    self.actor_update_wg.load_checkpoint(actor_path)',
      'self.critic_wg.load_checkpoint(os.path.join(global_step_folder, "critic"))',
      'self.ref_policy_wg.load_checkpoint(os.path.join(global_step_folder, "ref"))',
      '',
    ]);
    const plan = patchPlan(half);
    expect(plan).toMatchObject({ status: 'change', actorLoads: [{ line: 5, guarded: true }, { line: 9, guarded: false }] });
    expect(patch(half)).toContain('        if self.use_separate_actor_workers:\n            if not self.config.trainer.get("load_critic_only", False):\n                self.actor_update_wg.load_checkpoint(actor_path)\n');
  });

  it('decides by the path: the actor folder into any group is guarded; critic, ref, transfer-queue and local objects are not', () => {
    const patched = roundTrip(
      method([
        'self.actor_update_wg.load_checkpoint(local_path=f"{folder}/actor")',
        'self.critic_wg.load_checkpoint(local_path=os.path.join(folder, str(Role.Critic)))',
        'tq_path = os.path.join(folder, "transfer_queue")',
        'self.tq_client.load_checkpoint(tq_path)',
        'counter.load_checkpoint(folder)',
        'self.rollout_group.load_checkpoint(os.path.join(folder, str(Role.ActorRollout)))',
        '',
      ]),
    );
    expect(patched.match(/if not self\.config/g)).toHaveLength(2);
    expect(patched).toContain('    self.actor_update_wg.load_checkpoint(local_path=f"{folder}/actor")');
    expect(patched).toContain('    self.rollout_group.load_checkpoint(os.path.join(folder, str(Role.ActorRollout)))');
  });

  it('refuses a worker group load whose path cannot be traced, with its line; actor_rollout_wg stays the actor whatever its path', () => {
    expect(patchPlan(method(['self.actor_update_wg.load_checkpoint(self.resume_dir)', '']))).toMatchObject({
      status: 'refused',
      line: 3,
      reason: expect.stringMatching(/cannot tell which checkpoint self\.actor_update_wg\.load_checkpoint\(self\.resume_dir\) loads/),
    });
    expect(patchPlan(method(['self.actor_rollout_wg.load_checkpoint(self.resume_dir)', '']))).toMatchObject({ status: 'change' });
  });

  it('refuses an EasyR1 actor load even when its path names the actor folder', () => {
    const plan = patchPlan(method(['self.actor_rollout_ref_wg.load_checkpoint(os.path.join(folder, "actor"))', '']));
    expect(plan).toMatchObject({ status: 'refused', reason: expect.stringMatching(/EasyR1-style/) });
  });

  it('a class with no checkpoint method names its base whatever it is called; object and Enum bases are no such base', () => {
    const inherits = patchPlan('class Role(Enum):\n    A = 1\n\n\nclass Runner(SyncBase, metaclass=Meta):\n    def fit(self):\n        pass\n');
    expect(inherits).toMatchObject({ status: 'refused', code: 'subclass', line: 5, reason: expect.stringContaining('Runner inherits `_load_checkpoint` from `SyncBase`: patch the file that defines it') });
    const old = patchPlan('class Role(Enum):\n    A = 1\n\n\nclass RayPPOTrainer(object):\n    def fit(self):\n        pass\n');
    expect(old).toMatchObject({ status: 'refused', code: 'no-checkpoint-method', reason: expect.stringMatching(/predates checkpoint resume/) });
  });

  it('reports a syntax error anywhere in the file as malformed, with its line', () => {
    const plan = patchPlan(method(['self.actor_rollout_wg.load_checkpoint(p', '']));
    expect(plan).toMatchObject({ status: 'malformed', reason: 'Python syntax error', line: 3 });
  });
});

describe('revert plans', () => {
  it('says unchanged for a file with no guard at all', () => {
    expect(revertPlan(method(['self.actor_rollout_wg.load_checkpoint(p)', ''])).status).toBe('unchanged');
  });

  it('refuses a guard it did not write, even one spelled like ours but without our else branch', () => {
    const plan = revertPlan(method(['if not self.config.trainer.get("load_critic_only", False):', '    self.actor_rollout_wg.load_checkpoint(p)', '']));
    expect(plan).toMatchObject({ status: 'refused', reason: expect.stringMatching(/not written by verl-critic-patch/) });
  });
});

describe('the text test a checkout scan runs before parsing a .py file', () => {
  const root = new URL('../../fixtures/', import.meta.url);
  const fixtures = ['python', 'refuse'].flatMap((dir) =>
    readdirSync(new URL(`${dir}/`, root))
      .filter((name) => name.endsWith('.py'))
      .map((name) => ({ name: `${dir}/${name}`, bytes: readFileSync(new URL(`${dir}/${name}`, root)) })),
  );

  it('passes every fixture whose plan is about an actor load, and answers the same for the bytes as for the text', () => {
    for (const { name, bytes } of fixtures) {
      const text = bytes.toString('latin1');
      expect(mayHoldTarget(bytes), name).toBe(mayHoldTarget(text));
      const plan = patchPlan(bytes.toString('utf8'));
      const aboutALoad = plan.status === 'change' || plan.status === 'unchanged' || (plan.status === 'refused' && !plan.notATarget);
      if (aboutALoad) expect(mayHoldTarget(bytes), name).toBe(true);
    }
  });

  it('finds the call across spaces, line continuations and comments, and not in modules that only mention both words', () => {
    expect(mayHoldTarget('self.actor_rollout_wg \\\n    .load_checkpoint(path)')).toBe(true);
    expect(mayHoldTarget('self.actor_rollout_wg  # the actor\n    .load_checkpoint(path)')).toBe(true);
    expect(mayHoldTarget(Buffer.from('# é ü\nself.actor_rollout_wg.load_checkpoint(p)\n', 'utf8'))).toBe(true);
    expect(mayHoldTarget('def load_checkpoint(self, path):\n    ref = config.actor_rollout_ref\n')).toBe(false);
  });
});
