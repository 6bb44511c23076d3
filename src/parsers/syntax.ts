/**
 * What the analysis reads of a tree-sitter tree, and nothing more: the members both runtimes
 * give under the same names, with the same meaning. The native binding (`tree-sitter`) and the
 * WebAssembly one (`web-tree-sitter`, the same C library compiled to WebAssembly) both index a
 * JavaScript string in UTF-16 code units (startIndex, endIndex, a Point's column) and count rows
 * at `\n`; test/parsers/paths.test.ts holds them to the same bytes on every fixture, golden diff
 * and YAML case. A member used anywhere in src/ must be listed here, so that a new read is a type
 * error until it is known to mean the same on both paths.
 */

/** A row (0-based, rows end at `\n`) and a column (UTF-16 code units). */
export interface Point {
  row: number;
  column: number;
}

export interface SyntaxNode {
  /** The same for every object standing for this node of this tree (objects are made per read). */
  readonly id: number;
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly parent: SyntaxNode | null;
  readonly children: SyntaxNode[];
  readonly namedChildren: SyntaxNode[];
  readonly nextSibling: SyntaxNode | null;
  readonly previousSibling: SyntaxNode | null;
  readonly hasError: boolean;
  readonly isMissing: boolean;
  childForFieldName(name: string): SyntaxNode | null;
  descendantsOfType(types: string | string[]): SyntaxNode[];
  namedDescendantForIndex(start: number, end: number): SyntaxNode | null;
  /** The S-expression of the subtree, as tree-sitter prints it. */
  toString(): string;
}

/** An edit of a parsed text, for an incremental re-parse (indices and columns in UTF-16 units). */
export interface Edit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

export interface Tree {
  readonly rootNode: SyntaxNode;
  edit(edit: Edit): void;
}

/** A parser with its language set. */
export interface Parser {
  /** The tree of `text`; given `oldTree` (edited to match), only what changed is read again. */
  parse(text: string, oldTree?: Tree): Tree;
}

/** A grammar: its npm package, and the file name its binaries and `.wasm` build go by. */
export interface Grammar {
  package: string;
  /** `<binary>.node` in the package's prebuilds/<platform>-<arch>/, and `<binary>.wasm` in dist/bin/parsers/. */
  binary: string;
  /** The package's WebAssembly build, relative to the package. */
  wasm: string;
}

export const PYTHON: Grammar = { package: 'tree-sitter-python', binary: 'tree-sitter-python', wasm: 'tree-sitter-python.wasm' };
export const YAML: Grammar = {
  package: '@tree-sitter-grammars/tree-sitter-yaml',
  binary: '@tree-sitter-grammars+tree-sitter-yaml',
  wasm: 'tree-sitter-yaml.wasm',
};
