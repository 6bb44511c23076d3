#!/usr/bin/env node
/**
 * `npm run bench`: measure the built CLI and write BENCHMARKS.md (date, machine, medians of at
 * least 5 runs, and the ratios the project sets itself as goals), measured side by side in one
 * run, commands interleaved so that a change in the machine's load hits every command alike.
 *
 *   1. `diff` of one real-shaped trainer of about 1,800 lines, whole process, against the least
 *      tree-sitter program written with the packages' documented API (new Parser(),
 *      setLanguage(Python), read the file, parse it once). Goal: at most 1.0x. Beside it, the
 *      floor (a process that only loads the native modules) and what each part costs.
 *   2. `check .` on a checkout shaped like a real VeRL v0.9.0 (bench/verlShape.mjs) against the
 *      ast-grep CLI scanning the same tree with the equivalent rule in bench/. Goal: at most 0.6x.
 *      Where its time goes (a CPU profile, bench/profile.mjs). Also, for scale, a synthetic
 *      checkout of 2,000 Python files (bench/generate.mjs).
 *   3. Peak memory of both, and how time grows with file size (1k, 10k, 100k lines): linearly.
 *
 * Options: --runs N (default 5, at least 5), --out FILE (default BENCHMARKS.md), --keep (keep the
 * generated inputs and print where they are). Needs python3 for per-process CPU time and peak
 * memory (bench/measure.py, os.wait4); without it, only wall time is measured.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { installTimes, nativeBin, pathsSection, prebuiltLoads, pathRatios, WEB_DOCUMENTED } from '../bench/paths.mjs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLE_TRAINER, REPO_ROOT, largeTrainer, makeCheckout } from '../bench/generate.mjs';
import { profileParts } from '../bench/profile.mjs';
import { realShapedTrainer } from '../bench/pythonShape.mjs';
import { report, summaryLines } from '../bench/report.mjs';
import { makeVerlCheckout, REAL_TRAINER_LINES } from '../bench/verlShape.mjs';

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
    keep: { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(5, Number(options.runs) || 5);
// What users run: the package's bin (the bundle, scripts/bundle.mjs); dist/cli.js is tsc's output.
const CLI = join(REPO_ROOT, JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).bin['verl-critic-patch']);
const UNBUNDLED = join(REPO_ROOT, 'dist', 'cli.js');
const BIN_DIR = join(REPO_ROOT, 'dist', 'bin');
/** The bin sections 1-3 run: CLI, or a copy of it whose native path loads here (set below). */
let MEASURED = CLI;
const RULE = join(REPO_ROOT, 'bench', 'load-critic-only.yml');
const PROBE = join(REPO_ROOT, 'bench', 'parse-probe.cjs');
/** The goal's reference: what any tree-sitter tool must do with the file, written as the packages document it. */
const DOCUMENTED =
  "const Parser = require('tree-sitter'); const Python = require('tree-sitter-python'); const parser = new Parser(); parser.setLanguage(Python); parser.parse(require('fs').readFileSync(process.argv[1], 'utf8'))";
// The same, with tree-sitter's per-node-type class setup skipped the way src/treeSitter.ts
// does: the least this tool's own parsing could cost.
const PARSE_ONLY =
  "const P = require('tree-sitter'); const L = require('tree-sitter-python'); L.nodeSubclasses = new Array(65536).fill(P.SyntaxNode); const p = new P(); p.setLanguage(L); p.parse(require('fs').readFileSync(process.argv[1], 'utf8'))";
const SYNTHETIC_FILES = 2000;
const SCALE_SIZES = [1000, 10000, 100000];
const node = process.execPath;
/**
 * Environment variables set here that Node.js acts on at every start, before any script runs:
 * NODE_EXTRA_CA_CERTS makes it read and parse a certificate file (tens of ms), NODE_OPTIONS can
 * preload code or set flags.
 */
const STARTUP_SETTINGS = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'].filter((name) => process.env[name]);
const require = createRequire(import.meta.url);

if (!existsSync(CLI) || !existsSync(UNBUNDLED)) fail(`${relative(process.cwd(), CLI)} is missing: run npm run build first (npm run bench does)`);
const astGrep = astGrepBinary();
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' }).status === 0 ? 'python3' : undefined;
if (!python) process.stderr.write('bench: python3 not found; measuring wall time only (no CPU time, no peak memory)\n');

const work = mkdtempSync(join(os.tmpdir(), 'vcp-bench-'));
const startedAt = new Date();
const loadBefore = os.loadavg();

try {
  // Inputs.
  const large = join(work, 'ray_trainer.py');
  writeFileSync(large, realShapedTrainer(REAL_TRAINER_LINES));
  const verlDir = join(work, 'verl-0.9.0');
  const verl = makeVerlCheckout(verlDir);
  const syntheticDir = join(work, 'synthetic');
  const synthetic = makeCheckout(syntheticDir, { fileCount: SYNTHETIC_FILES, trainerLines: 2000 });
  const scaled = SCALE_SIZES.map((lines) => {
    const path = join(work, `trainer_${lines}.py`);
    writeFileSync(path, largeTrainer(lines));
    return { lines: countLines(path), path };
  });
  // Sections 1-3 measure the native path (their probes and profile read tree-sitter's native
  // binding); where the bin's prebuilt binding does not load, on a copy of the bin whose binding
  // was compiled here (bench/paths.mjs). Section 4 puts both paths side by side.
  const native = nativeBin(REPO_ROOT, BIN_DIR, work);
  if (!native) fail('no native tree-sitter binding loads here (neither the prebuilt one nor one compiled by npm ci)');
  MEASURED = native.bin;
  log(`inputs in ${work}: a ${countLines(large)}-line real-shaped trainer, a VeRL 0.9.0-shaped checkout (${verl.pyFiles} .py, ${verl.configYamls} config YAMLs), a ${synthetic.files}-file synthetic checkout, ${scaled.map((s) => s.lines).join('/')}-line trainers`);

  // 1. Startup and one large trainer file.
  // Startup runs are short and noisy: take more of them (still medians). The diff goal's two
  // sides differ by ~1%, about what a 15-round median moved between runs of the benchmark
  // (0.98x-1.01x over seven runs): 31 rounds halve that.
  const STARTUP_RUNS = Math.max(RUNS, 31);
  log(`1/3 startup and one large file (${STARTUP_RUNS} runs)`);
  const floorArgv = [node, '-e', "require('tree-sitter'); require('tree-sitter-python')"];
  const documentedArgv = [node, '-e', DOCUMENTED, large];
  const parseOnlyArgv = [node, '-e', PARSE_ONLY, large];
  const startup = measure(
    {
      nodeOnly: { argv: [node, '-e', '0'] },
      floor: { argv: floorArgv },
      documented: { argv: documentedArgv },
      parseOnly: { argv: parseOnlyArgv },
      version: { argv: [node, MEASURED, '--version'] },
      help: { argv: [node, MEASURED, '--help'] },
      diffExample: { argv: [node, MEASURED, 'diff', EXAMPLE_TRAINER] },
      diffLarge: { argv: [node, MEASURED, 'diff', large] },
      diffExampleUnbundled: { argv: [node, UNBUNDLED, 'diff', EXAMPLE_TRAINER] },
      diffLargeUnbundled: { argv: [node, UNBUNDLED, 'diff', large] },
      astGrepLarge: { argv: [astGrep, 'scan', '--rule', RULE, large] },
      astGrepExample: { argv: [astGrep, 'scan', '--rule', RULE, EXAMPLE_TRAINER] },
      // Settings that make every Node.js process start slower, measured without them as well:
      // both sides of the ratios pay them, so they make the ratios smaller.
      ...(STARTUP_SETTINGS.length > 0 && {
        floorBare: { argv: floorArgv, unset: STARTUP_SETTINGS },
        documentedBare: { argv: documentedArgv, unset: STARTUP_SETTINGS },
        parseOnlyBare: { argv: parseOnlyArgv, unset: STARTUP_SETTINGS },
        diffLargeBare: { argv: [node, MEASURED, 'diff', large], unset: STARTUP_SETTINGS },
      }),
    },
    STARTUP_RUNS,
  );
  const largeProbe = probe(['diff', large]);

  // 2. Whole checkouts.
  const SCAN_RUNS = Math.max(RUNS, 7);
  log(`2/3 check of the VeRL 0.9.0-shaped checkout and the ${synthetic.files}-file synthetic one vs ast-grep (${SCAN_RUNS} runs)`);
  const scan = measure(
    {
      nodeOnly: { argv: [node, '-e', '0'] },
      check: { argv: [node, MEASURED, 'check', '.'], cwd: verlDir },
      astGrep: { argv: [astGrep, 'scan', '--rule', RULE, '.'], cwd: verlDir },
      checkSynthetic: { argv: [node, MEASURED, 'check', '.'], cwd: syntheticDir },
      astGrepSynthetic: { argv: [astGrep, 'scan', '--rule', RULE, '.'], cwd: syntheticDir },
    },
    SCAN_RUNS,
  );
  const scanProbe = probe(['check', '.'], verlDir);
  const scanParts = profileParts(node, [MEASURED, 'check', '.'], { cwd: verlDir });
  const agreement = compareFindings(verlDir);
  const syntheticProbe = probe(['check', '.'], syntheticDir);
  const syntheticAgreement = compareFindings(syntheticDir);

  // 3. Growth with file size.
  // The exponent compares the size-dependent parts of two runs, each a difference of two noisy
  // medians; a busy machine moved a 5-run exponent by ±0.15, so this section takes more runs.
  const GROWTH_RUNS = Math.max(RUNS, 11);
  log(`3/3 growth with file size: ${scaled.map((s) => s.lines).join(', ')} lines (${GROWTH_RUNS} runs)`);
  const growth = measure(
    Object.fromEntries([
      ['diffExample', { argv: [node, MEASURED, 'diff', EXAMPLE_TRAINER] }],
      ['astGrepExample', { argv: [astGrep, 'scan', '--rule', RULE, EXAMPLE_TRAINER] }],
      ...scaled.flatMap((s) => [
        [`diff${s.lines}`, { argv: [node, MEASURED, 'diff', s.path] }],
        [`astGrep${s.lines}`, { argv: [astGrep, 'scan', '--rule', RULE, s.path] }],
      ]),
    ]),
    GROWTH_RUNS,
  );

  // 4. The parser paths side by side, as installed (the bin as built), and the install itself.
  log(`4/4 parser paths (${STARTUP_RUNS} runs) and npm install -g of the packed tarball`);
  const defaultPath = prebuiltLoads(BIN_DIR) ? 'native' : 'wasm';
  const wasmSet = { VERL_CRITIC_PATCH_PARSER: 'wasm' };
  const pathsMeasured = measure(
    {
      documented: { argv: documentedArgv },
      webDocumented: { argv: [node, '-e', WEB_DOCUMENTED, large] },
      webLiftoff: { argv: [node, '--liftoff-only', '-e', WEB_DOCUMENTED, large] },
      diffNative: { argv: [node, native.bin, 'diff', large] },
      diffWasm: { argv: [node, CLI, 'diff', large], set: wasmSet },
      checkNative: { argv: [node, native.bin, 'check', '.'], cwd: verlDir },
      checkWasm: { argv: [node, CLI, 'check', '.'], cwd: verlDir, set: wasmSet },
      astGrep: { argv: [astGrep, 'scan', '--rule', RULE, '.'], cwd: verlDir },
    },
    STARTUP_RUNS,
  );
  const install = installTimes(REPO_ROOT, work, 5);
  const paths = { measured: pathsMeasured };

  const cpu = os.cpus();
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const context = {
    runs: RUNS,
    startupRuns: STARTUP_RUNS,
    scanRuns: SCAN_RUNS,
    growthRuns: GROWTH_RUNS,
    startedAt,
    machine: `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()})`,
    cores: cpu.length,
    loadBefore: loadBefore[0],
    loadAfter: os.loadavg()[0],
    startupSettings: STARTUP_SETTINGS,
    versions: `Node.js ${process.version}; ${pkg.name} ${pkg.version}; ${spawnSync(astGrep, ['--version'], { encoding: 'utf8' }).stdout.trim()}`,
    python: Boolean(python),
  };
  const results = { large: countLines(large), verl, synthetic, startup, largeProbe, scan, scanProbe, scanParts, agreement, syntheticProbe, syntheticAgreement, scaled, growth };
  const fourth = pathsSection({ large: countLines(large).toLocaleString('en-US'), paths, install, defaultPath, native, runs: STARTUP_RUNS });
  // Section 5, the Python package's install, is measured by scripts/bench-wheel.py (it needs
  // PyPI): kept as it is.
  const previous = existsSync(resolve(REPO_ROOT, options.out)) ? readFileSync(resolve(REPO_ROOT, options.out), 'utf8') : '';
  const fifth = previous.includes('\n## 5. ') ? `\n${previous.slice(previous.indexOf('\n## 5. ') + 1).trimEnd()}\n` : '';
  writeFileSync(resolve(REPO_ROOT, options.out), `${report(context, { ...results, paths: pathRatios({ paths, defaultPath }), install })}\n${fourth}${fifth}`);
  log(`wrote ${options.out}`);
  process.stdout.write(summaryLines(context, { ...results, paths: pathRatios({ paths, defaultPath }), install }).join('\n') + '\n');
} finally {
  if (options.keep) log(`kept the inputs in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------

function log(line) {
  process.stderr.write(`bench: ${line}\n`);
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function astGrepBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('@ast-grep/cli/package.json'));
  } catch {
    fail('@ast-grep/cli is not installed: run npm install (it is a devDependency)');
  }
  const binary = join(dir, process.platform === 'win32' ? 'ast-grep.exe' : 'ast-grep');
  if (!existsSync(binary)) fail(`no ast-grep binary in ${dir}`);
  return binary;
}

function countLines(path) {
  const text = readFileSync(path, 'utf8');
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** Run every command `runs` times, interleaved, after one warm-up round; medians per command. */
function measure(commands, runs) {
  const names = Object.keys(commands);
  const list = names.map((name) => ({ argv: commands[name].argv, cwd: commands[name].cwd ?? REPO_ROOT, unset: commands[name].unset ?? [], set: commands[name].set ?? {} }));
  let raw;
  if (python) {
    const result = spawnSync(python, [join(REPO_ROOT, 'bench', 'measure.py')], {
      input: JSON.stringify({ runs, warmup: 1, commands: list }),
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (result.status !== 0) fail(`bench/measure.py failed: ${result.stderr}`);
    raw = JSON.parse(result.stdout);
  } else {
    raw = list.map(() => []);
    const envs = list.map((command) => ({ ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !command.unset.includes(name))), ...command.set }));
    for (let round = 0; round < runs + 1; round++) {
      list.forEach((command, index) => {
        const start = performance.now();
        const result = spawnSync(command.argv[0], command.argv.slice(1), { cwd: command.cwd, env: envs[index], stdio: 'ignore' });
        if (round > 0) raw[index].push({ wall_ms: performance.now() - start, cpu_ms: null, max_rss_kb: null, code: result.status });
      });
    }
  }
  const out = {};
  names.forEach((name, index) => {
    const runsOf = raw[index];
    const codes = [...new Set(runsOf.map((r) => r.code))];
    if (codes.some((code) => code !== 0)) log(`warning: ${name} exited with ${codes.join(', ')}`);
    out[name] = {
      wall: median(runsOf.map((r) => r.wall_ms)),
      wallMin: Math.min(...runsOf.map((r) => r.wall_ms)),
      cpu: runsOf[0].cpu_ms === null ? null : median(runsOf.map((r) => r.cpu_ms)),
      rssMb: runsOf[0].max_rss_kb === null ? null : median(runsOf.map((r) => r.max_rss_kb)) / 1024,
      runs: runsOf.length,
      codes,
    };
  });
  return out;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Parses and parse time in one run (medians of 3), with bench/parse-probe.cjs preloaded. */
function probe(args, cwd = REPO_ROOT) {
  const out = join(work, 'probe.json');
  const samples = [];
  for (let i = 0; i < 3; i++) {
    spawnSync(node, ['-r', PROBE, MEASURED, ...args], { cwd, stdio: 'ignore', env: { ...process.env, BENCH_PROBE_OUT: out, BENCH_PARSERS: join(MEASURED, '..', 'parsers') } });
    samples.push(JSON.parse(readFileSync(out, 'utf8')));
  }
  const [first] = samples;
  return {
    parses: first.parses,
    parsedChars: first.parsedChars,
    parseMs: median(samples.map((s) => s.parseMs)),
    freshChars: first.freshChars,
    freshMs: median(samples.map((s) => s.freshMs)),
    yamlTreeParses: first.yamlTreeParses,
    yamlTreeChars: first.yamlTreeChars,
    yamlTreeMs: median(samples.map((s) => s.yamlTreeMs)),
    yamlParses: first.yamlParses,
    yamlChars: first.yamlChars,
    yamlLines: first.yamlLines,
    yamlMs: median(samples.map((s) => s.yamlMs)),
    processMs: median(samples.map((s) => s.processMs)),
  };
}

/** Do both tools find the same files in the checkout? (ours: needs-patch; ast-grep: any match) */
function compareFindings(cwd) {
  const ours = spawnSync(node, [MEASURED, 'check', '--json', '.'], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const theirs = spawnSync(astGrep, ['scan', '--rule', RULE, '--json=compact', '.'], { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  const targets = JSON.parse(ours.stdout).targets;
  const ourFiles = new Set(targets.filter((t) => t.kind === 'trainer' && t.status === 'needs-patch').map((t) => t.path));
  const theirFiles = new Set(JSON.parse(theirs.stdout).map((match) => match.file));
  const same = ourFiles.size === theirFiles.size && [...ourFiles].every((file) => theirFiles.has(file));
  return {
    same,
    ours: ourFiles.size,
    theirs: theirFiles.size,
    configs: targets.filter((t) => t.kind === 'config' && t.status === 'needs-patch').length,
    onlyOurs: [...ourFiles].filter((f) => !theirFiles.has(f)),
    onlyTheirs: [...theirFiles].filter((f) => !ourFiles.has(f)),
  };
}
