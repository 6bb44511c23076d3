/**
 * The Python the tool was started from, when it was started by the PyPI package's launcher
 * (pypi/verl_critic_patch: it sets VERL_CRITIC_PATCH_PYTHON to its sys.executable, unless the
 * variable is already set). Installed with pip into the virtual environment that runs VeRL, that
 * interpreter imports the VeRL of the new run: `check --applied`, `apply`, `revert`, `stage` and `preflight`
 * (overrides alone) use it when their command line names no VeRL (no target path, no --verl, no
 * --python, no interpreter in the launch), and say so in one note line.
 *
 * Never a silent guess between two VeRLs: when the working folder, or a folder above it, holds a
 * VeRL (a checkout, a verl/ package folder, a site-packages folder) that is not the one that
 * Python imports, the run stops (exit 2) and names both. An explicit target always wins, and the
 * npm install (no launcher, no variable) keeps asking for one.
 */

export const LAUNCHER_PYTHON_ENV = 'VERL_CRITIC_PATCH_PYTHON';

/** The launcher's interpreter, if the tool was started by the Python launcher (or the variable was set). */
export function launcherPython(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[LAUNCHER_PYTHON_ENV];
  return value === undefined || value === '' ? undefined : value;
}
