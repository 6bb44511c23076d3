/**
 * The tool's version, from package.json. The bundled bin (scripts/bundle.mjs) has it written in
 * at build time, so starting the CLI reads no JSON; tsc's output (dist/cli.js) reads package.json.
 */
import { createRequire } from 'node:module';

declare const __VCP_VERSION__: string | undefined;

export const TOOL_VERSION: string =
  typeof __VCP_VERSION__ === 'string'
    ? __VCP_VERSION__
    : (createRequire(import.meta.url)('../package.json') as { version: string }).version;
