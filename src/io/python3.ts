/**
 * Asking CPython whether Python source compiles: the one way this tool runs python3.
 *
 * - `apply` compiles every Python file it wrote (defence in depth; the caller rolls the run back
 *   when one does not compile) and, when one does not, the file as it was before the patch (to
 *   tell a broken input from a broken patch);
 * - diff, check and apply compile every trainer they plan (run.ts), one interpreter run for all, so
 *   that a malformed file gets the line and message users know from tracebacks (tree-sitter's error
 *   recovery often blames a whole class).
 *
 * `compile()` only compiles: nothing is imported or run, and no bytecode is written anywhere.
 * `-I -S`: no PYTHON* variables, no user site folder, no site import (stdlib only). No usable
 * python3 is not an error: the answer says so and the caller reports it.
 */
import { spawnSync } from 'node:child_process';

export interface CompileFailure {
  path: string;
  line?: number;
  message: string; // e.g. "SyntaxError: invalid syntax"
}

export type Verification =
  | { status: 'compiled'; python: string; files: number }
  | { status: 'unavailable'; reason: string }
  | { status: 'failed'; python: string; failures: CompileFailure[] };

// argv: FILE... (`-` is standard input); prints a header line, then one JSON line per file, in
// order. Compiling the raw bytes is what py_compile and `import` do (the coding cookie and BOM
// are honoured).
const SCRIPT = `import json, sys
print(json.dumps({"python": sys.version.split()[0]}), flush=True)
for path in sys.argv[1:]:
    try:
        if path == "-":
            source = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                source = handle.read()
        compile(source, path, "exec", dont_inherit=True)
        result = {"ok": True}
    except SyntaxError as error:
        result = {"ok": False, "syntax": True, "line": error.lineno, "type": type(error).__name__, "text": error.msg or str(error)}
    except Exception as error:
        result = {"ok": False, "syntax": False, "line": None, "type": type(error).__name__, "text": str(error)}
    print(json.dumps(result), flush=True)
`;

/** Compiling 20 MB of Python takes CPython about a minute; a python3 that hangs must not hang us. */
const FILES_TIMEOUT_MS = 10 * 60_000;

interface CompileRun {
  python?: string; // the version, when python3 ran at all
  results: Record<string, unknown>[];
  unavailable?: string;
}

function runCompiler(args: readonly string[], python: string, input: string | Buffer | undefined, timeoutMs: number): CompileRun {
  const run = spawnSync(python, ['-I', '-S', '-c', SCRIPT, ...args], {
    input,
    encoding: 'utf8',
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { results: [], unavailable: `no ${python} on PATH` };
    if (code === 'ETIMEDOUT') return { results: [], unavailable: `${python} did not finish compiling within ${Math.round(timeoutMs / 60_000)} minutes` };
    return { results: [], unavailable: `${python} could not be run (${code ?? run.error.message})` };
  }
  const lines = run.stdout.split('\n').filter((line) => line.trim() !== '');
  const version = parseJson(lines[0])?.python;
  if (typeof version !== 'string') return { results: [], unavailable: `${python} on PATH did not run (${whyNot(run.status, run.signal, run.stderr)})` };
  const results = lines.slice(1).map((line) => parseJson(line) ?? {});
  if (results.length !== args.length) {
    return { python: version, results, unavailable: `${python} ${version} stopped after ${results.length} of ${args.length} files (${whyNot(run.status, run.signal, run.stderr)})` };
  }
  return { python: version, results };
}

/** Compile the files at `paths` (as they are on disk now). */
export function compilePythonFiles(paths: readonly string[], python = 'python3'): Verification {
  if (paths.length === 0) return { status: 'compiled', python: '', files: 0 };
  const run = runCompiler(paths, python, undefined, FILES_TIMEOUT_MS);
  const failures: CompileFailure[] = [];
  run.results.forEach((result, index) => {
    if (result.ok === false) {
      const line = typeof result.line === 'number' && result.line > 0 ? result.line : undefined;
      failures.push({ path: paths[index]!, line, message: `${String(result.type)}: ${String(result.text)}` });
    }
  });
  if (failures.length > 0 && run.python) return { status: 'failed', python: run.python, failures };
  if (run.unavailable || !run.python) return { status: 'unavailable', reason: run.unavailable ?? `${python} did not run` };
  return { status: 'compiled', python: run.python, files: paths.length };
}

/** Does `source` compile? undefined when python3 cannot tell (not installed, crashed). */
export function compilesAsPython(source: Buffer | string, python = 'python3'): boolean | undefined {
  const result = runCompiler(['-'], python, source, FILES_TIMEOUT_MS).results[0];
  return result === undefined ? undefined : result.ok === true;
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

/**
 * What to do when the interpreter that judged is not the one VeRL runs on: --python and target paths
 * exclude each other, so the other Python is named in place of the path.
 */
export const OTHER_PYTHON_HINT = 'if VeRL runs on another Python, name it in place of the path (--python PY: the verl it imports, judged by it), or --no-verify skips this check';
