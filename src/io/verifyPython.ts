/**
 * Defence in depth for `apply`: after a run has written its files, compile every Python file it
 * wrote with the `python3` on PATH (the interpreter VeRL itself runs on). `py_compile` only
 * compiles: nothing is imported or run, and the bytecode goes to a throw-away folder, so no
 * `__pycache__` appears beside the sources. The caller rolls the whole run back when a file does
 * not compile. No usable python3 is not an error: the result says so and the caller reports it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CompileFailure {
  path: string;
  line?: number;
  message: string; // e.g. "SyntaxError: invalid syntax"
}

export type Verification =
  | { status: 'compiled'; python: string; files: number }
  | { status: 'unavailable'; reason: string }
  | { status: 'failed'; python: string; failures: CompileFailure[] };

// argv: FILE...; prints a header line, then one JSON line per file, in order. The bytecode goes
// to a folder python3 makes and removes itself, so that it is cleaned up even if we are killed.
const SCRIPT = `import json, os, py_compile, sys, tempfile
print(json.dumps({"python": sys.version.split()[0]}), flush=True)
with tempfile.TemporaryDirectory(prefix="verl-critic-patch-pyc-") as out:
    for index, path in enumerate(sys.argv[1:]):
        try:
            py_compile.compile(path, cfile=os.path.join(out, "%d.pyc" % index), doraise=True)
            result = {"ok": True}
        except py_compile.PyCompileError as error:
            inner = error.exc_value
            text = getattr(inner, "msg", None) or str(inner)
            result = {"ok": False, "line": getattr(inner, "lineno", None), "message": "%s: %s" % (error.exc_type_name, text)}
        except Exception as error:
            result = {"ok": False, "line": None, "message": "%s: %s" % (type(error).__name__, error)}
        print(json.dumps(result), flush=True)
`;

/** Compiling 20 MB of Python takes CPython about a minute; a python3 that hangs must not hang us. */
const TIMEOUT_MS = 10 * 60_000;

export function compilePythonFiles(paths: readonly string[], python = 'python3'): Verification {
  if (paths.length === 0) return { status: 'compiled', python: '', files: 0 };
  // -I: ignore PYTHON* variables and the user's site folder; -S: no site import (stdlib only).
  const run = spawnSync(python, ['-I', '-S', '-c', SCRIPT, ...paths], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'unavailable', reason: `no ${python} on PATH` };
    if (code === 'ETIMEDOUT') return { status: 'unavailable', reason: `${python} did not finish compiling within ${TIMEOUT_MS / 60_000} minutes` };
    return { status: 'unavailable', reason: `${python} could not be run (${code ?? run.error.message})` };
  }
  const lines = run.stdout.split('\n').filter((line) => line.trim() !== '');
  const header = parseJson(lines[0]);
  const version = typeof header?.python === 'string' ? header.python : undefined;
  if (!version) return { status: 'unavailable', reason: `${python} on PATH did not run (${whyNot(run.status, run.signal, run.stderr)})` };
  const results = lines.slice(1).map(parseJson);
  const failures: CompileFailure[] = [];
  results.forEach((result, index) => {
    if (result?.ok === false) {
      const line = typeof result.line === 'number' && result.line > 0 ? result.line : undefined;
      failures.push({ path: paths[index]!, line, message: String(result.message ?? 'does not compile') });
    }
  });
  if (failures.length > 0) return { status: 'failed', python: version, failures };
  if (results.length !== paths.length || results.some((r) => r?.ok !== true)) {
    return { status: 'unavailable', reason: `${python} ${version} stopped after ${results.length} of ${paths.length} files (${whyNot(run.status, run.signal, run.stderr)})` };
  }
  return { status: 'compiled', python: version, files: paths.length };
}

/** Does `source` compile with this python3? For telling a broken input from a broken patch. */
export function compilesAsPython(source: Buffer | string, python = 'python3'): boolean | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'verl-critic-patch-src-'));
  try {
    const file = join(dir, 'original.py');
    writeFileSync(file, source);
    const result = compilePythonFiles([file], python);
    return result.status === 'unavailable' ? undefined : result.status === 'compiled';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseJson(line: string | undefined): Record<string, unknown> | undefined {
  if (!line) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function whyNot(status: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const last = stderr.trim().split('\n').pop()?.trim();
  const how = signal ? `killed by ${signal}` : `exit ${status}`;
  return last ? `${how}: ${last.slice(0, 200)}` : how;
}
