/**
 * Virtual environments that hold a VeRL: a folder scan passes over every virtual environment (a
 * project's dependencies are not the project: scan/walk.ts), so a project whose VeRL is installed
 * only in its `.venv/` holds "no VeRL copy" as far as the scan goes. Its run names the environment's
 * interpreter instead, for --python.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where a virtual environment keeps its interpreter and its packages (POSIX, then Windows). */
const LAYOUTS = [
  { python: ['bin', 'python'], sitePackages: (venv: string) => pythonLibs(join(venv, 'lib')).map((lib) => join(venv, 'lib', lib, 'site-packages')) },
  { python: ['Scripts', 'python.exe'], sitePackages: (venv: string) => [join(venv, 'Lib', 'site-packages')] },
];

/**
 * The interpreters, as paths below `folder` (`folder/.venv/bin/python`, joined to `folder` as the
 * user typed it), of the virtual environments directly in `folder` (any folder holding
 * `pyvenv.cfg`, hidden or not) whose site-packages hold VeRL's main trainer.
 */
export function venvPythonsWithVerl(folder: string): string[] {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    const venv = join(folder, entry.name);
    if (!entry.isDirectory() || !existsSync(join(venv, 'pyvenv.cfg'))) continue;
    for (const layout of LAYOUTS) {
      const python = join(venv, ...layout.python);
      const hasVerl = layout.sitePackages(venv).some((site) => existsSync(join(site, 'verl', 'trainer', 'ppo', 'ray_trainer.py')));
      if (hasVerl && existsSync(python)) found.push(python);
    }
  }
  return found.sort();
}

function pythonLibs(lib: string): string[] {
  try {
    return readdirSync(lib).filter((name) => /^python\d/.test(name));
  } catch {
    return [];
  }
}
