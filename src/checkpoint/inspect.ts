/**
 * What `inspect` reports and `stage` checks first: a checkpoint folder read (scan.ts) and judged
 * (report.ts), plus what a warm start from its critic would restore with each --carry (preview.ts).
 */
import { warmStartPreview } from './preview.js';
import { buildReport } from './report.js';
import type { InspectReport } from './reportTypes.js';
import { scanCheckpoint } from './scan.js';

export async function inspectCheckpoint(path: string): Promise<InspectReport> {
  const report = buildReport(await scanCheckpoint(path));
  return { ...report, warmStart: warmStartPreview(report.step?.critic) };
}
