/**
 * The house style of the method being edited, so inserted lines read like their neighbours:
 * indentation unit, quote character, and whether it logs with `print` or `logger.info`.
 */
import { indentOfLine } from '../text/lines.js';
import type { CallSite } from './analyze.js';
import type { SyntaxNode } from './parser.js';

/** One indentation level of this file: the method body's indent minus the `def` line's. */
export function indentUnit(source: string, method: SyntaxNode): string {
  const defIndent = indentOfLine(source, method.startIndex);
  const firstStatement = method.childForFieldName('body')?.namedChildren.find((n) => n.type !== 'comment');
  if (firstStatement && firstStatement.startPosition.row !== method.startPosition.row) {
    const bodyIndent = indentOfLine(source, firstStatement.startIndex);
    if (bodyIndent.startsWith(defIndent) && bodyIndent.length > defIndent.length) return bodyIndent.slice(defIndent.length);
  }
  return defIndent.includes('\t') ? '\t' : '    ';
}

/**
 * The quote character most strings of the method use (`"` on a tie). A string starts with its
 * prefix letters (`f`, `rb`), then its quote: read from the source at the string's start, which
 * takes one read of the tree a string instead of three for its text.
 */
export function preferredQuote(source: string, method: SyntaxNode): '"' | "'" {
  let single = 0;
  let double = 0;
  for (const string of method.descendantsOfType('string_start')) {
    let at = string.startIndex;
    while (/[a-zA-Z]/.test(source[at] ?? '')) at++;
    if (source[at] === "'") single++;
    else if (source[at] === '"') double++;
  }
  return single > double ? "'" : '"';
}

/** `logger.info` when the methods already log through a `logger` (one of their `calls`), else `print`. */
export function logFunction(calls: readonly CallSite[]): string {
  return calls.some((call) => call.objectText === 'logger') ? 'logger.info' : 'print';
}
