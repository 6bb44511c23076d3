// Preloaded with `node -r` by scripts/bench.mjs (never in timed runs): counts tree-sitter parses
// (Python and YAML apart) and the yaml package's parses (the bundled parseAllDocuments, which the
// YAML planner calls on the views of src/config/plannerView.ts) and
// their time in one CLI run, and when the process exits writes them, with the time since the
// process started, as JSON to $BENCH_PROBE_OUT.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
// fresh*: the parses without an old tree (not incremental), which read the whole text.
// yamlTree*: tree-sitter's YAML grammar reading whole YAMLs (src/config/plannerView.ts);
// yaml*: the yaml package parsing the views it gives (yamlLines: the lines with content in them).
const probe = { parses: 0, parseMs: 0, parsedChars: 0, freshMs: 0, freshChars: 0, yamlTreeParses: 0, yamlTreeMs: 0, yamlTreeChars: 0, yamlParses: 0, yamlMs: 0, yamlChars: 0, yamlLines: 0 };

/**
 * The tree-sitter the measured CLI loads: the bundled bin's own copy (BENCH_PARSERS, its
 * dist/bin/parsers), run here first as src/parsers/native.ts runs it and put in require.cache,
 * where the bin takes it from; else the development checkout's.
 */
function bundledTreeSitter(parsers) {
  const Module = require('node:module');
  const platform = join(parsers, `${process.platform}-${process.arch}`);
  const index = join(parsers, 'tree-sitter.cjs');
  // The bin's candidates for tree-sitter's binding, in its order (src/parsers/files.ts).
  const built = join(parsers, `built-${process.platform}-${process.arch}`, 'tree-sitter.node');
  const binding = require(require('node:fs').existsSync(built) ? built : join(platform, 'tree-sitter.node'));
  const module = new Module(index, null);
  module.filename = index;
  require.cache[index] = module;
  const wrapper = require('node:vm').runInThisContext(Module.wrap(require('node:fs').readFileSync(index, 'utf8')), { filename: index });
  wrapper.call(module.exports, module.exports, (id) => (id === 'node-gyp-build' ? () => binding : require(id)), module, index, parsers);
  module.loaded = true;
  return { Parser: module.exports, yamlGrammar: require(join(platform, '@tree-sitter-grammars+tree-sitter-yaml.node')) };
}

const { Parser, yamlGrammar } = process.env.BENCH_PARSERS
  ? bundledTreeSitter(process.env.BENCH_PARSERS)
  : { Parser: require(require.resolve('tree-sitter', { paths: [root] })), yamlGrammar: require(require.resolve('@tree-sitter-grammars/tree-sitter-yaml', { paths: [root] })) };
const parse = Parser.prototype.parse;
Parser.prototype.parse = function probedParse(...args) {
  const start = performance.now();
  const tree = parse.apply(this, args);
  const took = performance.now() - start;
  if (this.getLanguage() === yamlGrammar) {
    probe.yamlTreeMs += took;
    probe.yamlTreeParses += 1;
    probe.yamlTreeChars += tree.rootNode.endIndex;
    return tree;
  }
  probe.parseMs += took;
  probe.parses += 1;
  probe.parsedChars += tree.rootNode.endIndex;
  if (!args[1]) {
    probe.freshMs += took;
    probe.freshChars += tree.rootNode.endIndex;
  }
  return tree;
};

// The bin requires the yaml bundle beside it by this same path, so it gets this module object.
const yaml = require(join(root, 'dist', 'bin', 'yaml.cjs'));
const parseAllDocuments = yaml.parseAllDocuments;
yaml.parseAllDocuments = function probedParseAllDocuments(source, ...rest) {
  const start = performance.now();
  const docs = parseAllDocuments.call(this, source, ...rest);
  probe.yamlMs += performance.now() - start;
  probe.yamlParses += 1;
  probe.yamlChars += source.length;
  probe.yamlLines += source.split('\n').filter((line) => /\S/.test(line) && !/^\s*#/.test(line)).length;
  return docs;
};

process.on('exit', () => {
  if (process.env.BENCH_PROBE_OUT) writeFileSync(process.env.BENCH_PROBE_OUT, JSON.stringify({ ...probe, processMs: performance.now() }));
});
