/**
 * VeRL releases as a checkout's one-line `verl/version/version` names them (`0.2`, `0.3.0` for the
 * 0.3.0 release candidate, `0.3.0.post1`, `0.7.0.dev` for the 0.7.0 tag), ordered, and what the
 * trainer of each does when a run resumes from a folder. Pure.
 */

export interface Release {
  /** As written in the version file, trimmed. */
  text: string;
  /** major, minor, patch, then 0 for a plain (or .dev/.rc) release and N+1 for `.postN`. */
  key: readonly [number, number, number, number];
}

const VERSION_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?(.*)$/;

/** `0.3.0.post1` -> its Release; null when the text is not a version at all. */
export function parseRelease(text: string): Release | null {
  const trimmed = text.trim();
  const match = VERSION_RE.exec(trimmed);
  if (!match) return null;
  const post = /^\.?post(\d+)/.exec(match[4] ?? '');
  return {
    text: trimmed,
    key: [Number(match[1]), Number(match[2]), Number(match[3] ?? 0), post ? Number(post[1]) + 1 : 0],
  };
}

/** Whether `release` is `version` or later (`version` written as in a version file). */
export function atLeast(release: Release, version: string): boolean {
  const other = parseRelease(version)!.key;
  for (let i = 0; i < 4; i++) {
    if (release.key[i]! !== other[i]!) return release.key[i]! > other[i]!;
  }
  return true;
}

/**
 * How the trainer is told which step folder to resume from:
 * - `resume-path`: `trainer.resume_mode=resume_path trainer.resume_from_path=<folder>` (0.3.0.post1 on);
 * - `path-in-resume-mode`: `trainer.resume_mode=<folder>` itself (0.2 to 0.3.0.post0, where
 *   `resume_mode=resume_path` fails the trainer's assert that the value contains `global_step_`).
 */
export type ResumeForm = 'resume-path' | 'path-in-resume-mode';

/** null: the release cannot resume at all (checkpoint resume came in 0.2). */
export function resumeFormOf(release: Release): ResumeForm | null {
  if (!atLeast(release, '0.2')) return null;
  return atLeast(release, '0.3.0.post1') ? 'resume-path' : 'path-in-resume-mode';
}

/**
 * 0.2.x loads `data.pt`, a pickled DataLoader, with no check that it exists, and replaces the new
 * run's dataloader (dataset included) with it; from 0.3.0 on a missing data.pt means a fresh
 * dataloader and a printed warning.
 */
export function requiresDataPt(release: Release): boolean {
  return atLeast(release, '0.2') && !atLeast(release, '0.3.0');
}
