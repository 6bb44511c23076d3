/**
 * Batched out-of-process checks for generated cases: one python3 for many files (ast, compile and
 * the stub-execution harness, via batch_check.py) and one `git apply` for many diffs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unifiedDiff } from '../../src/diffText.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { PYTHON } from '../helpers/systemPackages.js';

export const BATCH_CHECK = join(REPO_ROOT, 'test', 'reliability', 'batch_check.py');

export interface SyntaxVerdict {
  ast: string | null; // null when ast.parse accepts the file, else the error
  compile: string | null; // the same for compile(..., "exec"): what py_compile would say
}

export interface PythonVerdict {
  id: string;
  original: SyntaxVerdict;
  patched: SyntaxVerdict | null;
  stub: { ok: boolean; problems: string[] } | null;
}

export interface PythonCase {
  id: string;
  original: Buffer;
  patched?: Buffer;
  stub: boolean;
}

function runBatch(dir: string, cases: readonly PythonCase[], index: number): Promise<PythonVerdict[]> {
  const sub = join(dir, `batch-${index}`);
  mkdirSync(sub, { recursive: true });
  const manifest = cases.map((c, i) => {
    const original = join(sub, `${i}.orig.py`);
    writeFileSync(original, c.original);
    let patched: string | null = null;
    if (c.patched) {
      patched = join(sub, `${i}.patched.py`);
      writeFileSync(patched, c.patched);
    }
    return { id: c.id, original, patched, stub: c.stub };
  });
  const manifestPath = join(sub, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-S', BATCH_CHECK, manifestPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const verdicts = out
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as PythonVerdict);
      if (code !== 0 || verdicts.length !== cases.length) {
        reject(new Error(`batch_check.py exited ${code} after ${verdicts.length}/${cases.length} cases: ${err.slice(-3000)}`));
      } else resolve(verdicts);
    });
  });
}

/** Check every case with python3, `parallel` interpreters at a time. */
export async function checkWithPython(cases: readonly PythonCase[], options: { chunk?: number; parallel?: number } = {}): Promise<Map<string, PythonVerdict>> {
  const chunk = options.chunk ?? 150;
  const parallel = options.parallel ?? 2;
  const dir = tempDir('vcp-pybatch-');
  const results = new Map<string, PythonVerdict>();
  try {
    const chunks: PythonCase[][] = [];
    for (let i = 0; i < cases.length; i += chunk) chunks.push(cases.slice(i, i + chunk));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const index = next++;
        for (const verdict of await runBatch(dir, chunks[index]!, index)) results.set(verdict.id, verdict);
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

export interface GitCase {
  id: string;
  original: Buffer;
  text: string; // decoded original, as the CLI diffs it
  after: string;
}

/**
 * Apply the diffs the CLI would print with one `git apply` (per chunk), and return the ids whose
 * result is not byte for byte what `apply` writes. A chunk that does not apply is retried file by
 * file to name the culprit.
 */
export function checkWithGitApply(cases: readonly GitCase[], chunk = 400): Map<string, string> {
  const failures = new Map<string, string>();
  for (let start = 0; start < cases.length; start += chunk) {
    const slice = cases.slice(start, start + chunk);
    const repo = tempDir('vcp-gitbatch-');
    try {
      spawnSync('git', ['init', '-q'], { cwd: repo });
      const patches = slice.map((c, i) => {
        const rel = `cases/${i}.py`;
        mkdirSync(join(repo, 'cases'), { recursive: true });
        writeFileSync(join(repo, rel), c.original);
        return unifiedDiff(rel, c.text, c.after).text;
      });
      const all = join(repo, '..', `${repo.split('/').pop()}.patch`);
      writeFileSync(all, patches.join(''));
      const whole = spawnSync('git', ['apply', '--whitespace=nowarn', all], { cwd: repo, encoding: 'utf8' });
      rmSync(all, { force: true });
      const apply = (i: number): string | undefined => {
        const one = join(repo, `one-${i}.patch`);
        writeFileSync(one, patches[i]!);
        const run = spawnSync('git', ['apply', '--whitespace=nowarn', one], { cwd: repo, encoding: 'utf8' });
        rmSync(one, { force: true });
        return run.status === 0 ? undefined : `git apply failed: ${run.stderr.trim()}`;
      };
      slice.forEach((c, i) => {
        const path = join(repo, 'cases', `${i}.py`);
        if (whole.status !== 0) {
          writeFileSync(path, c.original);
          const why = apply(i);
          if (why) return failures.set(c.id, why);
        }
        const got = readFileSync(path);
        if (!got.equals(Buffer.from(c.after, 'utf8'))) failures.set(c.id, 'git apply of the diff differs from what apply writes');
      });
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  }
  return failures;
}
