/**
 * Section 4 of BENCHMARKS.md: the two parser paths (src/treeSitter.ts) side by side, and the time
 * `npm install -g` of the packed tarball takes. Measured by scripts/bench.mjs; rendered here.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const PLATFORM = `${process.platform}-${process.arch}`;

/** The least program on the WebAssembly path, written with web-tree-sitter's documented API. */
export const WEB_DOCUMENTED =
  "const { Parser, Language } = require('web-tree-sitter'); (async () => { await Parser.init(); const Python = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')); const parser = new Parser(); parser.setLanguage(Python); parser.parse(require('fs').readFileSync(process.argv[1], 'utf8')); })()";

/**
 * Whether one of the bin's own candidates for tree-sitter's binding loads on this machine (the one
 * compiled where the package was built, then the prebuilt one: src/parsers/files.ts), i.e. whether
 * a default install here takes the native path.
 */
export function prebuiltLoads(binDir) {
  const candidates = [join(binDir, 'parsers', `built-${PLATFORM}`, 'tree-sitter.node'), join(binDir, 'parsers', PLATFORM, 'tree-sitter.node')];
  return candidates.some((file) => existsSync(file) && spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`]).status === 0);
}

/**
 * A copy of the bin whose native path loads here, for measuring it where the prebuilt binding does
 * not load: its binding is replaced by the one npm compiled for the development checkout
 * (node_modules/tree-sitter/build/Release), and its code caches are made again by a run on that
 * path, as a build on a machine where the prebuilt loads makes them. Undefined when neither loads.
 */
export function nativeBin(repoRoot, binDir, work) {
  if (prebuiltLoads(binDir)) return { bin: join(binDir, 'verl-critic-patch.cjs'), compiledHere: false };
  const compiled = join(repoRoot, 'node_modules', 'tree-sitter', 'build', 'Release');
  const file = existsSync(compiled) ? readdirSync(compiled).find((name) => name.endsWith('.node')) : undefined;
  if (!file) return undefined;
  const copy = join(work, 'bin-native');
  cpSync(binDir, copy, { recursive: true });
  cpSync(join(compiled, file), join(copy, 'parsers', PLATFORM, 'tree-sitter.node'));
  const bin = join(copy, 'verl-critic-patch.cjs');
  const warmUp = spawnSync(process.execPath, [bin, 'diff', '--format', 'text', join(repoRoot, 'fixtures', 'examples', 'verl-0.9')], {
    env: { ...process.env, VERL_CRITIC_PATCH_WRITE_CODE_CACHE: '1', VERL_CRITIC_PATCH_PARSER: 'native' },
    stdio: 'ignore',
  });
  return warmUp.status === 0 ? { bin, compiledHere: true } : undefined;
}

/**
 * `npm install -g` of the packed tarball into a new empty prefix, `runs` times: offline, with a
 * PATH holding only node and npm (no compiler, make or node-gyp), as test/cli/pack.test.ts does.
 */
export function installTimes(repoRoot, work, runs) {
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')));
  const tarball = join(work, info.filename);
  const bin = join(work, 'bare-bin');
  mkdirSync(bin, { recursive: true });
  const npm = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'npm')).find((file) => existsSync(file));
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(realpathSync(npm), join(bin, 'npm'));
  const times = [];
  let output = '';
  for (let run = 0; run < runs; run++) {
    const prefix = join(work, `install-${run}`);
    mkdirSync(prefix);
    const start = performance.now();
    const result = spawnSync('npm', ['install', '--global', '--offline', '--prefix', prefix, tarball], {
      cwd: work,
      encoding: 'utf8',
      env: { HOME: process.env.HOME, PATH: bin, npm_config_update_notifier: 'false', npm_config_cache: join(work, 'npm-cache') },
    });
    times.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`npm install -g failed: ${result.stderr}`);
    output = `${result.stdout}${result.stderr}`.trim();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { times, median: sorted[Math.floor(sorted.length / 2)], tarballBytes: statSync(tarball).size, unpackedBytes: info.unpackedSize, files: info.entryCount, output };
}

const ms = (value) => `${Math.round(value)} ms`;
const x = (value) => `${value.toFixed(2)}x`;
const row = (label, m) => `| ${label} | ${ms(m.wall)} | ${ms(m.wallMin)} | ${m.cpu === null ? 'n/a' : ms(m.cpu)} | ${m.rssMb === null ? 'n/a' : `${m.rssMb.toFixed(0)} MB`} |`;

/** The summary rows of section 4: the goals, on the path a default install takes here. */
export function pathRatios({ paths, defaultPath }) {
  const p = paths.measured;
  return {
    defaultPath,
    diffWasmNative: p.diffWasm.wall / p.documented.wall,
    diffWasmWeb: p.diffWasm.wall / p.webDocumented.wall,
    diffNative: p.diffNative ? p.diffNative.wall / p.documented.wall : undefined,
    checkWasm: p.checkWasm.wall / p.astGrep.wall,
    checkNative: p.checkNative ? p.checkNative.wall / p.astGrep.wall : undefined,
  };
}

export function pathsSection({ large, paths, install, defaultPath, native, runs }) {
  const p = paths.measured;
  const r = pathRatios({ paths, defaultPath });
  const nativeNote = native?.compiledHere
    ? "Its prebuilt native binding (tree-sitter 0.25.1's, which needs GCC 13's libstdc++, `GLIBCXX_3.4.31`) does not load on this machine, so **a default install here takes the WebAssembly path**. The native rows run a copy of the bin whose binding is the one npm compiled for the development checkout, to show that path's speed here."
    : "Its native binding loads on this machine (the one compiled where the package was built, which needs `GLIBCXX_3.4.29`; tree-sitter 0.25.1's prebuilt one needs GCC 13's `GLIBCXX_3.4.31` and does not load here), so **a default install here takes the native path**.";
  return `## 4. Parser paths, and the install

The bin parses on one of two paths (src/treeSitter.ts): **native** (tree-sitter's Node.js binding and
the grammars' prebuilt binaries) where its binary loads, else **WebAssembly** (web-tree-sitter and
the grammars' \`.wasm\` builds, which load wherever Node.js runs). Both give the same bytes
(test/parsers/paths.test.ts). ${nativeNote} ${runs} interleaved rounds; the same
${large}-line trainer and VeRL v0.9.0-shaped checkout as sections 1 and 2.

| command | median | min | CPU | peak memory |
|---|---|---|---|---|
${row('least program, native, documented API (section 1\'s reference)', p.documented)}
${row('least program, WebAssembly, documented API: `await Parser.init()`, `await Language.load(tree-sitter-python.wasm)`, `new Parser()`, `setLanguage`, read, one `parse`', p.webDocumented)}
${row('… the same with `node --liftoff-only` (what the bin does for WebAssembly)', p.webLiftoff)}
${p.diffNative ? row('`verl-critic-patch diff` of the trainer, native path', p.diffNative) : '| native path | not measured (no native binding loads here) | | | |'}
${row('`verl-critic-patch diff` of the trainer, WebAssembly path', p.diffWasm)}
${p.checkNative ? row('`verl-critic-patch check .` of the checkout, native path', p.checkNative) : '| native path | not measured | | | |'}
${row('`verl-critic-patch check .` of the checkout, WebAssembly path', p.checkWasm)}
${row('`ast-grep scan` of the checkout (section 2\'s reference)', p.astGrep)}

| ratio | native path | WebAssembly path |
|---|---|---|
| \`diff\` / the native least program (the goal: ≤ 1.0x) | ${r.diffNative === undefined ? 'n/a' : x(r.diffNative)} | ${x(r.diffWasmNative)} |
| \`diff\` / the WebAssembly least program | | ${x(r.diffWasmWeb)} |
| \`check .\` / \`ast-grep scan\` (the goal: ≤ 0.6x) | ${r.checkNative === undefined ? 'n/a' : x(r.checkNative)} | ${x(r.checkWasm)} |

The path a default install takes here: **${defaultPath}**. What the WebAssembly path costs is
start-up and parsing: instantiating the runtime and the two grammars, and V8 compiling the
grammar's code on its first parse (Liftoff only, src/parsers/wasm.ts); then tree-sitter's C code
runs as WebAssembly, slower than native.

### Installing

\`npm install -g\` of the packed tarball (${(install.tarballBytes / 2 ** 20).toFixed(1)} MB, ${(install.unpackedBytes / 2 ** 20).toFixed(1)} MB unpacked, ${install.files} files: the bin, the
parser files of every platform, the example, README, docs, LICENSE) into a new empty prefix, offline
(\`--offline\`, an empty npm cache: the package has no dependencies), with a PATH holding only
\`node\` and \`npm\`: median **${ms(install.median)}** of ${install.times.length} (${install.times.map(ms).join(', ')}); the goal is under 10 s. npm printed:

\`\`\`
${install.output}
\`\`\`
`;
}
