/**
 * Which CPython judges a trainer file: the one that will run it. A VeRL installed in a virtual
 * environment (or a Debian dist-packages folder) runs on that environment's interpreter, whatever
 * `python3` is first on PATH: a file that needs Python 3.12 is fine in a 3.12 venv and a syntax
 * error for a 3.11 `python3`. `--python` names the interpreter itself (commands/patchRun.ts).
 */
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

export const DEFAULT_PYTHON = 'python3';

/**
 * The interpreter of the environment whose site-packages holds `path`
 * (`PREFIX/lib/pythonX.Y/site-packages/...` -> `PREFIX/bin/pythonX.Y`, `python3` or `python`),
 * or undefined for a file anywhere else or an environment without one.
 */
export function environmentPython(path: string): string | undefined {
  const parts = resolve(path).split(sep);
  const at = parts.findIndex((part) => part === 'site-packages' || part === 'dist-packages');
  if (at < 2 || !/^lib(?:64)?$/.test(parts[at - 2] ?? '')) return undefined;
  const prefix = parts.slice(0, at - 2).join(sep) || sep;
  const version = /^python(\d+\.\d+)$/.exec(parts[at - 1] ?? '')?.[1];
  const names = [...(version ? [`python${version}`] : []), 'python3', 'python'];
  return names.map((name) => join(prefix, 'bin', name)).find((candidate) => existsSync(candidate));
}
