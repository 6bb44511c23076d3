/**
 * Where a launch's pieces are on disk: the VeRL it imports (--verl, else the package holding the
 * script, else the one the command's interpreter imports, found as `--python` finds it, without
 * importing it), the entry point's file, the config Hydra would load (the entry's own
 * `@hydra.main(config_path=..., config_name=...)`, changed by `--config-name` / `--config-path`)
 * and the trainer files whose `_load_checkpoint` that entry runs. Reads files; bad input is exit 2.
 */
import { existsSync } from 'node:fs';
import { readSource } from '../io/readSource.js';
import path from 'node:path';
import { badInput } from '../errors.js';
import type { Release } from '../verl/release.js';
import { findVerlAbove } from '../verl/copies.js';
import { DEFAULT_PYTHON } from '../io/interpreter.js';
import { pythonsVerlLine, releaseOf, verlAt, verlOfPython } from '../verl/locate.js';
import type { LaunchCommand } from './command.js';

export interface LaunchSite {
  /** The `verl` package folder and how it was found. */
  packageDir: string;
  foundBy: string;
  /** The note line the run prints when the command line named no VeRL (src/verl/launcher.ts), else null. */
  note: string | null;
  release: Release;
  /** The entry point's file, and its module name when run with -m. */
  entryFile: string;
  entryModule: string | null;
  /** Is this VeRL's own `verl.trainer.main_ppo` (its trainer depends on trainer.use_v1 from 0.9)? */
  mainPpo: boolean;
  configName: string;
  /** The folder Hydra looks the config up in first (the entry's config_path, or --config-path). */
  configDir: string;
  /** `@hydra.main(version_base=...)` as written (`None`, `"1.1"`); undefined when not given. */
  versionBase?: string;
  /** The YAML composed: `_generated_<name>.yaml` where VeRL ships it, else `<name>.yaml`. */
  configFile: string;
  /** Hydra's --config-dir folders, resolved. */
  configDirs: string[];
  /** Folders the emulation looks a defaults entry up in: --config-dir's, then VeRL's trainer/config. */
  searchpath: string[];
}

export interface SiteOptions {
  verl?: string;
  /** --python [PY]: the VeRL this interpreter imports. */
  python?: string | boolean;
  cwd?: string;
}

const MAIN_PPO = 'verl.trainer.main_ppo';

export function locateLaunch(command: LaunchCommand, options: SiteOptions): LaunchSite {
  const cwd = options.cwd ?? process.cwd();
  const { packageDir, foundBy, note = null } = findPackage(command, options, cwd);
  const release = releaseOf(packageDir, packageDir);
  const { entryFile, entryModule } = entryOf(command, packageDir, cwd);
  const declared = hydraMain(entryFile);
  const configName = command.configName ?? declared.configName;
  const configDir = command.configPath !== null ? configPathDir(command.configPath, entryFile, cwd) : path.resolve(path.dirname(entryFile), declared.configPath);
  const configFile = [`_generated_${configName}.yaml`, `${configName}.yaml`].map((name) => path.join(configDir, name)).find((file) => existsSync(file));
  if (!configFile) throw badInput(configDir, `no ${configName}.yaml (the config ${path.basename(entryFile)} loads${command.configName ? ' with --config-name' : ''})`);
  const verlConfig = path.join(packageDir, 'trainer', 'config');
  return {
    packageDir,
    foundBy,
    note,
    release,
    entryFile,
    entryModule,
    mainPpo: entryModule === MAIN_PPO || path.resolve(entryFile) === path.join(packageDir, 'trainer', 'main_ppo.py'),
    configName,
    configDir,
    ...(declared.versionBase !== undefined ? { versionBase: declared.versionBase } : {}),
    configFile,
    configDirs: command.configDirs.map((dir) => path.resolve(cwd, dir)),
    searchpath: [...command.configDirs.map((dir) => path.resolve(cwd, dir)), verlConfig],
  };
}

function findPackage(command: LaunchCommand, options: SiteOptions, cwd: string): { packageDir: string; foundBy: string; note?: string } {
  if (options.verl !== undefined) return { packageDir: verlAt(options.verl, cwd).packageDir, foundBy: '--verl' };
  if (command.entry?.kind === 'script') {
    // The script's own checkout: VeRL's main_ppo.py, or a recipe beside it.
    const holding = findVerlAbove(path.dirname(path.resolve(cwd, command.entry.path)));
    if (holding) return { packageDir: holding.copy.packageDir, foundBy: `the checkout holding ${command.entry.path}` };
  }
  // --python's (given bare: the launch's own interpreter, else python3), else the launch's own
  // interpreter's, else (the command line names none) the launcher's.
  const python = typeof options.python === 'string' ? options.python : options.python === true || command.interpreter !== null ? (launchInterpreter(command, cwd) ?? DEFAULT_PYTHON) : undefined;
  const verl = verlOfPython({ python, named: false, verb: { verb: 'preflight', pathOption: '--verl ' }, needed: false, cwd });
  if (!verl) throw badInput(undefined, 'overrides alone: say which VeRL the run uses with --verl PATH or --python [PY]');
  if (verl.fromLauncher) return { packageDir: verl.packageDir, foundBy: `${verl.executable} (Python ${verl.python}, the Python verl-critic-patch was started from) imports it`, note: pythonsVerlLine(verl) };
  return { packageDir: verl.packageDir, foundBy: `${verl.executable} (Python ${verl.python}) imports it` };
}

/**
 * The Python the launch runs: as written, except under `uv run`, where a bare `python3` is the one
 * of uv's project environment (`.venv` of the project folder, `--directory` / `--project` /
 * UV_PROJECT_ENVIRONMENT moving it) when that environment exists.
 */
export function launchInterpreter(command: LaunchCommand, cwd: string): string | null {
  const written = command.interpreter;
  if (written === null || command.uv === null || written.includes('/')) return written;
  const project = path.resolve(cwd, command.uv.directory ?? '.', command.uv.project ?? '.');
  const environment = process.env.UV_PROJECT_ENVIRONMENT ? path.resolve(project, process.env.UV_PROJECT_ENVIRONMENT) : path.join(project, '.venv');
  const inside = path.join(environment, 'bin', written);
  return existsSync(inside) ? inside : written;
}

function entryOf(command: LaunchCommand, packageDir: string, cwd: string): { entryFile: string; entryModule: string | null } {
  const entry = command.entry ?? { kind: 'module', module: MAIN_PPO };
  if (entry.kind === 'script') {
    const file = path.resolve(cwd, entry.path);
    if (!existsSync(file)) throw badInput(entry.path, 'no such script');
    return { entryFile: file, entryModule: null };
  }
  const parts = entry.module.split('.');
  const rel = `${path.join(...parts)}.py`;
  // `verl.x.y` is in the package; a recipe module (`recipe.dapo.main_dapo`) is found from the
  // working folder, as `python -m` finds it, or beside the package (a checkout's recipe/).
  const candidates = parts[0] === 'verl' ? [path.join(path.dirname(packageDir), rel)] : [path.join(cwd, rel), path.join(path.dirname(packageDir), rel)];
  const file = candidates.find((candidate) => existsSync(candidate));
  if (!file) throw badInput(entry.module, `no such module in ${path.dirname(packageDir)} or ${cwd}`);
  return { entryFile: file, entryModule: entry.module };
}

/**
 * The `@hydra.main(config_path=..., config_name=...)` of an entry point, read from its text
 * (every VeRL entry has one: v0.3.0.post1:verl/trainer/main_ppo.py:52, v0.9.0:verl/trainer/main_ppo.py:167,
 * v0.9.0:verl/experimental/fully_async_policy/fully_async_main.py:222).
 */
export function hydraMain(file: string): { configPath: string; configName: string; versionBase?: string } {
  const text = readSource(file).text;
  const call = /@hydra\.main\(([^)]*)\)/.exec(text);
  const arg = (name: string) => (call ? new RegExp(`${name}\\s*=\\s*(['"])([^'"]*)\\1`).exec(call[1]!)?.[2] : undefined);
  const configPath = arg('config_path');
  const configName = arg('config_name');
  if (configPath === undefined || configName === undefined) {
    throw badInput(file, 'no @hydra.main(config_path=..., config_name=...) here: not a Hydra entry point this tool can follow');
  }
  // version_base=None or a quoted version: Hydra's defaults for that version (the compose must use the same).
  const base = call ? /version_base\s*=\s*(None|(['"])([^'"]*)\2)/.exec(call[1]!) : null;
  const versionBase = base ? (base[1] === 'None' ? 'None' : base[3]) : undefined;
  return versionBase === undefined ? { configPath, configName } : { configPath, configName, versionBase };
}

function configPathDir(configPath: string, entryFile: string, cwd: string): string {
  if (path.isAbsolute(configPath)) return configPath;
  const fromCwd = path.resolve(cwd, configPath);
  return existsSync(fromCwd) ? fromCwd : path.resolve(path.dirname(entryFile), configPath);
}
