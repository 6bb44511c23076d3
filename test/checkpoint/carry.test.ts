// carryPlan on its own (pure): every loader x every --carry x every set of saved kinds gives a plan
// or a one-line refusal, the default never narrows the new run's saves where the saver saved all,
// and the exported helpers agree with the plans. The end-to-end proof is families.test.ts.
import { describe, expect, it } from 'vitest';
import { CARRIES, carriedFor, carryPlan, inheritsFor, isCarryRefusal, SCHEDULER_OVERRIDE, type Carry } from '../../src/checkpoint/carry.js';
import { LOADERS } from '../../src/checkpoint/families.js';
import type { ShardKind } from '../../src/checkpoint/layout.js';

const SAVES: ShardKind[][] = [['model'], ['model', 'optimizer'], ['model', 'extra'], ['model', 'optimizer', 'extra']];
const ASKS: (Carry | 'default')[] = ['default', ...CARRIES];

describe('carryPlan', () => {
  it('is total: a plan whose overrides name its kinds, or a one-line refusal', () => {
    for (const loader of Object.values(LOADERS)) {
      for (const saved of SAVES) {
        for (const carry of ASKS) {
          const plan = carryPlan({ loader, saved, carry });
          const label = `${loader.id} ${saved.join('+')} ${carry}`;
          if (isCarryRefusal(plan)) {
            expect(plan.refusal, label).not.toContain('\n');
            expect(plan.refusal.length, label).toBeGreaterThan(20);
            continue;
          }
          expect(plan.loadKinds[0], label).toBe('model');
          expect(plan.loadKinds.every((k) => saved.includes(k)), label).toBe(true);
          expect(plan.inherits, label).toEqual(inheritsFor(loader, plan.loadKinds, plan.overrides.includes(SCHEDULER_OVERRIDE)));
          expect(plan.carries, label).toEqual(carriedFor(loader, plan.loadKinds, plan.overrides.includes(SCHEDULER_OVERRIDE)));
          const lists = plan.overrides.filter((o) => o.startsWith('critic.checkpoint.'));
          for (const o of lists) expect(o, label).toMatch(new RegExp(`=\\[${plan.loadKinds.join(',')}\\]$`));
          if (carry === 'default' && saved.length === 3) {
            expect(plan.effects, `${label}: the default changed what the new run saves`).toEqual([]);
            expect(plan.overrides.some((o) => /save_contents|checkpoint\.contents|use_checkpoint_opt_param_scheduler/.test(o)), label).toBe(false);
          }
          if (carry === 'weights') expect(plan.inherits, label).toEqual([]);
        }
      }
    }
  });

  it('says why the default did not come to weights only, and names how the user asked in a refusal', () => {
    const old = carryPlan({ loader: LOADERS['fsdp-v0.2'], saved: ['model', 'optimizer', 'extra'], carry: 'default', release: 'VeRL 0.4.0' });
    expect(isCarryRefusal(old) ? null : old.defaultNote).toBe(
      "VeRL 0.4.0 loads the critic's model, optimizer and extra state unconditionally, so the new run inherits them; VeRL 0.4.1 or later can carry the weights only",
    );
    const mcore = carryPlan({ loader: LOADERS['megatron-v0.4.1'], saved: ['model', 'optimizer', 'extra'], carry: 'default' });
    expect(isCarryRefusal(mcore) ? null : mcore.defaultNote).toMatch(
      /^VeRL 0\.4\.1 to 0\.5\.x would need critic\.checkpoint\.save_contents=\[model\] critic\.checkpoint\.load_contents=\[model\] to load the weights only, which also makes the new run save only its critic's model/,
    );
    const refused = carryPlan({ loader: LOADERS['fsdp-v0.2'], saved: ['model', 'optimizer', 'extra'], carry: 'weights', askedAs: '--model-only' });
    expect(isCarryRefusal(refused) && refused.refusal.startsWith('--model-only, but VeRL 0.2 to 0.4.0 loads')).toBe(true);
    const none = carryPlan({ loader: LOADERS['fsdp-v0.4.1'], saved: ['model'], carry: 'optimizer' });
    expect(none).toMatchObject({ about: 'critic', refusal: expect.stringMatching(/saved without its optimizer state/) });
  });
});
