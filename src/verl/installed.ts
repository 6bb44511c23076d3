/**
 * VeRL as pip installs it: a `verl` package in a site-packages folder, beside every other package
 * of that environment, with a `verl-<version>.dist-info/RECORD` listing the files it owns. A scan
 * of such a folder covers VeRL's files only, never another package's; and `--python` asks an
 * interpreter which `verl` it imports, without importing it (VeRL's `__init__` pulls in torch and
 * ray).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { badInput } from '../errors.js';
import { toPosix } from '../io/paths.js';
import { isBelowSkippedFolder, isScanned, listFolder } from '../scan/walk.js';

const SITE_FOLDERS = new Set(['site-packages', 'dist-packages']);

/** The dist-info folders of the `verl` distribution in `dir` (pip normalises the name to `verl`). */
function verlDistInfos(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => /^verl-[^-]+\.dist-info$/i.test(name)).map((name) => join(dir, name));
}

/** Is `path` in an installed-packages folder (at any depth)? */
export function isInsideSitePackages(path: string): boolean {
  return resolve(path).split(/[\\/]/).some((part) => SITE_FOLDERS.has(part));
}

/** Is `dir` an installed-packages folder (it holds other packages than VeRL's)? */
export function isSitePackages(dir: string): boolean {
  return SITE_FOLDERS.has(basename(dir)) || verlDistInfos(dir).length > 0;
}

/**
 * The files of VeRL's distribution in a site-packages folder, relative to it (from its RECORD),
 * or undefined when there is no readable RECORD: then the caller scans `verl/` alone.
 */
function recordedFiles(sitePackages: string): string[] | undefined {
  for (const distInfo of verlDistInfos(sitePackages)) {
    let record: string;
    try {
      record = readFileSync(join(distInfo, 'RECORD'), 'utf8');
    } catch {
      continue;
    }
    // RECORD is CSV: path,hash,size. Paths with commas are quoted; VeRL's have none, and a line we
    // cannot read is simply not scanned.
    return record
      .split(/\r?\n/)
      .map((line) => line.split(',')[0] ?? '')
      .filter((path) => path !== '' && !path.startsWith('..') && !path.startsWith('/'));
  }
  return undefined;
}

/**
 * The installed-packages folder a VeRL package folder was installed into (`site-packages/verl`),
 * or undefined for a package anywhere else (a checkout's `verl/`).
 */
export function sitePackagesHolding(packageDir: string): string | undefined {
  const holder = dirname(resolve(packageDir));
  return isSitePackages(holder) ? holder : undefined;
}

/**
 * The files of an installed VeRL that a scan looks at, relative to its site-packages folder:
 * those its RECORD lists (below `packageName/` alone when the package folder was named), else
 * every file of the `verl/` package (the named one). Never filtered by git: a virtual environment inside a
 * project is usually ignored by the project's git (`.venv/` in .gitignore, or uv's own
 * `.venv/.gitignore`), and what pip installed is VeRL's whatever the project's git thinks of it.
 */
export function installedVerlFiles(sitePackages: string, packageName?: string): string[] {
  const recorded = recordedFiles(sitePackages)?.filter(
    (file) => isScanned(file) && !isBelowSkippedFolder(file) && (packageName === undefined || file.startsWith(`${toPosix(packageName)}/`)),
  );
  if (recorded && recorded.length > 0) return recorded;
  const name = packageName ?? 'verl';
  if (!existsSync(join(sitePackages, name))) return [];
  return listFolder(join(sitePackages, name), { git: false }).map((file) => `${toPosix(name)}/${file}`);
}

/** An editable install (`pip install -e`) leaves no package here, only a pointer to the checkout. */
export function editableInstallHint(sitePackages: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(sitePackages);
  } catch {
    return undefined;
  }
  const pointer = names.find((name) => /^__editable__\.verl-.*\.pth$/i.test(name) || /^verl\.egg-link$/i.test(name));
  if (!pointer) return undefined;
  return `VeRL is installed here in editable mode (${pointer}): patch its source checkout, or pass --python to find it`;
}

// Finds the module without importing it: find_spec of a top-level name runs the import system's
// finders (site-packages, editable-install finders, PYTHONPATH) but not the package's __init__.
// A namespace package (a folder named verl without __init__.py, such as a clone's top folder in
// the current directory) is no VeRL package.
const WHERE_IS_VERL = `import importlib.util, json, sys
spec = importlib.util.find_spec("verl")
regular = spec is not None and spec.origin not in (None, "namespace")
print(json.dumps({"python": sys.version.split()[0], "executable": sys.executable,
                  "locations": list(spec.submodule_search_locations or []) if regular else None}))
`;

export interface ImportedVerl {
  packageDir: string;
  python: string; // the interpreter's version
  executable: string;
}

/** Which `verl` package `python` imports (as the user's launch would: same PATH, PYTHONPATH, site). */
export function importedVerl(python: string): ImportedVerl {
  const found = importedVerlIfAny(python);
  if ('missing' in found) throw badInput(python, `Python ${found.missing.python} (${found.missing.executable}) cannot import verl: it is not installed for this interpreter`);
  return found;
}

/** importedVerl, or which Python answered that it imports no verl (any other failure throws). */
export function importedVerlIfAny(python: string): ImportedVerl | { missing: { python: string; executable: string } } {
  if (python === '') throw badInput(undefined, '--python: an empty interpreter name (give a path or a command, or --python alone for python3)');
  const run = spawnSync(python, ['-c', WHERE_IS_VERL], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw badInput(python, code === 'ENOENT' ? 'no such Python interpreter (--python)' : `cannot run it (${code ?? run.error.message})`);
  }
  let answer: { python?: string; executable?: string; locations?: string[] | null } | undefined;
  try {
    answer = JSON.parse(run.stdout.trim().split('\n').pop() ?? '');
  } catch {
    answer = undefined;
  }
  if (!answer?.python) throw badInput(python, `did not answer which verl it imports (exit ${run.status}: ${run.stderr.trim().split('\n').pop() ?? ''})`);
  const packageDir = answer.locations?.find((location) => existsSync(location));
  if (!packageDir) return { missing: { python: answer.python, executable: answer.executable ?? python } };
  return { packageDir, python: answer.python, executable: answer.executable ?? python };
}
