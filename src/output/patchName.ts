/**
 * The file name `diff --output FOLDER` writes, named after what the patch is for, the way
 * patch-package names patches after package versions:
 *   - checkouts (all of one VeRL release): `verl-<release>-load-critic-only.patch`, with the release
 *     from `verl/version/version`, or `verl-unknown-load-critic-only.patch` when there is none;
 *   - one trainer file: `<file stem>-load-critic-only.patch` (`ray_trainer-load-critic-only.patch`);
 *   - anything else (several files, several releases): `load-critic-only.patch`.
 */
import { basename, extname } from 'node:path';
import type { RunResult } from '../run.js';

export const PATCH_SUFFIX = 'load-critic-only.patch';

/** Keep a name component safe on every file system: letters, digits, `.`, `_`, `+`, `-`. */
function safe(component: string): string {
  return component.replace(/[^A-Za-z0-9._+-]+/g, '-').replace(/^[.-]+|-+$/g, '') || 'unknown';
}

export function patchFileName(result: Pick<RunResult, 'checkouts' | 'files'>): string {
  const looseFiles = result.files.filter((file) => !file.checkout);
  if (result.checkouts.length > 0 && looseFiles.length === 0) {
    const releases = new Set(result.checkouts.map((checkout) => checkout.version ?? 'unknown'));
    if (releases.size === 1) return `verl-${safe([...releases][0]!)}-${PATCH_SUFFIX}`;
  }
  if (result.checkouts.length === 0 && looseFiles.length === 1) {
    const file = basename(looseFiles[0]!.path);
    return `${safe(file.slice(0, file.length - extname(file).length))}-${PATCH_SUFFIX}`;
  }
  return PATCH_SUFFIX;
}
