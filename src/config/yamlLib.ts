/**
 * The one place that loads the `yaml` package, on first use, the way src/treeSitter.ts loads
 * tree-sitter: it is as large as the rest of the CLI together, and a run on trainer files alone
 * never needs it. The bundled bin carries it as a file of its own beside the bundle, run through
 * its code cache (src/commonJs.ts).
 */
import type * as Yaml from 'yaml';
import { requirePackage } from '../commonJs.js';

let loaded: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  loaded ??= requirePackage('yaml', 'yaml.cjs') as typeof Yaml;
  return loaded;
}
