/**
 * unifiedDiff hands jsdiff only the changed lines and their context (changedWindow). These tests
 * show that this gives the diff jsdiff gives for the whole texts, on generated edits of generated
 * files (line endings LF or CRLF, with or without a final line break, edits inside lines, at the
 * very start and end, and repeated lines that make the alignment ambiguous).
 */
import { FILE_HEADERS_ONLY, applyPatch, formatPatch, structuredPatch } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changedWindow, unifiedDiff } from '../src/diffText.js';
import { PROPERTY_RUNS, PROPERTY_TIMEOUT_MS, SEED } from './reliability/settings.js';

function wholeFileDiff(before: string, after: string): string {
  return formatPatch(structuredPatch('a/f.py', 'b/f.py', before, after, undefined, undefined, { context: 3 }), FILE_HEADERS_ONLY);
}

/** A file of short lines from a small alphabet, so that repeated lines are common, maybe padded with long unique runs. */
const file = fc
  .record({
    lines: fc.array(fc.constantFrom('a', 'b', 'pass', '    x = 1', '', '# c'), { maxLength: 40 }),
    eol: fc.constantFrom('\n', '\r\n'),
    finalBreak: fc.boolean(),
    // Long unchanged runs around the short lines, so the blockwise comparison of heads and tails runs.
    padding: fc.constantFrom(0, 0, 300, 2000),
  })
  .map(({ lines, eol, finalBreak, padding }) => {
    const pad = Array.from({ length: padding }, (_, i) => `filler_${i} = ${i}`);
    const all = [...pad, ...lines, ...pad.map((line) => `tail_${line}`)];
    return all.join(eol) + (finalBreak && all.length > 0 ? eol : '');
  });

/** Up to three replacements of a random span by random text (which may hold line breaks). */
const edited = file.chain((before) =>
  fc
    .array(
      fc.record({
        // Edits land near the short lines in the middle most of the time.
        at: fc.oneof(fc.nat({ max: before.length }), fc.integer({ min: Math.floor(before.length / 2) - 200, max: Math.floor(before.length / 2) + 200 }).map((n) => Math.max(0, Math.min(before.length, n)))),
        length: fc.nat({ max: 12 }),
        text: fc.array(fc.constantFrom('a', 'b', '\n', '\r\n', 'y', ' ', 'pass\n'), { maxLength: 6 }).map((parts) => parts.join('')),
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((edits) => {
      let after = before;
      for (const edit of edits) {
        const at = Math.min(edit.at, after.length);
        after = after.slice(0, at) + edit.text + after.slice(Math.min(after.length, at + edit.length));
      }
      return { before, after };
    }),
);

describe('unifiedDiff', () => {
  it(`equals jsdiff on the whole texts, and applies (${PROPERTY_RUNS} generated edits, seed ${SEED})`, () => {
    fc.assert(
      fc.property(edited, ({ before, after }) => {
        const diff = unifiedDiff('f.py', before, after).text;
        if (before === after) return diff === '';
        expect(diff).toBe(wholeFileDiff(before, after));
        expect(applyPatch(before, diff)).toBe(after);
        return true;
      }),
      { numRuns: PROPERTY_RUNS, seed: SEED },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('numbers hunks in the whole file and reports added and removed lines there', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}\n`).join('');
    const after = before.replace('line 10\n', 'line 10\nnew\n').replace('line 15\n', '');
    const diff = unifiedDiff('f.py', before, after);
    expect(diff.text).toBe(wholeFileDiff(before, after));
    expect(diff.text).toContain('@@ -8,11 +8,11 @@');
    expect(diff.addedLines).toEqual([[11, 11]]);
    expect(diff.removedLines).toEqual([[15, 15]]);
  });

  it('cuts only whole unchanged lines beyond the context', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\n';
    const window = changedWindow(before, before.replace('e\n', 'E\n'), 3);
    expect(window).toEqual({ before: 'b\nc\nd\ne\nf\ng\nh\n', after: 'b\nc\nd\nE\nf\ng\nh\n', linesBefore: 1, cutTail: true });
  });
});
