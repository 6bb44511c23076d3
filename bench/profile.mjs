/**
 * Where the time of one CLI run goes, for BENCHMARKS.md (scripts/bench.mjs; never in timed runs):
 * the run is repeated under V8's sampling profiler (`node --cpu-prof`), each sample is put in one
 * part by the innermost function on its stack that names a part (the bundle keeps our function
 * names), and each part's time is the median over the runs. The profiler starts after Node.js
 * has started, so that start-up is measured on its own (`node -e 0`, by the caller); sampling
 * makes a run somewhat slower than it is unprofiled.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Parts, in the order reports list them; `frames`: function names that put a sample in the part. */
export const PARTS = [
  { part: 'start-up once Node.js runs: loading our code (and commander, for a command line with options), the arguments', frames: [] },
  { part: 'walking the checkout', frames: ['pythonFilesUnder', 'trainerConfigFiles', 'findCheckout'] },
  { part: 'reading files for the text tests', frames: [] },
  { part: 'text tests', frames: ['passesTextTest'] },
  { part: 'reading the targets (strict UTF-8)', frames: ['readSource'] },
  { part: 'tree-sitter: loading it, setting the languages', frames: ['getParser', 'newParser'] },
  { part: 'tree-sitter: parsing Python', frames: ['parsePython', 'parsePythonEdited'] },
  { part: 'Python: analysis and self-check, besides parsing', frames: ['planTrainer'] },
  { part: 'YAML: the view (tree-sitter\'s YAML grammar: loading it, parsing whole files, finding the entries)', frames: ['plannerView'] },
  { part: 'YAML: loading the yaml package', frames: ['yamlLib'] },
  { part: 'YAML: the yaml package parsing the views', frames: ['parseFirstDocument'] },
  { part: 'YAML: the key, its place, the self-check besides parsing', frames: ['planTrainerConfig'] },
  { part: 'diffs', frames: ['unifiedDiff'] },
  { part: 'the rest of resolving and planning', frames: ['planRun'] },
  { part: 'output and the rest of the command', frames: ['checkCommand', 'diffCommand'] },
  { part: 'garbage collection', frames: ['(garbage collector)'] },
];

const PART_OF_FRAME = new Map(PARTS.flatMap(({ part, frames }) => frames.map((frame) => [frame, part])));
/** Leaf frames that read a file: under a text test, the sample is reading rather than testing. */
const READING = new Set(['readFileSync', 'readFileUtf8', 'tryReadSync', 'readSync', 'openSync', 'closeSync', 'tryStatSync', 'fstatSync', 'open', 'close', 'read', 'latin1Slice', 'toString']);

/** Median ms per part over `runs` profiled runs of `argv` (after `node`), and the profiled total. */
export function profileParts(node, argv, { cwd, runs = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vcp-profile-'));
  try {
    for (let i = 0; i < runs; i++) {
      spawnSync(node, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval', '100', ...argv], { cwd, stdio: 'ignore' });
    }
    const perRun = readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => partsOf(JSON.parse(readFileSync(join(dir, name), 'utf8'))));
    const parts = PARTS.map(({ part }) => ({ part, ms: median(perRun.map((run) => run.parts.get(part) ?? 0)) }));
    return { parts, totalMs: median(perRun.map((run) => run.total)), runs: perRun.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function partsOf(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const memo = new Map();
  const partOfNode = (id) => {
    if (memo.has(id)) return memo.get(id);
    const leaf = byId.get(id).callFrame.functionName;
    let part;
    for (let at = id; at !== undefined && part === undefined; at = parent.get(at)) part = PART_OF_FRAME.get(byId.get(at).callFrame.functionName);
    if (part === 'text tests' && READING.has(leaf)) part = 'reading files for the text tests';
    if (part === undefined && (leaf === '(program)' || leaf === '(idle)' || leaf === '(root)')) part = null; // V8 itself, or waiting
    part ??= PARTS[0].part;
    memo.set(id, part);
    return part;
  };
  const parts = new Map();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const part = partOfNode(id);
    if (part !== null) parts.set(part, (parts.get(part) ?? 0) + ms);
    total += ms;
  });
  return { parts, total };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
