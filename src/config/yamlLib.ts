/**
 * The one place that loads the `yaml` package, on first use, the way src/treeSitter.ts loads
 * tree-sitter: it is as large as the rest of the CLI together, and a run on trainer files alone
 * never needs it. The bundled bin carries it as a file of its own beside the bundle
 * (scripts/bundle.mjs sets __VCP_YAML_MODULE__ to it).
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

declare const __VCP_YAML_MODULE__: string | undefined;

const require = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  loaded ??= require(typeof __VCP_YAML_MODULE__ === 'string' ? __VCP_YAML_MODULE__ : 'yaml') as typeof Yaml;
  return loaded;
}
