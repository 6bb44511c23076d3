// Preloaded with `node -r` by scripts/bench.mjs (never in timed runs): counts tree-sitter parses and
// their time in one CLI run, and when the process exits writes them, with the time since the
// process started, as JSON to $BENCH_PROBE_OUT.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const Parser = require(require.resolve('tree-sitter', { paths: [join(__dirname, '..')] }));
const parse = Parser.prototype.parse;
const probe = { parses: 0, parseMs: 0, parsedChars: 0 };
Parser.prototype.parse = function probedParse(...args) {
  const start = performance.now();
  const tree = parse.apply(this, args);
  probe.parseMs += performance.now() - start;
  probe.parses += 1;
  probe.parsedChars += tree.rootNode.endIndex;
  return tree;
};
process.on('exit', () => {
  if (process.env.BENCH_PROBE_OUT) writeFileSync(process.env.BENCH_PROBE_OUT, JSON.stringify({ ...probe, processMs: performance.now() }));
});
