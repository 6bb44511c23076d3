/**
 * The emulation equals Hydra. hydra-core 1.3.2 (PyPI) is the oracle: VeRL's own configs
 * (verl/trainer/config/** of its PyPI wheels 0.5.0, 0.7.1, 0.9.1, as released and as `apply`
 * patches them) composed for the shapes of VeRL's example launches (test/helpers/exampleLaunches.ts)
 * with the warm-start overrides, by Hydra and by the emulation: both accept or both refuse (naming
 * the same key), and every key a check reads has the same value. scripts/test-env-hydra.sh builds
 * the environment (.ci/run runs it); without it these tests skip with one line, and fail under CI.
 * VeRL's main, where /tmp/v/main holds a checkout, is compared as well (not a CI requirement).
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planTrainerConfig } from '../../src/config/trainerYaml.js';
import { applyEdits } from '../../src/edits.js';
import { COMPOSED_KEYS, composeWith, isRefusal, type ComposeRequest, type Composed, type ComposeRefusal } from '../../src/launch/compose.js';
import { tempDir } from '../helpers/cli.js';
import { OVERRIDE_EDGES, WARM_STARTS, exampleLaunches, type ExampleLaunch } from '../helpers/exampleLaunches.js';
import { skipBecause } from '../helpers/systemPackages.js';
import { HYDRA_PYTHON, RELEASES, configsOf, lacksHydra } from './hydraGate.js';

const skip = lacksHydra();

const scratch = tempDir('vcp-hydra-oracle-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of a release's verl/ (configs only), with trainer.load_critic_only declared as `apply` declares it. */
function patchedCopy(verl: string, name: string): string {
  const copy = join(scratch, name, 'verl');
  cpSync(verl, copy, { recursive: true });
  const dir = join(copy, 'trainer', 'config');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const plan = planTrainerConfig('patch', readFileSync(join(dir, file), 'utf8'), file);
    if (plan.status === 'change') writeFileSync(join(dir, file), applyEdits(readFileSync(join(dir, file), 'utf8'), plan.edits));
  }
  return copy;
}

interface Case {
  label: string;
  request: ComposeRequest;
}

function request(verl: string, launch: ExampleLaunch, extra: string[]): ComposeRequest {
  const configDir = join(verl, 'trainer', 'config');
  return { configDir, configName: launch.configName, configDirs: [], searchpath: [configDir], verlPackage: verl, versionBase: 'None', overrides: [...launch.overrides, ...extra] };
}

/**
 * Every example launch with stage's line on the patched config; the first (FSDP) launch with every
 * other warm start on the patched config, and with the three spellings of the flag on the
 * released one (a plain override refused there, `+` and `++` accepted).
 */
function cases(release: string, launches: ExampleLaunch[], patched: string, released: string): Case[] {
  const [stageLine, ...others] = WARM_STARTS;
  const fsdp = launches[0]!;
  return [
    ...launches.map((launch) => ({ label: `${release} patched: ${launch.name} + ${stageLine!.name}`, request: request(patched, launch, stageLine!.overrides) })),
    ...others.map((warm) => ({ label: `${release} patched: ${fsdp.name} + ${warm.name}`, request: request(patched, fsdp, warm.overrides) })),
    ...WARM_STARTS.slice(0, 3).map((warm) => ({ label: `${release} as released: ${fsdp.name} + ${warm.name}`, request: request(released, fsdp, warm.overrides) })),
  ];
}

type Result = Composed | ComposeRefusal;

/** Each case by Hydra and by the emulation, all in one run of Python (Hydra's import is paid once). */
function composeBoth(cases: Case[]): { hydra: Result[]; emulation: Result[] } {
  const requests = cases.flatMap((c) => [{ ...c.request, composer: 'hydra' as const }, { ...c.request, composer: 'emulation' as const }]);
  const result = composeWith(HYDRA_PYTHON, requests);
  if ('unavailable' in result) throw new Error(`${HYDRA_PYTHON}: ${result.unavailable}`);
  return { hydra: result.filter((_, i) => i % 2 === 0), emulation: result.filter((_, i) => i % 2 === 1) };
}

/** What the checks see: refused (and the key named), or the value of every key they read. */
function seen(result: Result) {
  if (isRefusal(result)) return { refused: result.key };
  return { values: Object.fromEntries(COMPOSED_KEYS.map((key) => [key, key in result.values ? result.values[key] : result.absent.includes(key) ? '<absent>' : `<unresolved: ${result.unresolved[key]}>`])) };
}

function compare(all: Case[]) {
  const { hydra, emulation } = composeBoth(all);
  all.forEach((c, i) => {
    expect(hydra[i]!.composer?.name, c.label).toBe('hydra');
    expect(emulation[i]!.composer?.name, c.label).toBe('emulation');
    expect(seen(emulation[i]!), c.label).toEqual(seen(hydra[i]!));
  });
  return hydra;
}

describe.skipIf(skip)('the emulation composes as Hydra 1.3.2 does, on VeRL\'s own configs and example launches', () => {
  for (const release of RELEASES) {
    it(`VeRL ${release}`, () => {
      const released = join(configsOf(release), 'verl');
      const all = cases(release, exampleLaunches(release), patchedCopy(released, release), released);
      const hydra = compare(all);
      // The oracle is no pushover: it refused the typo and the plain flag on the released config,
      // and read the warm start where it was accepted.
      const refused = all.filter((_, i) => isRefusal(hydra[i]!)).map((c) => c.label);
      expect(refused).toEqual([
        `${release} patched: ${exampleLaunches(release)[0]!.name} + + (adds the key)`,
        `${release} patched: ${exampleLaunches(release)[0]!.name} + a key no config has`,
        `${release} as released: ${exampleLaunches(release)[0]!.name} + stage's line`,
      ]);
      expect(hydra[0]).toMatchObject({ values: { 'trainer.load_critic_only': true, 'trainer.resume_mode': 'resume_path', 'critic.checkpoint.load_contents': ['model'] } });
    }, 240_000);
  }

  it("Hydra's edges of + and ~ on VeRL 0.7.1's keys (null, ???, ~k=v)", () => {
    const patched = patchedCopy(join(configsOf('0.7.1'), 'verl'), '0.7.1-edges');
    const fsdp = exampleLaunches('0.7.1')[0]!;
    const all = OVERRIDE_EDGES.map((edge) => ({ label: edge.name, request: request(patched, { ...fsdp, overrides: [] }, edge.overrides) }));
    const hydra = compare(all);
    expect(all.filter((_, i) => isRefusal(hydra[i]!)).map((c) => c.label)).toEqual(['~ of a ??? key', '~ of a null key', '~k=v, another value']);
  }, 120_000);

  it.skipIf(skipBecause("VeRL main's config against Hydra", existsSync('/tmp/v/main/verl/trainer/config') ? null : 'no checkout of VeRL main in /tmp/v/main'))(
    "VeRL main (the 0.9 launches, main's uv line among them)",
    () => {
      const main = '/tmp/v/main/verl';
      const launches = exampleLaunches('0.9.1');
      const all = [launches[0]!, launches.find((l) => l.overrides.includes('model_engine=megatron'))!].map((launch) => ({ label: `main: ${launch.name}`, request: request(patchedCopy(main, 'main'), launch, WARM_STARTS[0]!.overrides) }));
      compare(all);
    },
    120_000,
  );
});
