/**
 * Python-side checks for tests: does a file parse with Python's own `ast`, and does a patched file
 * behave like its original when run with stubs (test/harness/stub_run.py)?
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './systemPackages.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const STUB_HARNESS = join(REPO_ROOT, 'test', 'harness', 'stub_run.py');
// -S: skip `site` (and the .pth files of installed packages). Both scripts use only the standard
// library, start much faster that way, and the harness stubs every third-party import anyway.
const NO_SITE = '-S';

const PARSE_SCRIPT = "import ast,sys; ast.parse(open(sys.argv[1],'rb').read(), sys.argv[1])";

/**
 * Parse `path` with `ast.parse` on its raw bytes. Note that this accepts a few files CPython would
 * refuse to run (Latin-1 bytes inside a comment, for one); it is a syntax check, not an encoding check.
 */
export function pythonParses(path: string): { ok: boolean; error?: string } {
  const result = spawnSync(PYTHON, [NO_SITE, '-c', PARSE_SCRIPT, path], { encoding: 'utf8' });
  if (result.error) throw new Error(`cannot run ${PYTHON}: ${result.error.message}`);
  if (result.status === 0) return { ok: true };
  const lines = result.stderr.trim().split('\n');
  return { ok: false, error: lines[lines.length - 1] || `python exited with ${result.status}` };
}

/** Check letters reported by the harness; see test/harness/stub_run.py. */
export interface StubHarnessChecks {
  a: boolean;
  b: boolean;
  c: boolean;
  d: boolean;
  e: boolean;
}

/** The harness's JSON document (the parts tests look at; the rest is debugging detail). */
export interface StubHarnessReport {
  ok: boolean;
  checks: StubHarnessChecks;
  problems: string[];
  classes: Array<{
    class: string;
    method: string;
    family: string[];
    offload_family: boolean;
    real_actor_loads: number;
    checks: StubHarnessChecks;
    problems: string[];
    scenarios: unknown[];
  }>;
  [key: string]: unknown;
}

/**
 * Run the stub-execution harness on ORIGINAL and PATCHED and return its verdict. `ok` is true
 * only when every check holds; `problems` are one-line explanations prefixed with the check letter
 * ("(a)" ... "(e)"); `raw` is the whole JSON document (a StubHarnessReport).
 *
 * Throws when the harness itself fails (exit code other than 0, or output that is not JSON), so that
 * a broken harness can never pass for a "not ok" verdict.
 */
export function runStubHarness(
  originalPath: string,
  patchedPath: string,
): { ok: boolean; problems: string[]; raw: unknown } {
  const result = spawnSync(PYTHON, [NO_SITE, STUB_HARNESS, originalPath, patchedPath], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
  });
  if (result.error) throw new Error(`cannot run ${PYTHON} ${STUB_HARNESS}: ${result.error.message}`);
  let raw: StubHarnessReport;
  try {
    raw = JSON.parse(result.stdout) as StubHarnessReport;
  } catch {
    throw new Error(
      `stub harness printed no JSON (exit ${result.status}):\n${result.stdout.slice(0, 2000)}\n${result.stderr.slice(0, 4000)}`,
    );
  }
  if (result.status !== 0) {
    throw new Error(`stub harness failed (exit ${result.status}): ${JSON.stringify(raw.problems)}\n${result.stderr.slice(0, 4000)}`);
  }
  return { ok: raw.ok === true, problems: Array.isArray(raw.problems) ? raw.problems : [], raw };
}
