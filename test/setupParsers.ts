// Each test file's process chooses its parser path before any test parses in-process, as a run of
// the CLI does (src/commands/action.ts): the native one where it loads, or the one
// VERL_CRITIC_PATCH_PARSER forces (.ci/run runs the suite once more with =wasm).
import { prepareParsers } from '../src/treeSitter.js';

await prepareParsers();
