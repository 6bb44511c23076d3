/**
 * The inverse transform: find guards this tool wrote (the exact `if`, one actor load inside, our
 * `else` branch) and give back the bytes from before the patch. A guard written by hand is
 * reported, not touched: we cannot know what it replaced.
 */
import type { TextEdit } from '../edits.js';
import { contentEndAt, indentOfLine, lineEndAt, lineStartAt } from '../text/lines.js';
import { FLAG, isOffloadCall, isRealActorLoad, mentionsFlag, namesSpelling, readCall } from './analyze.js';
import { SKIP_MESSAGE, codeContinuationLines, guardCondition } from './guard.js';
import type { SyntaxNode } from './parser.js';

export interface OurGuard {
  ifStatement: SyntaxNode;
  statement: SyntaxNode; // the actor load inside
  elseStatements: SyntaxNode[];
}

const squash = (text: string) => text.replace(/\s+/g, '');
const OUR_CONDITIONS = new Set(['"', "'"].map((q) => squash(guardCondition(q))));

function onlyCall(statement: SyntaxNode | undefined): SyntaxNode | undefined {
  const call = statement?.type === 'expression_statement' && statement.namedChildren.length === 1 ? statement.namedChildren[0] : undefined;
  return call?.type === 'call' ? call : undefined;
}

function statementsOf(block: SyntaxNode | null | undefined): SyntaxNode[] {
  return block?.namedChildren.filter((n) => n.type !== 'comment') ?? [];
}

function isOurSkipMessage(statement: SyntaxNode): boolean {
  const call = onlyCall(statement);
  const fn = call?.childForFieldName('function')?.text;
  return (fn === 'print' || fn === 'logger.info') && call?.childForFieldName('arguments')?.text.includes(SKIP_MESSAGE) === true;
}

/** Matches the exact shape guardEdits writes; anything else is not ours to remove. */
export function asOurGuard(ifStatement: SyntaxNode): OurGuard | undefined {
  const condition = ifStatement.childForFieldName('condition');
  if (!condition || !OUR_CONDITIONS.has(squash(condition.text))) return undefined;
  const body = statementsOf(ifStatement.childForFieldName('consequence'));
  const alternatives = ifStatement.namedChildren.filter((n) => n.type === 'else_clause' || n.type === 'elif_clause');
  const elseStatements = statementsOf(alternatives[0]?.childForFieldName('body'));
  const call = onlyCall(body[0]);
  const [message, offload, ...rest] = elseStatements;
  const offloadCall = offload && onlyCall(offload);
  const offloadOk = offload === undefined || (offloadCall !== undefined && isOffloadCall(readCall(offloadCall)));
  if (body.length !== 1 || !call || !isRealActorLoad(readCall(call)) || alternatives.length !== 1 || alternatives[0]?.type !== 'else_clause') return undefined;
  if (!message || !isOurSkipMessage(message) || !offloadOk || rest.length > 0) return undefined;
  return { ifStatement, statement: body[0]!, elseStatements };
}

/**
 * Every `if` whose condition names the flag: ours (revertible) or written by hand. Only places
 * where the text spells the flag can be such a condition, so those are looked up in the tree.
 */
export function flagGuards(root: SyntaxNode): { ours: OurGuard[]; foreign: SyntaxNode[] } {
  const ours: OurGuard[] = [];
  const foreign: SyntaxNode[] = [];
  const seen = new Set<number>();
  for (const mention of namesSpelling(root, FLAG)) {
    const ifStatement = ifWhoseConditionHolds(mention);
    if (!ifStatement || seen.has(ifStatement.startIndex)) continue;
    seen.add(ifStatement.startIndex);
    if (!mentionsFlag(ifStatement.childForFieldName('condition')!)) continue;
    const guard = asOurGuard(ifStatement);
    if (guard) ours.push(guard);
    else foreign.push(ifStatement);
  }
  return { ours, foreign };
}

/**
 * The `if` statement whose condition contains `node`, if any. Python has no block inside an
 * expression, so once the walk up leaves a block no `if` above can hold `node` in its condition:
 * the walk stops there instead of climbing to the module.
 */
function ifWhoseConditionHolds(node: SyntaxNode): SyntaxNode | undefined {
  for (let at: SyntaxNode | null = node; at; at = at.parent) {
    const type = at.type;
    if (type === 'block' || type === 'module') return undefined;
    if (type !== 'if_statement') continue;
    const condition = at.childForFieldName('condition');
    if (condition && condition.startIndex <= node.startIndex && node.endIndex <= condition.endIndex) return at;
  }
  return undefined;
}

/**
 * Edits that undo guardEdits for one guard. Where the `if` follows a `stmt;` line, or the code
 * after the `else` branch sat after a `;` on the load's line, guardEdits split a semicolon-joined
 * line, and the split is joined back.
 */
export function unguardEdits(source: string, guard: OurGuard): TextEdit[] {
  const { ifStatement, statement, elseStatements } = guard;
  const indent = indentOfLine(source, ifStatement.startIndex);
  const innerIndent = indentOfLine(source, statement.startIndex);
  const unit = innerIndent.slice(indent.length);
  const ifLineStart = lineStartAt(source, ifStatement.startIndex);
  const statementLineStart = lineStartAt(source, statement.startIndex);
  const edits: TextEdit[] = [];

  const previous = ifStatement.previousSibling;
  if (previous?.type === ';' && previous.endPosition.row === ifStatement.startPosition.row - 1) {
    edits.push({ start: contentEndAt(source, previous.endIndex), end: statement.startIndex, text: '' });
  } else {
    edits.push({ start: ifLineStart, end: statementLineStart, text: '' });
    edits.push({ start: statementLineStart + indent.length, end: statementLineStart + innerIndent.length, text: '' });
  }
  for (const start of codeContinuationLines(source, statement)) {
    edits.push({ start, end: start + unit.length, text: '' });
  }

  const lastElse = elseStatements[elseStatements.length - 1]!;
  const elseLineStart = lineStartAt(source, ifStatement.namedChildren.find((n) => n.type === 'else_clause')!.startIndex);
  const loadLineContentEnd = contentEndAt(source, statement.endIndex);
  const afterLoad = source.slice(statement.endIndex, loadLineContentEnd);
  const next = ifStatement.nextSibling;
  if (/^;[ \t]*$/.test(afterLoad) && afterLoad.length > 1 && next && next.startPosition.row === lastElse.endPosition.row + 1) {
    // `LOAD; ` + else-branch + indent + `b()` came from `LOAD; b()`.
    edits.push({ start: loadLineContentEnd, end: next.startIndex, text: '' });
  } else if (lineEndAt(source, lastElse.endIndex) === source.length && contentEndAt(source, lastElse.endIndex) === source.length) {
    edits.push({ start: loadLineContentEnd, end: source.length, text: '' });
  } else {
    edits.push({ start: elseLineStart, end: lineEndAt(source, lastElse.endIndex), text: '' });
  }
  return edits;
}
