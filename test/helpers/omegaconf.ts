/**
 * Runs test/harness/omegaconf_check.py with /usr/bin/python3 (OMEGACONF_PYTHON): loads a YAML
 * with OmegaConf in struct mode and merges `trainer.load_critic_only=true`, the way Hydra applies
 * a command-line override to VeRL's config. Tests using it skip where python3-omegaconf is
 * missing: `it.skipIf(lacks(OMEGACONF))` (test/helpers/systemPackages.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OMEGACONF_PYTHON as PYTHON } from './systemPackages.js';

export const OMEGACONF_CHECK = resolve(dirname(fileURLToPath(import.meta.url)), '../harness/omegaconf_check.py');
const INSTALL_HINT = 'apt-get install -y python3-omegaconf';

export interface OmegaConfResult {
  mergeOk: boolean;
  error: string | null;
  /** trainer.load_critic_only as loaded from the file, null when the key is missing. */
  defaultValue: unknown;
  hasKey: boolean;
  mergedValue: unknown;
}

/**
 * Check a YAML file on disk; with `searchpath`, compose it first through its defaults list the way
 * Hydra would, from those config folders (see omegaconf_check.py for the subset handled).
 */
export function omegaConfCheckFile(path: string, override = 'trainer.load_critic_only=true', searchpath?: string[]): OmegaConfResult {
  const compose = searchpath ? ['--compose', searchpath.join(':')] : [];
  const run = spawnSync(PYTHON, [OMEGACONF_CHECK, path, override, ...compose], { encoding: 'utf8' });
  if (run.error) throw run.error;
  if (run.status === 3) throw new Error(`${run.stderr.trim()} (${INSTALL_HINT})`);
  if (run.status !== 0) throw new Error(`omegaconf_check.py failed (${run.status}) on ${path}: ${run.stderr}`);
  return JSON.parse(run.stdout) as OmegaConfResult;
}

/** Check YAML text, written byte for byte to a temporary file named like `name`. */
export function omegaConfCheckText(text: string, name: string, override?: string): OmegaConfResult {
  const dir = mkdtempSync(join(tmpdir(), 'vcp-omegaconf-'));
  try {
    const file = join(dir, basename(name));
    writeFileSync(file, text, 'utf8');
    return omegaConfCheckFile(file, override);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
