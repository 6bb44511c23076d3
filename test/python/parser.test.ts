/**
 * The planner's self-check parses its patched text incrementally, from the tree of the input
 * (parser.ts parsePythonEdited). That is only sound if the incremental tree is the tree a fresh
 * parse gives: these tests compare the two, node by node (type, range, missing/error flags), on
 * every fixture and on generated mutations of them (the reliability suite's cases), in both
 * directions (guard and unguard).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEdits, type TextEdit } from '../../src/edits.js';
import { decodeText } from '../../src/io/readSource.js';
import { parsePython, parsePythonEdited, type SyntaxNode } from '../../src/python/parser.js';
import { planText } from '../../src/planner.js';

import { ALL_FIXTURES, PATCHABLE, buildCase, caseSpec, describeCase } from '../reliability/cases.js';
import { PROPERTY_RUNS, PROPERTY_TIMEOUT_MS, SEED } from '../reliability/settings.js';

const patchPlan = (text: string) => planText('trainer', 'patch', text, 't.py');
const revertPlan = (text: string) => planText('trainer', 'revert', text, 't.py');

/** Every node of the tree, one line each, in document order. */
function shape(root: SyntaxNode): string {
  const lines: string[] = [];
  const cursor = root.walk();
  let depth = 0;
  for (;;) {
    const node = cursor.currentNode;
    lines.push(`${depth} ${cursor.currentFieldName ?? ''}:${node.type} ${node.startIndex}-${node.endIndex} ${node.startPosition.row}.${node.startPosition.column}${node.isMissing ? ' MISSING' : ''}${node.hasError ? ' E' : ''}`);
    if (cursor.gotoFirstChild()) {
      depth++;
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return lines.join('\n');
      depth--;
    }
  }
}

/** The fresh parse of `text`: parse something else first so the parser's cache cannot answer. */
function freshShape(text: string): string {
  parsePython('pass\n');
  return shape(parsePython(`${text}`));
}

function incrementalShape(before: string, edits: readonly TextEdit[]): { after: string; shape: string } {
  parsePython('pass\n');
  parsePython(before);
  const after = applyEdits(before, edits);
  return { after, shape: shape(parsePythonEdited(before, edits, after)) };
}

describe('parsePythonEdited', () => {
  it.each(PATCHABLE.map((f) => [f.name, f.text] as const))('gives the fresh tree of the patched and the reverted %s', (_name, text) => {
    const plan = patchPlan(text);
    if (plan.status !== 'change') return expect(plan.status).toBe('unchanged');
    const patched = incrementalShape(text, plan.edits);
    expect(patched.shape).toBe(freshShape(patched.after));
    const back = revertPlan(patched.after);
    expect(back.status).toBe('change');
    if (back.status !== 'change') return;
    const reverted = incrementalShape(patched.after, back.edits);
    expect(reverted.after).toBe(text);
    expect(reverted.shape).toBe(freshShape(text));
  });

  it('reuses the tree of the text it edits, and parses afresh when that text is not the last one parsed', () => {
    const before = 'class T:\n    def f(self):\n        a = 1\n';
    const edits = [{ start: before.indexOf('1'), end: before.indexOf('1') + 1, text: '(2,\n  3)' }];
    const after = applyEdits(before, edits);
    parsePython(before);
    const reused = parsePythonEdited(before, edits, after);
    expect(shape(reused)).toBe(freshShape(after));
    parsePython('x = 1\n');
    expect(shape(parsePythonEdited(before, edits, after))).toBe(freshShape(after));
  });

  it(`gives the fresh tree on ${Math.max(200, Math.round(PROPERTY_RUNS / 3))} generated mutations of the fixtures (seed ${SEED})`, () => {
    let compared = 0;
    fc.assert(
      fc.property(caseSpec({ poolSize: ALL_FIXTURES.length }), (spec) => {
        const built = buildCase(spec, ALL_FIXTURES);
        let text: string;
        try {
          text = decodeText('case.py', built.bytes);
        } catch {
          return; // undecodable bytes never reach the parser
        }
        const plan = patchPlan(text);
        if (plan.status !== 'change') return;
        const patched = incrementalShape(text, plan.edits);
        if (patched.shape !== freshShape(patched.after)) throw new Error(`incremental tree differs\ncase: ${describeCase(spec, ALL_FIXTURES)}`);
        compared++;
      }),
      { numRuns: Math.max(200, Math.round(PROPERTY_RUNS / 3)), seed: SEED },
    );
    expect(compared).toBeGreaterThan(50);
  }, PROPERTY_TIMEOUT_MS);
});
