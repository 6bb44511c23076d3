/**
 * A single self-rewriting status line for long stages, on a terminal only: a log file or a pipe
 * gets nothing, because carriage-return updates turn into thousands of lines there.
 */
import { statSync } from 'node:fs';
import type { StageProgress } from '../checkpoint/stage.js';
import { formatBytes } from './bytes.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressLine {
  update(progress: StageProgress): void;
  /** Erases the line, so what follows starts on a clean line. */
  finish(): void;
}

const NOOP: ProgressLine = { update() {}, finish() {} };

/**
 * Redraws at most every `intervalMs`. While one large file is being copied, a timer redraws too,
 * reading the size the copy has reached so far, so a 10 GiB shard does not look like a hang.
 */
export function createProgressLine(stream: ProgressStream, label: string, intervalMs = 100): ProgressLine {
  if (!stream.isTTY) return NOOP;
  let latest: StageProgress | null = null;
  let lastDraw = 0;
  let drawn = false;

  const draw = () => {
    if (!latest) return;
    lastDraw = Date.now();
    drawn = true;
    const text = renderProgress(label, latest, partialBytes(latest));
    // A pseudo-terminal without a size reports 0 columns.
    const width = Math.max(20, (stream.columns || 80) - 1);
    stream.write(`\r\x1b[2K${text.length > width ? text.slice(0, width) : text}`);
  };
  const timer = setInterval(() => {
    if (latest?.copying) draw();
  }, Math.max(intervalMs, 250));
  timer.unref();

  return {
    update(progress) {
      latest = progress;
      const finished = progress.filesDone === progress.filesTotal;
      if (finished || Date.now() - lastDraw >= intervalMs) draw();
    },
    finish() {
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
      latest = null;
    },
  };
}

export function renderProgress(label: string, p: StageProgress, extraBytes = 0): string {
  const bytes = Math.min(p.bytesTotal, p.bytesDone + extraBytes);
  const percent = p.bytesTotal > 0 ? Math.floor((bytes / p.bytesTotal) * 100) : p.filesTotal > 0 ? Math.floor((p.filesDone / p.filesTotal) * 100) : 100;
  return `${label}: ${p.filesDone}/${p.filesTotal} files, ${formatBytes(bytes)} of ${formatBytes(p.bytesTotal)} (${percent}%)`;
}

function partialBytes(p: StageProgress): number {
  if (!p.copying) return 0;
  try {
    return Math.min(p.copying.size, statSync(p.copying.dest).size);
  } catch {
    return 0;
  }
}
