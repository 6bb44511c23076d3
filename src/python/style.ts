/**
 * The house style of the method being edited, so inserted lines read like their neighbours:
 * indentation unit, quote character, and whether it logs with `print` or `logger.info`.
 */
import { indentOfLine } from '../text/lines.js';
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

/** The quote character most strings of the method use (`"` on a tie). */
export function preferredQuote(method: SyntaxNode): '"' | "'" {
  let single = 0;
  let double = 0;
  for (const string of method.descendantsOfType('string_start')) {
    const quote = string.text.replace(/^[a-zA-Z]+/, '')[0];
    if (quote === "'") single++;
    else if (quote === '"') double++;
  }
  return single > double ? "'" : '"';
}

/** `logger.info` when the methods already log through a `logger` (one of their `calls`), else `print`. */
export function logFunction(calls: readonly SyntaxNode[]): string {
  for (const call of calls) {
    const fn = call.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('object')?.text === 'logger') return 'logger.info';
  }
  return 'print';
}
