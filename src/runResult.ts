/**
 * What one run of a patch verb found (run.ts makes it): the files planned, the ones passed over,
 * the problems that are no one file's. Types only, so that output/ can print a run without
 * importing the run itself (a floor above it).
 */
import type { FileDiff } from './diffText.js';
import type { ExitCode } from './errors.js';
import type { SourceFile } from './io/readSource.js';
import type { Plan, TargetKind } from './plan.js';
import type { Resolution, VerlCopy } from './targets.js';

/** A file that could not be read as text (missing, unreadable, binary, not UTF-8). */
export interface Unreadable {
  status: 'unreadable';
  reason: string;
  line?: undefined;
}

export interface PlannedFile {
  path: string; // as the user would type it: relative to the current directory where possible
  diffPath: string; // relative to the apply root, as in the diff headers
  kind: TargetKind;
  copy: VerlCopy | undefined;
  plan: Plan | Unreadable;
  /** The bytes read, when the file could be read. */
  source: SourceFile | undefined;
  /** The new text and its diff, when the plan is a change. */
  change: { after: string; readonly diff: FileDiff } | undefined;
}

/** What one command-line argument covered. */
export type Scan = Omit<Resolution, 'targets'>;

export interface RunResult {
  scans: Scan[];
  files: PlannedFile[];
  /** Files a scan found and passed over: they hold nothing this tool edits. */
  skipped: { path: string; kind: TargetKind; reason: string }[];
  /** Problems that are not one file's: a folder with no trainer to patch. */
  problems: { path: string; reason: string; exitCode: ExitCode }[];
  /** Why CPython did not judge the trainers (no python3), when it was asked to and could not. */
  unverified?: string;
}
