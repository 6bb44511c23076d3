/**
 * The file name `diff --output FOLDER` writes, named after what the patch is for, the way
 * patch-package names patches after package versions:
 *   - checkouts (all of one VeRL release): `verl-<release>-load-critic-only.patch`, with the release
 *     from `verl/version/version`, or `verl-unknown-load-critic-only.patch` when there is none;
 *   - one trainer file: `<file stem>-load-critic-only.patch` (`ray_trainer-load-critic-only.patch`);
 *   - anything else (several files, several releases): `load-critic-only.patch`;
 *   - a run narrowed by --only or --exclude gets that part in its name
 *     (`verl-0.9.0-ray_trainer-load-critic-only.patch`), so it never overwrites the whole patch.
 */
import { basename, extname } from 'node:path';

export const PATCH_SUFFIX = 'load-critic-only.patch';

/** Keep a name component safe on every file system: letters, digits, `.`, `_`, `+`, `-`. */
function safe(component: string): string {
  return component.replace(/[^A-Za-z0-9._+-]+/g, '-').replace(/^[.-]+|-+$/g, '') || 'unknown';
}

/**
 * `releases`: the VeRL release of each checkout of the run (undefined where it has no version
 * file); `looseFiles`: the paths of the files named on the command line, outside any checkout;
 * `part`: what a narrowed run covers (the --only file, or "partial").
 */
export function patchFileName(releases: readonly (string | undefined)[], looseFiles: readonly string[], part?: string): string {
  if (releases.length > 0 && looseFiles.length === 0) {
    const distinct = new Set(releases.map((release) => release ?? 'unknown'));
    const narrowed = part === undefined ? '' : `${safe(stem(part))}-`;
    if (distinct.size === 1) return `verl-${safe([...distinct][0]!)}-${narrowed}${PATCH_SUFFIX}`;
    if (part !== undefined) return `${narrowed}${PATCH_SUFFIX}`;
  }
  if (releases.length === 0 && looseFiles.length === 1) return `${safe(stem(looseFiles[0]!))}-${PATCH_SUFFIX}`;
  return PATCH_SUFFIX;
}

function stem(path: string): string {
  const file = basename(path);
  return file.slice(0, file.length - extname(file).length);
}
