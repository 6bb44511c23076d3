/**
 * Where tree-sitter's YAML grammar cannot be loaded (no prebuilt binary for the platform, and no
 * compiler to build one), there is no view: every YAML is read whole by the yaml package, and the
 * plans are the same. The grammar's loading is made to fail here, as it would there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { plannerView } from '../../src/config/plannerView.js';
import { planConfigText, planTrainerConfig } from '../../src/config/trainerYaml.js';
import { YAML } from '../../src/treeSitter.js';

vi.mock('../../src/treeSitter.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/treeSitter.js')>();
  return {
    ...real,
    newParser: (grammar: typeof real.YAML) => {
      if (grammar.package === real.YAML.package) throw new Error('No native build was found for platform=test');
      return real.newParser(grammar);
    },
  };
});

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/config');

describe('without the YAML grammar', () => {
  it('gives no view, and the plans of the whole file', () => {
    expect(YAML.package).toBe('@tree-sitter-grammars/tree-sitter-yaml');
    const names = readdirSync(FIXTURES).filter((n) => n.endsWith('.yaml'));
    expect(names.length).toBeGreaterThan(4);
    for (const name of names) {
      const text = readFileSync(join(FIXTURES, name), 'utf8');
      expect(plannerView(text), name).toBeUndefined();
      for (const direction of ['patch', 'revert'] as const) {
        expect(planTrainerConfig(direction, text, `verl/trainer/config/${name}`), name).toEqual(planConfigText(direction, text, `verl/trainer/config/${name}`));
      }
    }
  });
});
