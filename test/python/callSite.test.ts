/**
 * readCall (src/python/analyze.ts) reads a dotted callee (`self.critic_wg.load_checkpoint`) from
 * its text instead of its nodes. It must answer exactly what reading the nodes answers
 * (readCallFromTree), on every call: those of the fixtures, and of generated callees that mix
 * names with what the text shortcut must not take (spaces, line breaks, comments, subscripts,
 * calls, literals, non-ASCII names).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCall, readCallFromTree } from '../../src/python/analyze.js';
import { parsePython, type SyntaxNode } from '../../src/python/parser.js';
import { REPO_ROOT } from '../helpers/cli.js';

/** Both readings of every call whose callee is an attribute, without the node (compared apart). */
function readings(source: string): { text: string; fast: object; tree: object }[] {
  const root = parsePython(source);
  return root.descendantsOfType('call').flatMap((call: SyntaxNode) => {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') return [];
    const { node: _fast, ...fast } = readCall(call);
    const { node: _tree, ...tree } = readCallFromTree(call, fn);
    return [{ text: fn.text, fast, tree }];
  });
}

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return pythonFiles(path);
    return entry.name.endsWith('.py') ? [path] : [];
  });
}

describe('readCall', () => {
  it('reads every call of the fixtures as reading its nodes does', () => {
    let calls = 0;
    for (const file of pythonFiles(join(REPO_ROOT, 'fixtures'))) {
      let source: string;
      try {
        source = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const { text, fast, tree } of readings(source)) {
        calls++;
        expect({ file, text, ...fast }).toEqual({ file, text, ...tree });
      }
    }
    expect(calls).toBeGreaterThan(500);
  });

  it.each([
    'self.actor_rollout_wg.load_checkpoint',
    'self.trainer.actor_rollout_wg.load_checkpoint',
    'trainer.actor_rollout_wg.load_checkpoint',
    'self.load_checkpoint',
    'self.actor_rollout_wg.save_checkpoint',
    'logger.info',
    'self.logger.info',
    'super().load_checkpoint',
    'None.load_checkpoint',
    'self . actor_rollout_wg.load_checkpoint',
    'self.workers[0].load_checkpoint',
  ])('reads %s as reading its nodes does', (callee) => {
    const [reading] = readings(`def f(self):\n    ${callee}(path)\n`);
    expect(reading!.fast).toEqual(reading!.tree);
  });

  it('reads generated callees as reading their nodes does', () => {
    const name = fc.constantFrom('self', 'logger', 'actor_rollout_wg', 'critic_wg', 'load_checkpoint', 'x', '_y2', 'None', 'True', 'None_x', 'Ünicode', 'super()', 'get(1)', 'a[0]', '"s"', '(self)');
    const dot = fc.oneof({ arbitrary: fc.constant('.'), weight: 8 }, fc.constantFrom(' .', '. ', '\\\n    .', '.\\\n    '));
    const callee = fc.tuple(name, fc.array(fc.tuple(dot, fc.constantFrom('load_checkpoint', 'info', 'actor_rollout_wg', 'join', 'x', 'Ünicode')), { minLength: 1, maxLength: 3 })).map(([head, rest]) => head + rest.map(([d, n]) => d + n).join(''));
    let shortcut = 0;
    let fromTree = 0;
    fc.assert(
      fc.property(callee, fc.boolean(), (text, inParens) => {
        // In parentheses, a comment may sit between the parts too.
        const body = inParens ? `(\n        ${text.replace('. ', '.  # note\n        ')}\n    )` : text;
        const source = `def f(self):\n    ${body}(path, del_local_after_load=False)\n`;
        const root = parsePython(source);
        fc.pre(!root.hasError);
        for (const reading of readings(source)) {
          if (/^[A-Za-z_][\w.]*$/.test(reading.text)) shortcut++;
          else fromTree++;
          expect(reading.fast).toEqual(reading.tree);
        }
      }),
      { numRuns: 1500 },
    );
    // Both ways of reading are taken, many times each.
    expect(shortcut).toBeGreaterThan(200);
    expect(fromTree).toBeGreaterThan(200);
  });
});
