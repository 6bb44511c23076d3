/**
 * The shape of src/ itself (docs/architecture.md): no import circle between modules, type imports
 * included (a circle of types still ties the modules' meanings together, as src/plan.ts and its
 * planners were), and no module over 400 lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

const SRC = join(REPO_ROOT, 'src');

function modulesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return modulesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The src/ modules a module imports or re-exports from (static, type-only and dynamic imports). */
function importsOf(file: string, text: string): string[] {
  const specifiers = [
    ...text.matchAll(/(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]/gs),
    ...text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g),
  ].map((match) => match[1]!);
  return specifiers.map((specifier) => normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts'));
}

/** One circle of the graph, as a path that ends where it starts; undefined when there is none. */
function findCircle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const at = onPath.indexOf(node);
    if (at >= 0) return [...onPath.slice(at), node];
    if (done.has(node)) return undefined;
    onPath.push(node);
    for (const next of graph.get(node) ?? []) {
      const circle = visit(next);
      if (circle) return circle;
    }
    onPath.pop();
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const circle = visit(node);
    if (circle) return circle;
  }
  return undefined;
}

describe("src/'s modules", () => {
  const files = modulesUnder(SRC);
  const texts = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));

  it('import each other without a circle', () => {
    const graph = new Map(files.map((file) => [file, importsOf(file, texts.get(file)!).filter((dep) => texts.has(dep))]));
    expect(findCircle(graph)?.map((file) => relative(REPO_ROOT, file))).toBeUndefined();
  });

  it('finds a circle where there is one (the check above can fail)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['b']],
    ]);
    expect(findCircle(graph)).toEqual(['b', 'c', 'b']);
    expect(findCircle(new Map([['a', ['b']], ['b', []]]))).toBeUndefined();
  });

  it('are at most 400 lines each', () => {
    const long = files
      .map((file) => ({ file: relative(REPO_ROOT, file), lines: texts.get(file)!.split('\n').length - 1 }))
      .filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });
});
