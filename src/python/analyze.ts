/**
 * Reading a parsed trainer file: which methods load checkpoints, where the real actor loads are,
 * and whether each is already guarded by `load_critic_only`. Nothing here edits text.
 */
import { loadKind, pathArgument, type LoadKind } from './loadPath.js';
import type { SyntaxNode } from './parser.js';

/** Method names that hold the checkpoint loads: VeRL's trainers, and the fully-async trainer. */
const CHECKPOINT_METHODS = new Set(['_load_checkpoint', 'load_checkpoint']);
const ACTOR_GROUP = 'actor_rollout_wg';
/** How deep `self.helper(...)` calls are followed from `_load_checkpoint`: forks that delegate do it a level or two deep. */
const MAX_DELEGATION_DEPTH = 2;
export const FLAG = 'load_critic_only';

export interface MethodRef {
  node: SyntaxNode; // function_definition
  name: string;
  className: string;
  classBody: SyntaxNode;
}

/** One statement-level real actor load, and how it sits in the method. */
export interface ActorLoadSite {
  statement: SyntaxNode; // expression_statement holding only the call
  method: MethodRef; // the method whose body holds the statement (maybe a helper)
  entry: MethodRef; // the _load_checkpoint it was reached from
  guarded: boolean;
}

export type MethodAnalysis =
  /** `calls`: every call in the methods the loads were looked for in (the entry and its helpers). */
  | { kind: 'loads'; entry: MethodRef; sites: ActorLoadSite[]; calls: CallSite[] }
  /** `parentLoads`: the method only calls the parent's (`super()._load_checkpoint()`), which holds the loads. */
  | { kind: 'refused'; entry: MethodRef; reason: string; line: number; noActorLoad: boolean; parentLoads?: boolean };

/**
 * The checkpoint methods of every class, in source order. A file can only define them where its
 * text spells `load_checkpoint`, so the tree is asked about those few places instead of being
 * walked whole (a walk of a 2,000-line trainer costs more than all of the analysis after it).
 */
export function findCheckpointMethods(root: SyntaxNode): MethodRef[] {
  const methods: MethodRef[] = [];
  for (const name of namesSpelling(root, 'load_checkpoint')) {
    const fn = name.parent;
    if (fn?.type !== 'function_definition' || !CHECKPOINT_METHODS.has(name.text)) continue;
    if (fn.childForFieldName('name')?.startIndex !== name.startIndex) continue; // a parameter, not the name
    const holder = fn.parent?.type === 'decorated_definition' ? fn.parent : fn;
    const body = holder.parent;
    const cls = body?.parent;
    if (body?.type !== 'block' || cls?.type !== 'class_definition') continue; // a function, not a method
    methods.push({ node: fn, name: name.text, className: cls.childForFieldName('name')?.text ?? '?', classBody: body });
  }
  return methods;
}

/**
 * The smallest named node at each place the text spells `word`, in source order, once each:
 * identifiers (or strings, comments) holding it. Callers check what each one is.
 */
export function namesSpelling(root: SyntaxNode, word: string): SyntaxNode[] {
  // The root starts after leading blank space, so its text is offset from the source by that much.
  const text = root.text;
  const base = root.startIndex;
  const found: SyntaxNode[] = [];
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + word.length)) {
    const node = root.namedDescendantForIndex(base + at, base + at + word.length - 1);
    if (node && found[found.length - 1]?.id !== node.id) found.push(node);
  }
  return found;
}

function methodsOf(classBody: SyntaxNode): SyntaxNode[] {
  return classBody.namedChildren
    .map((child) => (child.type === 'decorated_definition' ? child.childForFieldName('definition') : child))
    .filter((child): child is SyntaxNode => child?.type === 'function_definition');
}

function findMethod(classBody: SyntaxNode, name: string): SyntaxNode | undefined {
  return methodsOf(classBody).find((fn) => fn.childForFieldName('name')?.text === name);
}

/**
 * A call and its callee, read from the tree once. Every question the analysis asks of a call (an
 * actor load? `self.helper()`? `logger.*`? `super()`?) is answered from these few reads: each
 * read is a call into the native binding (~2 µs), and each call of a checkpoint method used to be
 * asked four times over (VeRL v0.9.0's trainer: ~1,200 reads a plan).
 */
export interface CallSite {
  node: SyntaxNode; // the call
  /** For `object.attribute(...)`: the attribute's name. */
  attribute?: string;
  /** The object's text when it is a name or a call (`self`, `logger`, `super()`), the only objects asked about. */
  objectText?: string;
  /** For `self.<group>.load_checkpoint(...)`: the group's name. */
  selfGroup?: string;
  /** For `<receiver>.load_checkpoint(...)`: the receiver's text (`self.actor_update_wg`, `tq`). */
  receiver?: string;
}

/** A callee of names and dots only, none of them a keyword-like literal: `self.actor_rollout_wg.load_checkpoint`. */
const DOTTED_NAMES = /^(?!(?:None|True|False)\b)[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/;

/**
 * The call's callee. Most callees are a dotted name (`self.critic_wg.load_checkpoint`,
 * `os.path.join`): tree-sitter parses `a.b.c` as attribute(attribute(a, b), c) and nothing else,
 * so the parts are read from the callee's text (two reads of the tree: its start and end), not
 * from its nodes (five to seven). Any other callee (a subscript, a call, a space, a line break or a comment between the parts,
 * a non-ASCII name) is read from the tree (readCallFromTree; a test compares the two on every
 * call of the fixtures and of generated trainers).
 */
export function readCall(call: SyntaxNode): CallSite {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute') return { node: call };
  const text = fn.text;
  if (!DOTTED_NAMES.test(text)) return readCallFromTree(call, fn);
  const names = text.split('.');
  const attribute = names.pop()!;
  return {
    node: call,
    attribute,
    objectText: names.length === 1 ? names[0] : undefined,
    selfGroup: attribute === 'load_checkpoint' && names.length === 2 && names[0] === 'self' ? names[1] : undefined,
    receiver: attribute === 'load_checkpoint' ? names.join('.') : undefined,
  };
}

/** The call's callee from its nodes (`fn`: its `function`, an attribute). */
export function readCallFromTree(call: SyntaxNode, fn: SyntaxNode): CallSite {
  const object = fn.childForFieldName('object');
  const objectType = object?.type;
  const attribute = fn.childForFieldName('attribute')?.text;
  const objectText = objectType === 'identifier' || objectType === 'call' ? object!.text : undefined;
  const selfGroup =
    attribute === 'load_checkpoint' && objectType === 'attribute' && object!.childForFieldName('object')?.text === 'self'
      ? object!.childForFieldName('attribute')?.text
      : undefined;
  const receiver = attribute === 'load_checkpoint' ? object?.text : undefined;
  return { node: call, attribute, objectText, selfGroup, receiver };
}

/** `self.<group>.load_checkpoint(...)`: the group's name, or undefined for any other call. */
export function loadCheckpointGroup(call: CallSite): string | undefined {
  return call.selfGroup;
}

/**
 * What a worker group's `load_checkpoint(...)` call loads (loadPath.ts), or undefined for any other
 * call (`self.load_checkpoint()`, `super()._load_checkpoint()` are the trainer's own methods).
 * `self.actor_rollout_wg` holds the actor in every VeRL: whatever it loads (a helper's parameter
 * too) is the actor's, as it always was; any other group's load is decided by its path.
 */
export function loadOf(call: CallSite): LoadKind | undefined {
  if (call.receiver === undefined || call.receiver === 'self' || call.receiver === 'super()') return undefined;
  // Whatever its path, a load into the actor's own group is the actor's (none: an offload), so its
  // path is not traced: the common case costs what it always did.
  if (call.selfGroup === ACTOR_GROUP) {
    const path = pathArgument(call.node);
    return path === undefined ? 'other' : path.type === 'none' ? 'offload' : 'actor';
  }
  return loadKind(call.node);
}

/**
 * `self.<group>` or `self.<groups>[...]`: worker groups are the trainer's attributes. A local
 * object (`counter.load_checkpoint(folder)`, a transfer queue client) loading something whose
 * path cannot be traced is no worker group, and is left alone.
 */
function isTrainerAttribute(receiver: string | undefined): boolean {
  return receiver !== undefined && /^self\s*\.\s*[A-Za-z_]\w*\s*(?:\[.*\])?$/s.test(receiver);
}

/** A real actor load reads the actor's checkpoint, whatever group it loads it into. */
export function isRealActorLoad(call: CallSite): boolean {
  return loadOf(call) === 'actor';
}

/** `load_checkpoint(None)`: VeRL 0.6.1's offload of a fresh model; never guarded. */
export function isOffloadCall(call: CallSite): boolean {
  return loadOf(call) === 'offload';
}

const NESTED_SCOPES = ['function_definition', 'class_definition', 'lambda'];

/**
 * Calls in a function body, not inside nested functions, classes or lambdas. The native
 * descendantsOfType does both walks; a call is dropped when it lies inside a nested scope (most
 * methods have none, so this is one range test per call).
 */
export function callsIn(fn: SyntaxNode): SyntaxNode[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  const calls = body.descendantsOfType('call');
  const scopes = body.descendantsOfType(NESTED_SCOPES);
  if (scopes.length === 0) return calls;
  return calls.filter((call) => !scopes.some((scope) => scope.startIndex < call.startIndex && call.endIndex <= scope.endIndex));
}

/**
 * True when the node mentions the flag as a name, an attribute or a string: any spelling of the
 * guard. Such a name or string is the smallest named node at a place the text spells the flag, so
 * only those places are looked up, not every node below (a walk cost a native call or three per
 * node of a condition).
 */
export function mentionsFlag(node: SyntaxNode): boolean {
  return namesSpelling(node, FLAG).some((name) => (name.type === 'identifier' || name.type === 'string_content') && name.text === FLAG);
}

/** Is the statement inside an `if`/`elif`/`else` (within the method) whose condition names the flag? */
function isGuarded(statement: SyntaxNode, method: SyntaxNode): boolean {
  for (let node = statement.parent; node && node.id !== method.id; node = node.parent) {
    const owner = node.type === 'else_clause' || node.type === 'elif_clause' ? node.parent : node;
    const conditions =
      owner?.type === 'if_statement'
        ? [owner.childForFieldName('condition'), ...owner.namedChildren.filter((c) => c.type === 'elif_clause').map((c) => c.childForFieldName('condition'))]
        : [];
    if (conditions.some((condition) => condition && mentionsFlag(condition))) return true;
  }
  return false;
}

/** The 1-based line of a node: tree-sitter's rows end at `\n`, as the lines of our messages do. */
export function lineOf(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}

/**
 * Analyse one `_load_checkpoint`: its real actor loads, following `self.helper(...)` calls into
 * methods of the same class when the loads live there, or the reason it cannot be patched.
 */
export function analyzeMethod(entry: MethodRef): MethodAnalysis {
  const family: MethodRef[] = [];
  const calls: CallSite[] = [];
  const sites: ActorLoadSite[] = [];
  const problems: { reason: string; line: number }[] = [];
  const visit = (method: MethodRef, depth: number) => {
    if (family.some((m) => m.node.id === method.node.id)) return;
    family.push(method);
    // Each method's calls are looked up once: for its loads, its helpers and the guard's style.
    const own = callsIn(method.node).map(readCall);
    calls.push(...own);
    for (const call of own) {
      const kind = loadOf(call);
      if (kind !== undefined && kind !== 'offload' && call.selfGroup === EASYR1_GROUP) {
        problems.push({ reason: easyR1Reason(`${method.className}.${method.name}`), line: lineOf(call.node) });
      } else if (kind === 'untraced' && isTrainerAttribute(call.receiver)) {
        problems.push({ reason: untracedReason(method, call), line: lineOf(call.node) });
      } else if (kind === 'actor') {
        const statement = call.node.parent;
        if (statement?.type !== 'expression_statement' || statement.namedChildren.length !== 1) {
          const line = lineOf(call.node);
          problems.push({ reason: `the actor load at line ${line} is part of a larger expression, not a statement of its own`, line });
        } else {
          sites.push({ statement, method, entry, guarded: isGuarded(statement, method.node) });
        }
      }
    }
    if (depth >= MAX_DELEGATION_DEPTH) return;
    for (const name of selfMethodCalls(own)) {
      const helper = findMethod(method.classBody, name);
      if (helper) visit({ node: helper, name, className: method.className, classBody: method.classBody }, depth + 1);
    }
  };
  visit(entry, 0);
  const first = problems[0];
  if (first) return { kind: 'refused', entry, ...first, noActorLoad: false };
  if (sites.length > 0) return { kind: 'loads', entry, sites, calls };
  return { kind: 'refused', entry, ...whyNoActorLoad(entry), line: lineOf(entry.node), noActorLoad: true };
}

/** Names `n` of the `self.n(...)` calls among `calls`, in their order. */
function selfMethodCalls(calls: readonly CallSite[]): string[] {
  return calls.filter((call) => call.objectText === 'self').map((call) => call.attribute ?? '');
}

function untracedReason(method: MethodRef, call: CallSite): string {
  const path = pathArgument(call.node)?.text.replace(/\s+/g, ' ') ?? '';
  const shown = path.length > 40 ? `${path.slice(0, 37)}...` : path;
  return (
    `${method.className}.${method.name}: cannot tell which checkpoint ${call.receiver}.load_checkpoint(${shown}) loads: ` +
    'its path is not built in this method from the step folder and "actor" (or "critic", "reward"); guard it by hand if it loads the actor'
  );
}

/** EasyR1 and projects like it rename the group and read a dataclass config: the guard's `.get` would crash there. */
const EASYR1_GROUP = 'actor_rollout_ref_wg';

function easyR1Reason(where: string): string {
  return `${where} loads self.${EASYR1_GROUP}: an EasyR1-style trainer with dataclass configs, which this tool does not support (the Option B guard would crash there)`;
}

function whyNoActorLoad(entry: MethodRef): { reason: string; parentLoads?: boolean } {
  const calls = callsIn(entry.node).map(readCall);
  const where = `${entry.className}.${entry.name}`;
  if (calls.some((call) => loadCheckpointGroup(call) === EASYR1_GROUP)) return { reason: easyR1Reason(where) };
  const delegatesToSuper = calls.some((call) => call.objectText === 'super()' && CHECKPOINT_METHODS.has(call.attribute ?? ''));
  if (delegatesToSuper) {
    return { reason: `${where} only calls super().${entry.name}(); patch the file of the parent class, which holds the actor load`, parentLoads: true };
  }
  return { reason: `${where} has no actor checkpoint load to guard: no load_checkpoint(<the actor's folder>) statement (such as self.${ACTOR_GROUP}.load_checkpoint(actor_path))` };
}
