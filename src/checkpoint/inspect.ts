/** What `inspect` reports and `stage` checks first: a checkpoint folder read (scan.ts) and judged (report.ts). */
import { buildReport, type InspectReport } from './report.js';
import { scanCheckpoint } from './scan.js';

export async function inspectCheckpoint(path: string): Promise<InspectReport> {
  return buildReport(await scanCheckpoint(path));
}
