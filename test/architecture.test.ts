/**
 * The rooms of src/ and their floors (docs/architecture.md): data flows down. A module imports
 * only from its own room or a room on a lower floor, no import graph has a circle, and no module
 * grows past 400 lines. Imports are read with TypeScript's own pre-processor (type-only and
 * dynamic imports included), so a circle through a type counts as a circle.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

const SRC = join(REPO_ROOT, 'src');

/**
 * Floors, lowest first. A room is a folder of src/ or a file at its top. Rooms on one floor know
 * nothing of each other.
 */
const FLOORS: readonly (readonly string[])[] = [
  ['version', 'commonJs', 'text', 'edits', 'hydra'], // leaves: no room below
  ['plan'], // the contract: Plan, Direction, TargetKind (types)
  ['errors', 'parsers'],
  ['treeSitter'],
  ['python', 'config'], // the pure core
  ['planner', 'diffText'],
  ['io'],
  ['scan'], // listing a folder's files
  ['verl'], // which VeRL: locate, release, trainers and their guard, configs
  ['targets'],
  ['runResult'],
  ['run', 'advisedCommands'], // a patch run; the spelling of the commands the tool advises
  ['checkpoint'], // inspect, stage
  ['launch'], // preflight
  ['output'], // presentation
  ['commands'],
  ['cli'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

const FILES = sourceFiles(SRC);

/** Each file's imports of other files of src/ (relative specifiers, `.js` written for `.ts`). */
const IMPORTS = new Map(
  FILES.map((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const local = importedFiles.map((ref) => ref.fileName).filter((name) => name.startsWith('.'));
    return [file, local.map((name) => resolve(dirname(file), name).replace(/\.js$/, '.ts'))];
  }),
);

function roomOf(file: string): string {
  const [first, second] = relative(SRC, file).split(/[\\/]/);
  return second === undefined ? first!.replace(/\.ts$/, '') : first!;
}

function floorOf(room: string): number {
  return FLOORS.findIndex((floor) => floor.includes(room));
}

const shown = (file: string) => relative(REPO_ROOT, file);

describe('the rooms of src/', () => {
  it('every room has a floor, and every import names a file that exists', () => {
    const rooms = new Set(FILES.map(roomOf));
    expect([...rooms].filter((room) => floorOf(room) === -1), 'rooms with no floor in FLOORS').toEqual([]);
    const known = new Set(FILES);
    const dangling = [...IMPORTS].flatMap(([file, deps]) => deps.filter((dep) => !known.has(dep)).map((dep) => `${shown(file)} -> ${shown(dep)}`));
    expect(dangling).toEqual([]);
  });

  it('data flows down: no module imports from a room on its own floor or above it', () => {
    const upward = [...IMPORTS].flatMap(([file, deps]) =>
      deps
        .filter((dep) => roomOf(dep) !== roomOf(file) && floorOf(roomOf(dep)) >= floorOf(roomOf(file)))
        .map((dep) => `${shown(file)} -> ${shown(dep)}`),
    );
    expect(upward).toEqual([]);
  });

  it('no circle: the import graph of the modules is acyclic', () => {
    expect(circles(IMPORTS).map((circle) => circle.map(shown))).toEqual([]);
  });

  it('the checks above can fail: a circle is found, and so is an import from the own floor', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['b']],
      ['d', []],
    ]);
    expect(circles(graph)).toEqual([['b', 'c']]);
    expect(circles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
    expect(floorOf('verl')).toBeGreaterThan(floorOf('scan'));
    expect(floorOf('checkpoint')).toBeLessThan(floorOf('launch'));
  });

  it('no module is longer than 400 lines', () => {
    const long = FILES.map((file) => ({ file: shown(file), lines: readFileSync(file, 'utf8').split('\n').length - 1 })).filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });

  it('the architecture page names every module of src/, and every src/ path it names exists', () => {
    const page = readFileSync(join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');
    const unnamed = FILES.filter((file) => !page.includes(file.split(/[\\/]/).pop()!));
    expect(unnamed.map(shown)).toEqual([]);
    const gone = [...page.matchAll(/\bsrc\/[\w/.-]+/g)].map(([path]) => path.replace(/[.]$/, '')).filter((path) => !existsSync(join(REPO_ROOT, path)));
    expect(gone).toEqual([]);
  });
});

/** The strongly connected components with more than one module (Tarjan's algorithm). */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}
