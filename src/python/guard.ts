/**
 * The transform (Option B): wrap one real actor load in
 *
 *     if not self.config.trainer.get("load_critic_only", False):
 *         self.actor_rollout_wg.load_checkpoint(...)   # the statement, one level deeper
 *     else:
 *         print("...skipped...")                       # [+ the group's load_checkpoint(None) in the 0.6.1 family]
 *
 * as a list of text edits that touch nothing else: the comment above stays above the `if`,
 * continuation lines move one unit right, lines inside multi-line strings keep their bytes.
 * `DictConfig.get(key, default)` returns the default in struct mode too, so the guard runs
 * unchanged on configs that lack the key.
 */
import type { TextEdit } from '../edits.js';
import { contentEndAt, eolOfLine, indentOfLine, lineEndAt, lineStartAt, lineStartsWithin } from '../text/lines.js';
import type { SyntaxNode } from './parser.js';

export interface GuardStyle {
  unit: string; // one indentation level of the file
  quote: '"' | "'";
  log: string; // print | logger.info
  /** The 0.6.1 family: the group whose `load_checkpoint(None)` the skipped branch calls instead. */
  offload?: string;
}

export const SKIP_MESSAGE = 'trainer.load_critic_only is set: skipped loading the actor checkpoint';

export function guardCondition(quote: string): string {
  return `not self.config.trainer.get(${quote}load_critic_only${quote}, False)`;
}

export function elseBody(style: GuardStyle): string[] {
  const q = style.quote;
  const lines = [`${style.log}(${q}${SKIP_MESSAGE}${q})`];
  if (style.offload) lines.push(`${style.offload}.load_checkpoint(None)`);
  return lines;
}

/**
 * Line starts inside the statement that move right with it: not the inside of a multi-line
 * string (its bytes are its value), and not empty lines (indenting them only adds trailing
 * whitespace that `git diff --check` flags). The patched statement has the same such lines, so
 * unguard removes the unit from exactly these.
 */
export function codeContinuationLines(source: string, statement: SyntaxNode): number[] {
  const strings = statement.descendantsOfType('string');
  return lineStartsWithin(source, statement.startIndex, statement.endIndex).filter(
    (start) => !isEmptyLine(source, start) && !strings.some((s) => s.startIndex < start && start < s.endIndex),
  );
}

function isEmptyLine(source: string, lineStart: number): boolean {
  return source[lineStart] === '\n' || (source[lineStart] === '\r' && source[lineStart + 1] === '\n');
}

/** Does only whitespace, a `;` and/or a comment follow the statement on its last line? */
function endsItsLine(source: string, statement: SyntaxNode): boolean {
  let next = statement.nextSibling;
  if (next?.type === ';') next = next.nextSibling;
  return !next || next.type === 'comment' || next.startPosition.row > statement.endPosition.row;
}

/** Is the statement preceded on its first line by `stmt;` (a semicolon-joined line)? */
function followsSemicolon(statement: SyntaxNode): boolean {
  const previous = statement.previousSibling;
  return previous?.type === ';' && previous.endPosition.row === statement.startPosition.row;
}

/** The edits that guard one statement, or why its shape cannot be guarded (never a throw). */
export type GuardEdits = { edits: TextEdit[] } | { unsupported: string };

export function guardEdits(source: string, statement: SyntaxNode, style: GuardStyle): GuardEdits {
  const lineStart = lineStartAt(source, statement.startIndex);
  const indent = indentOfLine(source, statement.startIndex);
  const eol = eolOfLine(source, statement.startIndex);
  const inner = indent + style.unit;
  const ifLine = `if ${guardCondition(style.quote)}:`;
  const elseLines = [`${indent}else:`, ...elseBody(style).map((line) => inner + line)].join(eol);
  const edits: TextEdit[] = [];

  if (lineStart + indent.length === statement.startIndex) {
    edits.push({ start: lineStart, end: lineStart, text: `${indent}${ifLine}${eol}` });
    edits.push({ start: statement.startIndex, end: statement.startIndex, text: style.unit });
  } else if (followsSemicolon(statement)) {
    // `a(); LOAD` -> `a(); ` / `if ...:` / `    LOAD`: the text before stays byte for byte.
    edits.push({ start: statement.startIndex, end: statement.startIndex, text: `${eol}${indent}${ifLine}${eol}${inner}` });
  } else {
    return { unsupported: 'it shares its line with the header of its block (e.g. `try: load(...)`); move it to a line of its own' };
  }

  for (const start of codeContinuationLines(source, statement)) {
    edits.push({ start, end: start, text: style.unit });
  }

  if (endsItsLine(source, statement)) {
    const lineEnd = lineEndAt(source, statement.endIndex);
    const atEndOfFile = contentEndAt(source, statement.endIndex) === lineEnd;
    edits.push(atEndOfFile ? { start: lineEnd, end: lineEnd, text: `${eol}${elseLines}` } : { start: lineEnd, end: lineEnd, text: `${elseLines}${eol}` });
  } else {
    // `LOAD; b()` -> `LOAD; ` / `else: ...` / `b()`, splitting right before the next statement.
    const next = nextStatementOnLine(statement);
    if (!next) return { unsupported: 'unexpected text after the actor load on its line' };
    edits.push({ start: next.startIndex, end: next.startIndex, text: `${eol}${elseLines}${eol}${indent}` });
  }
  return { edits };
}

function nextStatementOnLine(statement: SyntaxNode): SyntaxNode | undefined {
  let next = statement.nextSibling;
  while (next && (next.type === ';' || next.type === 'comment')) next = next.nextSibling;
  return next ?? undefined;
}
