/**
 * What a `<group>.load_checkpoint(PATH, ...)` call loads, read from PATH rather than from the
 * group's name: VeRL's pipeline trainers load the actor's folder into more than one worker group
 * (`actor_rollout_wg`, and `actor_update_wg` when separate workers train), and any of them left
 * unguarded resumes the old actor.
 *
 *   actor     PATH names the actor's folder: a string segment `actor` (`os.path.join(folder,
 *             "actor")`, `f"{folder}/actor"`), `Role.Actor*`, or a variable of the method
 *             assigned such a path (followed a few assignments deep)
 *   offload   PATH is `None`: VeRL 0.6.1's early returns offload the fresh model, loading nothing
 *   other     PATH names another component's folder (`"critic"`, `str(Role.Critic)`, `"reward"`,
 *             `"transfer_queue"`) and not the actor's
 *   untraced  PATH is none of these: a parameter, an attribute, a folder of unknown name
 *
 * Only known names count as "not the actor": a path built from names this module does not know
 * stays untraced (and is refused by the caller) rather than silently left unguarded.
 */
import type { SyntaxNode } from './parser.js';

export type LoadKind = 'actor' | 'offload' | 'other' | 'untraced';

/** How many assignments deep a variable is followed (`actor_path` -> `agent_path` -> ...). */
const MAX_TRACE_DEPTH = 4;
const NESTED_SCOPES = new Set(['function_definition', 'class_definition', 'lambda']);
/** The folders VeRL saves beside `actor/` in a step folder, and the dataloader's file. */
const OTHER_COMPONENTS = new Set(['critic', 'reward', 'reward_model', 'rm', 'ref', 'transfer_queue', 'data.pt']);

/** The checkpoint path argument: first positional, or `local_path=`. */
export function pathArgument(call: SyntaxNode): SyntaxNode | undefined {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((n) => n.type !== 'comment') ?? [];
  const first = args[0];
  if (first && first.type !== 'keyword_argument') return first;
  const keyword = args.find((arg) => arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'local_path');
  return keyword?.childForFieldName('value') ?? undefined;
}

export function loadKind(call: SyntaxNode): LoadKind {
  const path = pathArgument(call);
  if (!path) return 'untraced';
  if (path.type === 'none') return 'offload';
  const scope = enclosingFunction(call);
  return verdict(evidenceOf(path, scope, new Set(), 0));
}

interface Evidence {
  actor: boolean;
  other: boolean;
}

/** An actor segment decides (a path under the actor's folder is the actor's); any other name says "not the actor". */
function verdict(evidence: Evidence): LoadKind {
  if (evidence.actor) return 'actor';
  return evidence.other ? 'other' : 'untraced';
}

/**
 * What the expression names: its own strings and `Role.X` first; only when they name nothing are
 * its variables followed (`actor_path` -> `os.path.join(folder, "actor")` stops there, without
 * following `folder`: each read of the tree is a call into the parser's binding).
 */
function evidenceOf(expression: SyntaxNode, scope: SyntaxNode | undefined, seen: Set<string>, depth: number): Evidence {
  const evidence: Evidence = { actor: false, other: false };
  const nodes = [expression, ...expression.descendantsOfType(['string_content', 'attribute', 'identifier'])];
  const names: SyntaxNode[] = [];
  for (const node of nodes) {
    if (node.type === 'string_content') {
      for (const segment of node.text.split(/[\\/]/).filter((s) => s !== '')) {
        if (segment === 'actor') evidence.actor = true;
        else if (OTHER_COMPONENTS.has(segment)) evidence.other = true;
      }
    } else if (node.type === 'attribute' && node.childForFieldName('object')?.text === 'Role') {
      if (node.childForFieldName('attribute')?.text.startsWith('Actor')) evidence.actor = true;
      else evidence.other = true;
    } else if (node.type === 'identifier') {
      names.push(node);
    }
  }
  if (evidence.actor || evidence.other || !scope || depth >= MAX_TRACE_DEPTH) return evidence;
  for (const name of names.filter(isBareName)) {
    if (seen.has(name.text)) continue;
    seen.add(name.text);
    for (const value of assignedValues(scope, name.text, expression.startIndex)) {
      const traced = evidenceOf(value, scope, seen, depth + 1);
      evidence.actor ||= traced.actor;
      evidence.other ||= traced.other;
    }
  }
  return evidence;
}

/** A variable read: not an attribute's part, a called function's name, nor a keyword's name. */
function isBareName(node: SyntaxNode): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === 'attribute') return false;
  if (parent.type === 'call' && parent.childForFieldName('function')?.startIndex === node.startIndex) return false;
  if (parent.type === 'keyword_argument' && parent.childForFieldName('name')?.startIndex === node.startIndex) return false;
  return true;
}

/** The right-hand sides of `name = VALUE` in the function (not in nested scopes), before `before`. */
function assignedValues(scope: SyntaxNode, name: string, before: number): SyntaxNode[] {
  const body = scope.childForFieldName('body');
  if (!body) return [];
  return body.descendantsOfType('assignment').flatMap((assignment) => {
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type !== 'identifier' || left.text !== name || !right || assignment.startIndex >= before) return [];
    return enclosingFunction(assignment)?.id === scope.id ? [right] : [];
  });
}

function enclosingFunction(node: SyntaxNode): SyntaxNode | undefined {
  for (let at = node.parent; at; at = at.parent) {
    if (at.type === 'function_definition') return at;
    if (NESTED_SCOPES.has(at.type)) return undefined; // a lambda or class body: nothing to trace in
  }
  return undefined;
}
