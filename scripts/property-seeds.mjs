#!/usr/bin/env node
/**
 * `npm run test:seeds`: the property suites (every test file that generates its cases from
 * VCP_PROPERTY_SEED, see test/reliability/settings.ts) run under many seeds in a row, one vitest
 * run a seed, since `npm test` draws one seed a run and a rare failure may need many runs to show.
 * Not part of `npm test`: each seed is a whole run of those suites (4-10 minutes on a busy 2-core
 * machine).
 *
 *   npm run test:seeds                  20 random seeds
 *   npm run test:seeds -- --count 5     5 random seeds
 *   npm run test:seeds -- 982025731 7   these seeds
 *
 * Each seed's whole vitest output goes to $TMPDIR/vcp-seeds-<time>/seed-<seed>.log; one line a
 * seed on stdout (passed or failed, and how to replay a failure), a summary last. Exit 1 when any
 * seed failed. VCP_PROPERTY_RUNS and the other settings pass through unchanged.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values, positionals } = parseArgs({ options: { count: { type: 'string', default: '20' } }, allowPositionals: true });

const count = Number(values.count);
if (!Number.isInteger(count) || count < 1) {
  console.error(`property-seeds: --count takes a whole number of at least 1, got ${values.count}`);
  process.exit(2);
}
const seeds = positionals.length > 0 ? positionals.map(Number) : distinctRandomSeeds(count);
if (seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) {
  console.error(`property-seeds: seeds are non-negative whole numbers, got ${positionals.join(' ')}`);
  process.exit(2);
}

const files = propertyFiles(join(ROOT, 'test'));
const logs = join(tmpdir(), `vcp-seeds-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(logs, { recursive: true });
console.log(`${seeds.length} seeds over ${files.length} files: ${files.join(' ')}`);
console.log(`logs: ${logs}`);

const failed = [];
for (const [i, seed] of seeds.entries()) {
  const started = Date.now();
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', ...files], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, VCP_PROPERTY_SEED: String(seed), NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const log = join(logs, `seed-${seed}.log`);
  writeFileSync(log, `${run.stdout ?? ''}\n${run.stderr ?? ''}${run.error ? `\n${run.error.message}` : ''}`);
  const seconds = Math.round((Date.now() - started) / 1000);
  const tests = /Tests\s+(.*)/.exec(run.stdout ?? '')?.[1]?.trim() ?? 'no summary';
  if (run.status === 0) console.log(`${i + 1}/${seeds.length} seed ${seed}: passed (${tests}, ${seconds} s)`);
  else {
    failed.push(seed);
    console.log(`${i + 1}/${seeds.length} seed ${seed}: FAILED (${tests}, ${seconds} s); see ${log}; replay: VCP_PROPERTY_SEED=${seed} npx vitest run ${files.join(' ')}`);
  }
}
console.log(failed.length === 0 ? `all ${seeds.length} seeds passed: ${seeds.join(' ')}` : `${failed.length} of ${seeds.length} seeds failed: ${failed.join(' ')}`);
process.exit(failed.length === 0 ? 0 : 1);

/** Seeds as settings.ts draws them (0 <= seed < 2^31), without repeats. */
function distinctRandomSeeds(n) {
  const drawn = new Set();
  while (drawn.size < n) drawn.add(Math.floor(Math.random() * 2 ** 31));
  return [...drawn];
}

/** The test files that import test/reliability/settings.ts: those whose cases come from the seed. */
function propertyFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.test.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    if (/from '[./]*(reliability\/)?settings\.js'/.test(readFileSync(path, 'utf8'))) found.push(relative(ROOT, path));
  }
  return found.sort();
}
