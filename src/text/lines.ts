/** Line arithmetic on a source string, for edits that must keep every other byte. */

export function lineStartAt(source: string, offset: number): number {
  // lastIndexOf reads a negative start as 0, and would find a line break at offset 0.
  return offset <= 0 ? 0 : source.lastIndexOf('\n', offset - 1) + 1;
}

/** Index just past the line's end of line (or the end of the source on the last line). */
export function lineEndAt(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  return newline === -1 ? source.length : newline + 1;
}

/** Index where the line's content ends: before its `\r\n` or `\n`, or the end of the source. */
export function contentEndAt(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  if (newline === -1) return source.length;
  return newline > 0 && source[newline - 1] === '\r' ? newline - 1 : newline;
}

/** The line ending the line at `offset` uses, or the file's first one when that line has none. */
export function eolOfLine(source: string, offset: number): string {
  const end = contentEndAt(source, offset);
  if (end < source.length) return source[end] === '\r' ? '\r\n' : '\n';
  const first = source.indexOf('\n');
  if (first === -1) return '\n';
  return first > 0 && source[first - 1] === '\r' ? '\r\n' : '\n';
}

/** The run of spaces and tabs at the start of the line holding `offset`. */
export function indentOfLine(source: string, offset: number): string {
  const start = lineStartAt(source, offset);
  let end = start;
  while (source[end] === ' ' || source[end] === '\t') end++;
  return source.slice(start, end);
}

/** Starts of the lines that begin strictly inside (start, end). */
export function lineStartsWithin(source: string, start: number, end: number): number[] {
  const starts: number[] = [];
  for (let i = source.indexOf('\n', start); i !== -1 && i + 1 < end; i = source.indexOf('\n', i + 1)) {
    starts.push(i + 1);
  }
  return starts;
}

/** 1-based line number of an offset. */
export function lineNumberAt(source: string, offset: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

/** The line holding `offset`: where it starts, where its content ends, where the next one starts. */
export interface LineSpan {
  start: number;
  contentEnd: number; // before its `\r\n` or `\n`, or the end of the source
  nextLineStart: number | undefined; // undefined on a last line with no line break
}

export function lineAt(source: string, offset: number): LineSpan {
  const newline = source.indexOf('\n', offset);
  return {
    start: lineStartAt(source, offset),
    contentEnd: contentEndAt(source, offset),
    nextLineStart: newline === -1 ? undefined : newline + 1,
  };
}
