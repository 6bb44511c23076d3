/**
 * What `inspect` says a warm start from the critic it reports would restore, for each `--carry`:
 * on the loader of the releases that save the critic's layout (a `stage --verl` names the new run's
 * release and may differ). Pure: the critic's report in, carry.ts's plans out (the shapes are in
 * reportTypes.ts).
 */
import { CARRIES, carryPlan, isCarryRefusal } from './carry.js';
import { LAYOUTS, LOADERS } from './families.js';
import { SHARD_KINDS } from './layout.js';
import type { CarryPreview, RoleReport, WarmStartPreview } from './reportTypes.js';

/** null when there is no critic with weights in a known layout (inspect's warnings say why). */
export function warmStartPreview(critic: RoleReport | null | undefined): WarmStartPreview | null {
  const layout = critic?.layout ? LAYOUTS.find((l) => l.id === critic.layout!.id) : undefined;
  if (!critic || !layout || critic.contents.model !== true) return null;
  const loader = LOADERS[layout.assumedLoader];
  const saved = SHARD_KINDS.filter((kind) => critic.contents[kind] === true);
  const byCarry = CARRIES.map((carry): CarryPreview => {
    const plan = carryPlan({ loader, saved, carry });
    if (isCarryRefusal(plan)) return { carry, refusal: plan.refusal };
    const { loadKinds, overrides, carries, inherits, effects } = plan;
    return { carry, loadKinds, overrides, carries, inherits, effects };
  });
  const fallback = carryPlan({ loader, saved, carry: 'default' });
  return {
    loader: { id: loader.id, releases: loader.releases },
    defaultCarry: isCarryRefusal(fallback) ? null : fallback.carry,
    byCarry,
  };
}
