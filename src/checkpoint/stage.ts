/**
 * Builds `<out>/global_step_0/critic/` from a checkpoint's critic: hard links where the filesystem
 * allows (instant, no extra space), copies otherwise or with `copy: true`. Everything is built in
 * a temp folder beside `<out>` (named by io/temp.ts) and renamed into place at the end, so `<out>`
 * either does not exist or is complete:
 *
 * - on an error or SIGINT/SIGTERM/SIGHUP the temp folder is removed;
 * - a SIGKILL (or a power cut) cannot be caught and leaves the temp folder behind, `<out>` still
 *   absent; the next `stage` into the same `<out>` removes such leftovers when their process is
 *   gone and they hold nothing but what `stage` puts there (removeStaleStages).
 *
 * The source is only read: links and copies never move or rewrite a source file. (A hard link
 * does update the source's link count and ctime; its bytes and mtime stay as they were.)
 */
import { constants, readdirSync, rmSync } from 'node:fs';
import { access, copyFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ToolError, badInput, refusal } from '../errors.js';
import { describeFsError, errnoCode } from '../io/fsErrors.js';
import { isProcessAlive, removeOnSignal, tempPathFor, tempsOf } from '../io/temp.js';
import { STAGED_STEP_DIR } from './layout.js';
import type { Carried, Carry, Inherited } from './carry.js';
import type { Launch } from './warmStartLaunch.js';
import { planStage, type StageOptions, type StagePlan } from './stagePlan.js';
import type { Backend, ReportWarning } from './reportTypes.js';
import type { FileEntry } from './scan.js';

export type { StageOptions } from './stagePlan.js';

export interface StageProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** The file being copied right now (links are instant), so a progress line can show its growth. */
  copying: { dest: string; size: number } | null;
}

export interface StageRunOptions extends StageOptions {
  onProgress?: (progress: StageProgress) => void;
  /** Clean up on SIGINT/SIGTERM/SIGHUP (the CLI sets this; library callers own their signals). */
  handleSignals?: boolean;
  /** Called on such a signal before the temp folder is removed, e.g. to end a progress line. */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** Test seam: runs before each file is staged; a throw fails the stage as a real error would. */
  beforeFile?: (relPath: string, index: number) => void | Promise<void>;
}

export type StageMethod = 'link' | 'copy' | 'mixed';

export interface StageResult {
  source: { stepPath: string; step: number | null; criticPath: string; criticFolder: string };
  out: string;
  /** What `trainer.resume_from_path` must point to. */
  resumeFrom: string;
  criticDest: string;
  backend: Backend;
  /** The layout family of the critic (families.ts). */
  layout: { id: string; label: string; savedBy: string };
  worldSize: number | null;
  /** Megatron's parallel layout where the files record it. */
  parallel: StagePlan['critic']['parallel'];
  /** Files in the staged folder: linked or copied, plus `written`. */
  files: number;
  bytes: number;
  linked: number;
  copied: number;
  /** Metadata written anew to match what was staged (fsdp_config.json, ckpt_contents.json). */
  written: string[];
  /** How the new run skips the actor: patch (trainer.load_critic_only) or overrides (the actor's load_contents=[]); route.ts. */
  route: Launch['route'];
  /** How to launch the new run, what to look for in its log, how to resume it later. */
  launch: Launch;
  /** What the new run's critic takes from the old one (carry.ts): weights, optimizer or all. */
  carry: Carry;
  /** The saved state that carries over, in words. */
  carries: Carried[];
  /** The new run's settings the old state overrides, by name; empty when only weights carry over. */
  inherits: Inherited[];
  /** The VeRL checkout the overrides were checked against (--verl). */
  verl: { root: string; release: string; configFile: string | null } | null;
  method: StageMethod;
  warnings: ReportWarning[];
  notes: string[];
  /** Leftovers of earlier interrupted stages into the same `<out>` that were removed. */
  removedLeftovers: string[];
  /** `<out>` already held exactly this critic staged (checkpoint/outFolder.ts): nothing was written. */
  alreadyStaged: boolean;
}

export async function stageCritic(source: string, out: string, options: StageRunOptions = {}): Promise<StageResult> {
  const plan = await planStage(source, out, options);
  const outPath = plan.out;
  await mkdir(path.dirname(outPath), { recursive: true }).catch((error: unknown) => {
    throw badInput(out, `cannot create its parent folder (${describeFsError(error)})`);
  });
  const { removed, kept } = removeStaleStages(outPath);
  const warnings = [...plan.warnings];
  for (const leftover of kept) {
    warnings.push({
      code: 'leftover-temp',
      level: 'warning',
      scope: 'out',
      path: leftover,
      message: 'looks like the temp folder of another stage into the same folder (still running, or from another host); left alone',
    });
  }
  if (plan.criticFolder !== 'critic') {
    warnings.push({
      code: 'role-case',
      level: 'warning',
      scope: 'critic',
      folder: plan.criticFolder,
      path: plan.criticPath,
      message: `VeRL reads lowercase critic/ only; staged this ${plan.criticFolder}/ as critic/ (the source keeps its name)`,
    });
  }

  const resultOf = (counts: { linked: number; copied: number }): StageResult => {
    const resumeFrom = path.join(outPath, STAGED_STEP_DIR);
    return {
      source: { stepPath: plan.stepPath, step: plan.step, criticPath: plan.criticPath, criticFolder: plan.criticFolder },
      out: outPath,
      resumeFrom,
      criticDest: path.join(resumeFrom, 'critic'),
      backend: plan.backend,
      layout: { id: plan.layout.id, label: plan.layout.label, savedBy: plan.layout.savedBy },
      worldSize: plan.worldSize,
      parallel: plan.critic.parallel,
      files: plan.files.length + plan.generated.length,
      bytes: plan.bytes,
      ...counts,
      written: plan.generated.map((g) => g.relPath),
      route: plan.launch.route,
      launch: plan.launch,
      carry: plan.launch.carry.carry,
      carries: plan.launch.carry.carries,
      inherits: plan.launch.carry.inherits,
      verl: plan.verl ? { root: plan.verl.root, release: plan.verl.release.text, configFile: plan.verl.configFile } : null,
      method: counts.copied === 0 ? 'link' : counts.linked === 0 ? 'copy' : 'mixed',
      warnings,
      notes: plan.notes,
      removedLeftovers: removed,
      alreadyStaged: plan.alreadyStaged !== null,
    };
  };
  // The same stage run again (a launch script run twice): <out> is already what it would build.
  if (plan.alreadyStaged) return resultOf(plan.alreadyStaged);

  const temp = tempPathFor(outPath);
  const release = options.handleSignals ? removeOnSignal(temp, options.onSignal) : () => {};
  try {
    const counts = await buildInTemp(plan, temp, out, options);
    await moveIntoPlace(temp, outPath, out);
    return resultOf(counts);
  } catch (error) {
    await rm(temp, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  } finally {
    release();
  }
}

async function buildInTemp(
  plan: StagePlan,
  temp: string,
  shownOut: string,
  options: StageRunOptions,
): Promise<{ linked: number; copied: number }> {
  const criticDest = path.join(temp, STAGED_STEP_DIR, 'critic');
  await mkdir(criticDest, { recursive: true }).catch((error: unknown) => {
    throw refusal(path.dirname(temp), `cannot create a folder here (${describeFsError(error)})`);
  });
  for (const dir of plan.dirs) await mkdir(path.join(criticDest, dir), { recursive: true });

  const progress: StageProgress = {
    filesDone: 0,
    filesTotal: plan.files.length,
    bytesDone: 0,
    bytesTotal: plan.files.reduce((sum, f) => sum + f.size, 0),
    copying: null,
  };
  options.onProgress?.({ ...progress });
  const transfer = new Transfer(options.copy ?? false, shownOut);
  for (const [index, file] of plan.files.entries()) {
    await options.beforeFile?.(file.relPath, index);
    const dest = path.join(criticDest, file.relPath);
    await transfer.stage(file, dest, () => options.onProgress?.({ ...progress, copying: { dest, size: file.size } }));
    progress.filesDone++;
    progress.bytesDone += file.size;
    options.onProgress?.({ ...progress });
  }
  for (const file of plan.generated) {
    await writeFile(path.join(criticDest, file.relPath), file.content, { flag: 'wx' }).catch((error: unknown) => {
      throw refusal(shownOut, `cannot write global_step_0/critic/${file.relPath} (${describeFsError(error)}); nothing was staged`);
    });
  }
  return { linked: transfer.linked, copied: transfer.copied };
}

/** Errors of link(2) that mean "this filesystem or file cannot be hard-linked": copy instead. */
const LINK_UNSUPPORTED = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EACCES', 'ENOSYS']);

/** Links or copies one file at a time, falling back to copies for good once links fail. */
class Transfer {
  linked = 0;
  copied = 0;
  private linksWork: boolean;

  constructor(
    copy: boolean,
    /** `<out>` as the user wrote it: errors name it, not the temp folder that is removed. */
    private readonly shownOut: string,
  ) {
    this.linksWork = !copy;
  }

  async stage(file: FileEntry, dest: string, onCopyStart: () => void): Promise<void> {
    if (this.linksWork) {
      try {
        await link(file.source, dest);
        this.linked++;
        return;
      } catch (error) {
        if (!LINK_UNSUPPORTED.has(errnoCode(error))) throw await blame(error, file, this.shownOut);
        // EMLINK is about this one file (too many links to it); the others are about the filesystem.
        if (errnoCode(error) !== 'EMLINK') this.linksWork = false;
      }
    }
    onCopyStart();
    try {
      // FICLONE makes a copy-on-write clone where the filesystem can (btrfs, XFS), a plain copy elsewhere.
      await copyFile(file.source, dest, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      this.copied++;
    } catch (error) {
      throw await blame(error, file, this.shownOut);
    }
  }
}

/** Unreadable source files are bad input (exit 2); failures to write (disk full...) are exit 1. */
async function blame(error: unknown, file: FileEntry, shownOut: string): Promise<ToolError> {
  const code = errnoCode(error);
  const readable = await access(file.source, constants.R_OK).then(
    () => true,
    () => false,
  );
  if (!readable || code === 'ENOENT') return badInput(file.source, `cannot read (${describeFsError(error)})`);
  return refusal(shownOut, `cannot write global_step_0/critic/${file.relPath} (${describeFsError(error)}); nothing was staged`);
}

async function moveIntoPlace(temp: string, outPath: string, shown: string): Promise<void> {
  try {
    // Atomic on one filesystem; replaces `<out>` only if it is an empty folder.
    await rename(temp, outPath);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
      throw badInput(shown, 'was created by something else while staging and is not empty: nothing was staged');
    }
    throw refusal(shown, `cannot rename the staged folder into place (${describeFsError(error)})`);
  }
}

/**
 * Removes the temp folders that an earlier, killed `stage` into the same `<out>` left behind.
 * Returns the removed paths, and the ones left alone (a live run's, another host's, or holding
 * something `stage` does not put there) so the caller can mention them.
 */
export function removeStaleStages(out: string, alive: (pid: number) => boolean = isProcessAlive): { removed: string[]; kept: string[] } {
  const removed: string[] = [];
  const kept: string[] = [];
  for (const temp of tempsOf(out, alive)) {
    if (temp.stale && holdsOnlyStagedStep(temp.path)) {
      rmSync(temp.path, { recursive: true, force: true, maxRetries: 3 });
      removed.push(temp.path);
    } else {
      kept.push(temp.path);
    }
  }
  return { removed, kept };
}

/** A safety check before a recursive delete: the folder holds at most `global_step_0/`. */
function holdsOnlyStagedStep(folder: string): boolean {
  try {
    return readdirSync(folder).every((name) => name === STAGED_STEP_DIR);
  } catch {
    return false;
  }
}
