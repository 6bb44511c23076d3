/**
 * A text edit: replace source.slice(start, end) with `text`. Offsets are JavaScript string
 * indices (UTF-16 code units), which is also what tree-sitter's Node binding reports.
 * The pure cores (Python guard, YAML key) produce lists of these; the edges apply them.
 */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * Apply non-overlapping edits. Edits at the same offset are applied in list order, so an
 * insertion listed first ends up first in the result.
 */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  const ordered = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.index - b.index);
  let out = '';
  let cursor = 0;
  for (const { edit } of ordered) {
    if (edit.start < cursor || edit.end < edit.start || edit.end > source.length) {
      throw new Error(`overlapping or out-of-range edit at ${edit.start}..${edit.end}`);
    }
    out += source.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + source.slice(cursor);
}
