/** Unified diffs in the form `git apply` and `patch -p1` take. */
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';
import { lineEndAt, lineNumberAt, lineStartAt } from './text/lines.js';

export interface FileDiff {
  text: string; // empty when nothing changed
  addedLines: LineRange[]; // 1-based inclusive ranges of lines the new file adds
  removedLines: LineRange[]; // 1-based inclusive ranges of lines the old file loses
}

export type LineRange = [number, number];

const CONTEXT_LINES = 3;

export function unifiedDiff(relPath: string, before: string, after: string): FileDiff {
  if (before === after) return { text: '', addedLines: [], removedLines: [] };
  let window = changedWindow(before, after, CONTEXT_LINES);
  let patch = windowPatch(relPath, window);
  // jsdiff may align a change a few lines later than where the texts first differ (among
  // repeated lines), leaving the last hunk short of context at the cut: then diff up to the end.
  if (window.cutTail && trailingContext(patch.hunks.at(-1)) < CONTEXT_LINES) {
    window = changedWindow(before, after, CONTEXT_LINES, { keepTail: true });
    patch = windowPatch(relPath, window);
  }
  return {
    text: formatPatch(patch, FILE_HEADERS_ONLY),
    addedLines: lineRanges(patch.hunks, '+'),
    removedLines: lineRanges(patch.hunks, '-'),
  };
}

function windowPatch(relPath: string, window: DiffWindow) {
  const patch = structuredPatch(`a/${relPath}`, `b/${relPath}`, window.before, window.after, undefined, undefined, { context: CONTEXT_LINES });
  for (const hunk of patch.hunks) {
    hunk.oldStart += window.linesBefore;
    hunk.newStart += window.linesBefore;
  }
  return patch;
}

function trailingContext(hunk: { lines: string[] } | undefined): number {
  let count = 0;
  for (let i = (hunk?.lines.length ?? 0) - 1; i >= 0 && hunk!.lines[i]!.startsWith(' '); i--) count++;
  return count;
}

interface DiffWindow {
  before: string;
  after: string;
  linesBefore: number; // lines cut from the head
  cutTail: boolean; // whether lines were cut from the tail
}

/**
 * The lines that differ, with `context` unchanged lines on each side: all a diff of the two
 * texts can show. jsdiff splits its whole input into lines before it compares them, which for a
 * guard of a few lines in a 2,000-line trainer was most of the cost of the diff. Cutting the
 * common head changes nothing (jsdiff matches a common head first); cutting the common tail
 * does not either once the last hunk has its full context (unifiedDiff checks, and
 * test/diffText.test.ts compares with jsdiff on the whole texts).
 */
export function changedWindow(before: string, after: string, context: number, options: { keepTail?: boolean } = {}): DiffWindow {
  const shorter = Math.min(before.length, after.length);
  const head = commonLength(shorter, (at, n) => before.slice(at, at + n) === after.slice(at, at + n));
  const tail = commonLength(shorter - head, (at, n) => before.slice(before.length - at - n, before.length - at) === after.slice(after.length - at - n, after.length - at));

  // Back to the start of the first differing line, then `context` lines further.
  let start = lineStartAt(before, head);
  for (let n = 0; n < context && start > 0; n++) start = lineStartAt(before, start - 1);
  // On to the end of the line holding the end of the difference (an insertion there changes that
  // line even when the difference ends at its start), then `context` lines further.
  let end = options.keepTail ? before.length : lineEndAt(before, before.length - tail);
  for (let n = 0; n < context && end < before.length; n++) end = lineEndAt(before, end);

  const linesBefore = lineNumberAt(before, start) - 1;
  const cutTail = before.length - end;
  return { before: before.slice(start, end), after: after.slice(start, after.length - cutTail), linesBefore, cutTail: cutTail > 0 };
}

/**
 * How many leading units (up to `limit`) two texts share, given `same(at, n)`: do they agree on
 * the n units from `at`? Blocks of units are compared natively, then units one by one.
 */
function commonLength(limit: number, same: (at: number, n: number) => boolean): number {
  let at = 0;
  for (const block of [4096, 256, 16]) {
    while (at + block <= limit && same(at, block)) at += block;
  }
  while (at < limit && same(at, 1)) at++;
  return at;
}

/**
 * Ranges of the lines marked `mark`, numbered in the new file for '+' and the old file for '-'.
 * Context lines count in both files; lines of the other mark and `\ No newline` count in neither.
 */
function lineRanges(hunks: { oldStart: number; newStart: number; lines: string[] }[], mark: '+' | '-'): LineRange[] {
  const ranges: LineRange[] = [];
  for (const hunk of hunks) {
    let line = mark === '+' ? hunk.newStart : hunk.oldStart;
    for (const text of hunk.lines) {
      if (text.startsWith(mark)) {
        const last = ranges[ranges.length - 1];
        if (last && last[1] === line - 1) last[1] = line;
        else ranges.push([line, line]);
        line++;
      } else if (text.startsWith(' ')) line++;
    }
  }
  return ranges;
}
