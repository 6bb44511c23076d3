/**
 * The case generator (cases.ts) must build Python that runs: a case the original of which cannot
 * even be imported says nothing about the product, and failed the property suite as a "stub
 * harness" violation (seed 982025731: one template inserted twice into an Enum body, which refuses
 * a name bound twice: "TypeError: '_vcp_json' already defined").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATCHABLE, STATEMENT_TEMPLATES, structural, type StatementInsert } from './cases.js';
import { modelApply } from './model.js';
import { runStubHarness } from '../helpers/python.js';
import { PYTHON3, skipFileWithout } from '../helpers/systemPackages.js';

skipFileWithout(PYTHON3);

describe('statements the generator inserts', () => {
  it('bind names of their own, so twice every template in an Enum body still imports and runs the same', () => {
    const fixture = PATCHABLE.find((f) => f.name === 'v2025_10_role_critic.py')!;
    const enumRow = fixture.text.split('\n').findIndex((line) => /^class \w+\(Enum\):/.test(line));
    expect(enumRow).toBeGreaterThanOrEqual(0);
    // The first anchor inside the Enum's body: a row after `class Role(Enum):`, indented.
    const anchor = fixture.info.anchors.findIndex((a) => a.row > enumRow && a.indent !== '');
    expect(fixture.info.anchors[anchor]!.row).toBeLessThan(enumRow + 12);
    const statements: StatementInsert[] = STATEMENT_TEMPLATES.flatMap((_, template) => [0, 1].map(() => ({ anchor, onLoad: false, template, text: 'donn\u00e9es \u4e2d\u6587' })));
    const text = structural(fixture, { lines: [], statements, semicolonOnLoad: false, commentOnLoad: null });
    const outcome = modelApply(Buffer.from(text, 'utf8'));
    expect(outcome.status).toBe('change');
    const dir = mkdtempSync(join(tmpdir(), 'vcp-cases-'));
    try {
      writeFileSync(join(dir, 'original.py'), text);
      writeFileSync(join(dir, 'patched.py'), outcome.after!);
      const verdict = runStubHarness(join(dir, 'original.py'), join(dir, 'patched.py'));
      expect(verdict.problems).toEqual([]);
      expect(verdict.ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
