/**
 * Colour for terminals, and only for terminals: a diff is coloured when stdout is a TTY (or
 * FORCE_COLOR asks for it), never when NO_COLOR is set, and `--color always|never` overrides
 * both. Files written with `--output` and `--json` documents are never coloured.
 */
export type ColorMode = 'auto' | 'always' | 'never';

export const COLOR_MODES: readonly ColorMode[] = ['auto', 'always', 'never'];

interface Stream {
  isTTY?: boolean;
}

/**
 * Whether to colour what goes to `stream`. Precedence: `--color always|never`; then NO_COLOR
 * (any non-empty value: no colour, https://no-color.org); then FORCE_COLOR (non-empty and not
 * `0` or `false`: colour); then whether the stream is a terminal (and TERM is not `dumb`).
 */
export function useColor(mode: ColorMode, stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

const ESC = '\u001b[';
const RESET = `${ESC}0m`;
export const STYLES = {
  bold: `${ESC}1m`,
  red: `${ESC}31m`,
  green: `${ESC}32m`,
  yellow: `${ESC}33m`,
  cyan: `${ESC}36m`,
} as const;

export type Style = keyof typeof STYLES;

/** Wrap `text` in a style; a trailing `\r` (CRLF files) stays outside so terminals show it as before. */
export function paint(text: string, style: Style): string {
  if (text === '') return text;
  const cr = text.endsWith('\r') ? '\r' : '';
  return `${STYLES[style]}${cr ? text.slice(0, -1) : text}${RESET}${cr}`;
}

/**
 * Colour a unified diff the way git does: bold file headers, cyan hunk headers, red removed and
 * green added lines. Context lines and `\ No newline at end of file` are left as they are.
 */
export function colorDiff(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('diff ') || line.startsWith('--- ') || line.startsWith('+++ ') || line.startsWith('index ') || line.startsWith('===')) {
        return paint(line, 'bold');
      }
      if (line.startsWith('@@')) return paint(line, 'cyan');
      if (line.startsWith('-')) return paint(line, 'red');
      if (line.startsWith('+')) return paint(line, 'green');
      return line;
    })
    .join('\n');
}

/** Remove ANSI colour sequences (for tests and for anything that must stay plain). */
export function stripColor(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
