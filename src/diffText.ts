/** Unified diffs in the form `git apply` and `patch -p1` take. */
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';

export interface FileDiff {
  text: string; // empty when nothing changed
  addedLines: LineRange[]; // 1-based inclusive ranges of lines the new file adds
  removedLines: LineRange[]; // 1-based inclusive ranges of lines the old file loses
}

export type LineRange = [number, number];

export function unifiedDiff(relPath: string, before: string, after: string): FileDiff {
  if (before === after) return { text: '', addedLines: [], removedLines: [] };
  const patch = structuredPatch(`a/${relPath}`, `b/${relPath}`, before, after, undefined, undefined, { context: 3 });
  return {
    text: formatPatch(patch, FILE_HEADERS_ONLY),
    addedLines: lineRanges(patch.hunks, '+'),
    removedLines: lineRanges(patch.hunks, '-'),
  };
}

/** Ranges of the lines marked `mark`, numbered in the new file for '+' and the old file for '-'. */
function lineRanges(hunks: { oldStart: number; newStart: number; lines: string[] }[], mark: '+' | '-'): LineRange[] {
  const other = mark === '+' ? '-' : '+';
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
      else if (text.startsWith(other)) continue;
    }
  }
  return ranges;
}
