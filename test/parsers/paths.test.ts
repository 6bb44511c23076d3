/**
 * Both parser paths (src/treeSitter.ts) give the same bytes. In-process: the same tree, node for
 * node (type, UTF-16 indices, rows and columns, missing and error flags), for every Python and
 * YAML fixture, the bundled example, the patched text of every golden diff, and generated damaged
 * versions of them; and the same tree again after an incremental re-parse of an edit. End to end:
 * the built CLI forced onto each path (VERL_CRITIC_PATCH_PARSER) prints the same stdout, stderr
 * and exit code for every fixture, golden diff and YAML case, and each patchable fixture's diff is
 * its golden file on both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/edits.js';
import { decodeText } from '../../src/io/readSource.js';
import { nativeParser } from '../../src/parsers/native.js';
import { PYTHON, YAML, type Edit, type Grammar, type Parser, type Point, type SyntaxNode } from '../../src/parsers/syntax.js';
import { prepareWasm, wasmParser } from '../../src/parsers/wasm.js';
import { planText } from '../../src/planner.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { FIXTURE_DIR, GOLDEN_DIR, patchableFixtures } from '../helpers/fixtures.js';
import { PROPERTY_RUNS, SEED } from '../reliability/settings.js';

/** Every file below `dir` whose name ends with one of `endings`, relative to the repo. */
function filesBelow(dir: string, endings: string[]): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => endings.some((ending) => name.endsWith(ending)))
    .map((name) => relative(REPO_ROOT, join(REPO_ROOT, dir, name)))
    .sort();
}

const PYTHON_FILES = [...filesBelow('fixtures/python', ['.py']), ...filesBelow('fixtures/refuse', ['.py']), ...filesBelow('fixtures/examples', ['.py'])];
const YAML_FILES = [...filesBelow('fixtures/config', ['.yaml']), ...filesBelow('fixtures/examples', ['.yaml'])];

/** A file's text as the CLI reads it (lossily for the files it refuses to read: they still parse). */
const textOf = (file: string) => readFileSync(join(REPO_ROOT, file)).toString('utf8');

/** The patched text of each patchable fixture: what each golden diff makes. */
const PATCHED = patchableFixtures.map((name) => {
  const text = decodeText(name, readFileSync(join(FIXTURE_DIR, name)));
  const plan = planText('trainer', 'patch', text, `fixtures/python/${name}`);
  if (plan.status !== 'change') throw new Error(`${name}: expected a change, got ${plan.status}`);
  return { name, text: applyEdits(text, plan.edits) };
});

const point = (p: Point) => `${p.row}:${p.column}`;

/** Every node of the tree, one line each, in document order: what the analysis can read of it. */
function dump(node: SyntaxNode, depth = 0, lines: string[] = []): string[] {
  const flags = `${node.hasError ? 'E' : ''}${node.isMissing ? 'M' : ''}`;
  lines.push(`${' '.repeat(depth)}${node.type} [${node.startIndex},${node.endIndex}) ${point(node.startPosition)}-${point(node.endPosition)} ${flags}`);
  for (const child of node.children) dump(child, depth + 1, lines);
  return lines;
}

let native: (grammar: Grammar) => Parser;
let nativeProblem: string | undefined;

beforeAll(async () => {
  await prepareWasm([PYTHON, YAML]);
  try {
    nativeParser(PYTHON);
    native = nativeParser;
  } catch (error) {
    nativeProblem = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
});

/** The native path must load where these tests run: it does wherever `npm ci` could compile it. */
function nativeOrSkip(): boolean {
  if (nativeProblem === undefined) return true;
  const message = `the native tree-sitter binding does not load (${nativeProblem}): install g++, make and python3, then run npm ci`;
  if (process.env.CI) throw new Error(message);
  console.warn(`skipped: ${message}`);
  return false;
}

function expectSameTrees(grammar: Grammar, text: string, label: string): void {
  const ours = dump(native(grammar).parse(text).rootNode);
  expect(dump(wasmParser(grammar).parse(text).rootNode), label).toEqual(ours);
}

describe('the native and WebAssembly parsers', () => {
  it.each(PYTHON_FILES)('give the same tree for %s', (file) => {
    if (nativeOrSkip()) expectSameTrees(PYTHON, textOf(file), file);
  });

  it.each(YAML_FILES)('give the same tree for %s', (file) => {
    if (nativeOrSkip()) expectSameTrees(YAML, textOf(file), file);
  });

  it('give the same tree for the patched text of every golden diff', () => {
    if (!nativeOrSkip()) return;
    for (const { name, text } of PATCHED) expectSameTrees(PYTHON, text, name);
  });

  it('give the same trees for fixtures with lines cut away and damage inserted', () => {
    if (!nativeOrSkip()) return;
    const sources = [...PYTHON_FILES.map((file) => [PYTHON, textOf(file)] as const), ...YAML_FILES.map((file) => [YAML, textOf(file)] as const)];
    const damage = fc.constantFrom(':', '(', ')', '[', '{', '"', "'", '"""', '\t', '  ', '#', '\\', ';', '\r', '\r\n', '\n', '\uFEFF', 'é', '𝒳', ' &a', ' *a', '\n---\n', '? ', '|', 'def ', 'if x:', 'else:');
    fc.assert(
      fc.property(fc.nat(sources.length - 1), fc.nat(), fc.nat(), fc.nat(40), damage, (which, at, cutAt, cutLength, insert) => {
        const [grammar, text] = sources[which]!;
        const lines = text.split(/(?<=\n)/);
        const start = cutAt % (lines.length + 1);
        const cut = [...lines.slice(0, start), ...lines.slice(start + cutLength)].join('');
        const offset = at % (cut.length + 1);
        expectSameTrees(grammar, cut.slice(0, offset) + insert + cut.slice(offset), `${grammar.package}: ${which} ${at} ${cutAt} ${cutLength} ${JSON.stringify(insert)}`);
      }),
      { numRuns: Math.max(100, Math.round(PROPERTY_RUNS / 10)), seed: SEED },
    );
  });

  it('give the same tree after an incremental re-parse of each golden edit', () => {
    if (!nativeOrSkip()) return;
    for (const [index, { name, text: patched }] of PATCHED.entries()) {
      const original = decodeText(name, readFileSync(join(FIXTURE_DIR, name)));
      const edit = spanningEdit(original, patched);
      const trees = [native(PYTHON), wasmParser(PYTHON)].map((parser) => {
        const tree = parser.parse(original);
        tree.edit(edit);
        return dump(parser.parse(patched, tree).rootNode);
      });
      expect(trees[1], `${index} ${name}`).toEqual(trees[0]);
    }
  });
});

/** One edit from the first to the last character that differ, as src/python/parser.ts makes it. */
function spanningEdit(before: string, after: string): Edit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let tail = 0;
  while (tail < before.length - start && tail < after.length - start && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const at = (text: string, index: number): Point => {
    const lines = text.slice(0, index).split('\n');
    return { row: lines.length - 1, column: lines[lines.length - 1]!.length };
  };
  return {
    startIndex: start,
    oldEndIndex: before.length - tail,
    newEndIndex: after.length - tail,
    startPosition: at(before, start),
    oldEndPosition: at(before, before.length - tail),
    newEndPosition: at(after, after.length - tail),
  };
}

describe('the CLI forced onto each parser path', () => {
  const onPath = (parser: string, args: string[]) => runCli(args, { env: { VERL_CRITIC_PATCH_PARSER: parser } });
  // One run takes every file (each is reported on its own, in order), so a case is not a process.
  const cases = [...PYTHON_FILES, ...YAML_FILES].filter((file) => !file.startsWith('fixtures/examples/'));

  it.each([
    ['diff', 'every Python and YAML fixture', cases],
    ['check --json', 'every Python and YAML fixture', cases],
    ['diff', 'the bundled example checkout', ['fixtures/examples/verl-0.9']],
    ['check --json', 'the bundled example checkout', ['fixtures/examples/verl-0.9']],
  ])('prints the same for %s of %s', (verb, _what, files) => {
    if (!nativeOrSkip()) return;
    const args = [...verb.split(' '), ...files];
    const wasm = onPath('wasm', args);
    expect(wasm.stdout.length).toBeGreaterThan(0);
    expect(wasm).toEqual(onPath('native', args));
  });

  it('prints the golden diff of every patchable fixture on the WebAssembly path', () => {
    const result = onPath('wasm', ['diff', ...patchableFixtures.map((name) => `fixtures/python/${name}`)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(patchableFixtures.map((name) => readFileSync(join(GOLDEN_DIR, `${basename(name, '.py')}.patch`), 'utf8')).join(''));
  });
});
