/**
 * The overrides that start a new run from a staged critic, quoted so they paste into a shell and
 * survive Hydra's override parser even when the path has spaces or other special characters.
 */

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

export interface NextCommand {
  /** The overrides as shell words, ready to append to a VeRL launch command. */
  overrides: string[];
  /** The same, with `++` so Hydra adds the key where the config does not declare it. */
  overridesPlusPlus: string[];
}

export function nextCommand(resumeFrom: string): NextCommand {
  const base = ['trainer.resume_mode=resume_path', hydraOverride('trainer.resume_from_path', resumeFrom)];
  return {
    overrides: [...base, 'trainer.load_critic_only=true'].map(shellWord),
    overridesPlusPlus: [...base, '++trainer.load_critic_only=true'].map(shellWord),
  };
}
