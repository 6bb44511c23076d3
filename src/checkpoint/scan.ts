/**
 * Reads a checkpoint folder from disk into plain data (listings). No judgement here: what the
 * listing means (world sizes, warnings) is decided by report.ts, so that stays testable without
 * a filesystem, and `stage` plans its work from the very same listing `inspect` shows.
 */
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { badInput } from '../errors.js';
import { describeFsError, errnoCode } from '../io/fsErrors.js';
import {
  CKPT_CONTENTS_FILE,
  DATA_FILE,
  DIST_METADATA_FILE,
  FSDP_CONFIG_FILE,
  MCORE_DIRS,
  MEGATRON_DIR,
  TRANSFORMER_CONFIG_FILE,
  ROLES,
  TRACKER_FILE,
  chooseLatestStep,
  parseShardName,
  parseStepDirName,
  parseTracker,
  readDistMetadata,
  type DistMetadataFacts,
  type LatestStepSource,
  type Role,
} from './layout.js';

/** One regular file below a role folder. */
export interface FileEntry {
  /** Path relative to the role folder, with `/` separators. */
  relPath: string;
  size: number;
  /** What to link or copy: the file itself, or the target of a symlink (a link to a symlink would dangle elsewhere). */
  source: string;
}

export interface TreeListing {
  /** Folders relative to the role folder, parents before children. */
  dirs: string[];
  files: FileEntry[];
  bytes: number;
  /** Entries that cannot be staged: dangling symlinks, unreadable folders, sockets, symlink loops. */
  problems: { relPath: string; reason: string }[];
}

export interface RoleListing {
  role: Role;
  /** The name on disk: `critic`, or a case variant such as `Critic`. */
  name: string;
  path: string;
  /** Names of the files and folders directly inside (after following symlinks). */
  topFiles: string[];
  topDirs: string[];
  tree: TreeListing;
  /**
   * The small JSON files at the folder's top that tell layouts apart (fsdp_config.json,
   * transformer_config.json, ckpt_contents.json), by name: the text, or null when present but
   * unreadable. Absent files have no entry.
   */
  jsonTexts: Record<string, string | null>;
  /**
   * What each dist_ckpt/ folder's .metadata says, by the folder's path relative to the role
   * folder (`dist_ckpt`, `model/dist_ckpt`...): null when the .metadata cannot be read.
   */
  distMetadata: Record<string, DistMetadataFacts | null>;
}

export interface StepListing {
  path: string;
  /** Basename, e.g. `global_step_120`. */
  name: string;
  /** The step number from the name, or null when the name is not `global_step_<N>`. */
  step: number | null;
  dataPt: boolean;
  /** Folders whose name is the role in any letter case; the exact lowercase one is what VeRL reads. */
  roles: Record<Role, RoleListing[]>;
}

export interface RunListing {
  path: string;
  tracker: { raw: string; step: number | null } | null;
  steps: number[];
  latest: { step: number | null; source: LatestStepSource };
}

export type CheckpointListing =
  | { kind: 'run'; path: string; run: RunListing; step: StepListing | null }
  | { kind: 'step'; path: string; run: null; step: StepListing };

/** Names only a role folder (actor/, critic/) holds at its top. */
const ROLE_MARKERS = [FSDP_CONFIG_FILE, MEGATRON_DIR, TRANSFORMER_CONFIG_FILE, CKPT_CONTENTS_FILE];
/** Layout JSON files are a few KiB; anything far larger is not one, and is not read whole. */
const MAX_JSON_BYTES = 1 << 20;
/** A .metadata indexes every tensor of the model and optimizer: megabytes for large models. */
const MAX_METADATA_BYTES = 512 << 20;

interface DirEntryInfo {
  name: string;
  isDir: boolean;
  isFile: boolean;
}

/**
 * Lists a run folder (`default_local_dir`) or one step folder. A path that is neither is bad
 * input (exit 2), with a hint when it is a role folder one level too deep.
 */
export async function scanCheckpoint(inputPath: string): Promise<CheckpointListing> {
  const absolute = path.resolve(inputPath);
  await requireDirectory(inputPath, absolute);
  const entries = await listDir(inputPath, absolute);
  const names = new Set(entries.map((e) => e.name));

  const stepDirs = entries.filter((e) => e.isDir && parseStepDirName(e.name) !== null);
  if (parseStepDirName(path.basename(absolute)) !== null) {
    return { kind: 'step', path: absolute, run: null, step: await scanStep(absolute, entries) };
  }
  if (names.has(TRACKER_FILE) || stepDirs.length > 0) {
    return scanRun(absolute, stepDirs.map((e) => e.name));
  }
  const looksLikeStep =
    names.has(DATA_FILE) || entries.some((e) => e.isDir && ROLES.includes(e.name.toLowerCase() as Role));
  if (looksLikeStep) {
    return { kind: 'step', path: absolute, run: null, step: await scanStep(absolute, entries) };
  }
  const looksLikeRole =
    ROLE_MARKERS.some((name) => names.has(name)) ||
    (names.has(MCORE_DIRS.model) && [MCORE_DIRS.optim, MCORE_DIRS.rng, MCORE_DIRS.optimizer, MCORE_DIRS.extra].some((n) => names.has(n))) ||
    entries.some((e) => parseShardName(e.name));
  if (looksLikeRole) {
    throw badInput(
      inputPath,
      'this is a role folder (actor/ or critic/); pass the global_step_N folder above it, or the run folder',
    );
  }
  throw badInput(
    inputPath,
    `not a VeRL checkpoint folder: no global_step_* folders, no ${TRACKER_FILE}, no actor/ or critic/`,
  );
}

async function scanRun(runPath: string, stepDirNames: string[]): Promise<CheckpointListing> {
  const tracker = await readTracker(runPath);
  const steps = stepDirNames.map((name) => parseStepDirName(name)!).sort((a, b) => a - b);
  const latest = chooseLatestStep(tracker?.step ?? null, steps);
  let step: StepListing | null = null;
  if (latest.step !== null) {
    // Several names can parse to the same number (global_step_5, global_step_05): prefer the canonical one.
    const name = stepDirNames.includes(`global_step_${latest.step}`)
      ? `global_step_${latest.step}`
      : stepDirNames.find((n) => parseStepDirName(n) === latest.step)!;
    const stepPath = path.join(runPath, name);
    step = await scanStep(stepPath, await listDir(stepPath, stepPath));
  }
  return { kind: 'run', path: runPath, run: { path: runPath, tracker, steps, latest }, step };
}

async function readTracker(runPath: string): Promise<RunListing['tracker']> {
  try {
    const raw = await readFile(path.join(runPath, TRACKER_FILE), 'utf8');
    return { raw, step: parseTracker(raw) };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    // A tracker that exists but cannot be read is reported like a malformed one.
    return { raw: '', step: null };
  }
}

async function scanStep(stepPath: string, entries: DirEntryInfo[]): Promise<StepListing> {
  const name = path.basename(stepPath);
  const roles: Record<Role, RoleListing[]> = { actor: [], critic: [] };
  for (const role of ROLES) {
    // Exact name first, so callers can take roles[role][0] when it is the lowercase one.
    const matching = entries
      .filter((e) => e.isDir && e.name.toLowerCase() === role)
      .sort((a, b) => Number(b.name === role) - Number(a.name === role) || byName(a.name, b.name));
    for (const entry of matching) roles[role].push(await scanRole(role, path.join(stepPath, entry.name)));
  }
  return {
    path: stepPath,
    name,
    step: parseStepDirName(name),
    dataPt: entries.some((e) => e.isFile && e.name === DATA_FILE),
    roles,
  };
}

async function scanRole(role: Role, rolePath: string): Promise<RoleListing> {
  const top = await listDir(rolePath, rolePath);
  const tree = await walkTree(rolePath);
  const jsonTexts: Record<string, string | null> = {};
  for (const name of [FSDP_CONFIG_FILE, TRANSFORMER_CONFIG_FILE, CKPT_CONTENTS_FILE]) {
    const entry = tree.files.find((f) => f.relPath === name);
    if (entry) jsonTexts[name] = entry.size > MAX_JSON_BYTES ? null : await readFile(entry.source, 'utf8').catch(() => null);
  }
  const distMetadata: Record<string, DistMetadataFacts | null> = {};
  for (const file of tree.files) {
    const dir = path.posix.dirname(file.relPath);
    if (path.posix.basename(file.relPath) !== DIST_METADATA_FILE || path.posix.basename(dir) !== MEGATRON_DIR) continue;
    const bytes = file.size > MAX_METADATA_BYTES ? null : await readFile(file.source).catch(() => null);
    distMetadata[dir] = bytes ? readDistMetadata(bytes) : null;
  }
  return {
    role,
    name: path.basename(rolePath),
    path: rolePath,
    topFiles: top.filter((e) => e.isFile).map((e) => e.name).sort(),
    topDirs: top.filter((e) => e.isDir).map((e) => e.name).sort(),
    tree,
    jsonTexts,
    distMetadata,
  };
}

/**
 * Every file below `root`, following symlinks (a checkpoint's huggingface/ folder is sometimes a
 * link into a model cache). Loops are cut by remembering the real path of each folder entered.
 */
export async function walkTree(root: string): Promise<TreeListing> {
  const listing: TreeListing = { dirs: [], files: [], bytes: 0, problems: [] };
  const seen = new Set<string>([await realpath(root)]);

  async function visit(dir: string, rel: string): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (error) {
      listing.problems.push({ relPath: rel || '.', reason: `cannot list folder (${describeFsError(error)})` });
      return;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      let info;
      let isLink = false;
      try {
        isLink = (await lstat(full)).isSymbolicLink();
        info = await stat(full);
      } catch (error) {
        const reason = isLink ? 'dangling symlink' : `cannot read (${describeFsError(error)})`;
        listing.problems.push({ relPath, reason });
        continue;
      }
      if (info.isDirectory()) {
        const real = await realpath(full);
        if (seen.has(real)) {
          listing.problems.push({ relPath, reason: 'symlink loop' });
          continue;
        }
        seen.add(real);
        listing.dirs.push(relPath);
        await visit(full, relPath);
      } else if (info.isFile()) {
        listing.files.push({ relPath, size: info.size, source: isLink ? await realpath(full) : full });
        listing.bytes += info.size;
      } else {
        listing.problems.push({ relPath, reason: 'not a regular file or folder' });
      }
    }
  }

  await visit(root, '');
  return listing;
}

async function requireDirectory(shown: string, absolute: string): Promise<void> {
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    throw badInput(shown, errnoCode(error) === 'ENOENT' ? 'no such file or folder' : `cannot read (${describeFsError(error)})`);
  }
  if (!info.isDirectory()) throw badInput(shown, 'not a folder: pass a run folder or a global_step_N folder');
}

/** Directory entries with symlinks resolved (a symlinked step or role folder counts as a folder). */
async function listDir(shown: string, dir: string): Promise<DirEntryInfo[]> {
  let dirents;
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw badInput(shown, `cannot list folder (${describeFsError(error)})`);
  }
  const out: DirEntryInfo[] = [];
  for (const dirent of dirents) {
    let isDir = dirent.isDirectory();
    let isFile = dirent.isFile();
    if (dirent.isSymbolicLink()) {
      const target = await stat(path.join(dir, dirent.name)).catch(() => null);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    out.push({ name: dirent.name, isDir, isFile });
  }
  return out.sort((a, b) => byName(a.name, b.name));
}

/** Code-unit order, the same on every machine (localeCompare depends on the locale). */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
