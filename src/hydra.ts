/**
 * The Hydra overrides that start a critic warm start, written for a shell, for every verb that
 * prints them (apply, stage). VeRL composes its config with Hydra in struct mode: a plain
 * `trainer.load_critic_only=true` passes only where the trainer YAML declares the key (which
 * `apply` on a checkout adds); `++trainer.load_critic_only=true` works whether it does or not, and
 * `+trainer.load_critic_only=true` fails once it does. Paths are quoted so they paste into a shell
 * and survive Hydra's override parser even with spaces or other special characters.
 */

/** The flag, spelled for a config that declares the key or for one that may not. */
export function flagOverride(keyDeclared: boolean): string {
  return `${keyDeclared ? '' : '++'}trainer.load_critic_only=true`;
}

/** A value to print as it is, for the user to fill in (`<staged folder>/global_step_0`), not a real path. */
export interface Placeholder {
  placeholder: string;
}

/**
 * The overrides to add to a VeRL launch command, as shell words: resume from the staged step
 * folder (`resume_from_path` must name a `global_step_N` folder), and skip the actor's load.
 */
export function warmStartOverrides(resumeFrom: string | Placeholder, keyDeclared: boolean): string[] {
  const path = typeof resumeFrom === 'string' ? shellWord(hydraOverride('trainer.resume_from_path', resumeFrom)) : `trainer.resume_from_path=${resumeFrom.placeholder}`;
  return ['trainer.resume_mode=resume_path', path, flagOverride(keyDeclared)];
}

/** Characters Hydra and POSIX shells both take literally in an unquoted value. */
const PLAIN = /^[A-Za-z0-9_./:@+-]*$/;

/** A Hydra override `key=value`, with the value in Hydra quotes when it needs them. */
export function hydraOverride(key: string, value: string): string {
  if (PLAIN.test(value)) return `${key}=${value}`;
  return `${key}='${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * One shell word: unchanged when safe; else in double quotes when nothing inside would expand
 * (reads best around Hydra's single quotes); else single-quoted, a quote inside becoming '\''.
 */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./:@+=,-]+$/.test(word)) return word;
  if (!/[$`"\\!]/.test(word)) return `"${word}"`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
