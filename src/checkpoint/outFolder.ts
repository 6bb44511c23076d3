/**
 * `<out>`, the folder `stage` fills: the checks made before any work (checkOut), and whether an
 * `<out>` that already exists holds exactly the critic this stage would build (sameStaged), so
 * that a launch script running the same `stage` twice succeeds the second time ("already staged")
 * instead of failing on a folder it made itself. Reads the disk, never writes.
 *
 * "Exactly that staged critic" means, checked in this order, first difference wins:
 * - `<out>` holds `global_step_0/` and nothing else, which holds `critic/` and nothing else;
 * - below `critic/`, the same folders and the same regular files (by relative path) the plan
 *   would stage, nothing more, nothing less, and no symlinks (stage never makes one);
 * - each file the plan links or copies is the same bytes as its source: the same inode (a hard
 *   link stage made: no read at all), else the same size and then the same bytes, read in chunks;
 * - each file the plan writes anew (fsdp_config.json, ckpt_contents.json) holds exactly that text.
 * Whether it was linked or copied the first time does not matter: `--copy` and the default build
 * the same critic. Modification times and permissions are not compared.
 */
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { badInput } from '../errors.js';
import { describeFsError, errnoCode } from '../io/fsErrors.js';
import { STAGED_STEP_DIR, parseStepDirName } from './layout.js';
import type { FileEntry } from './scan.js';

export interface CheckedOut {
  /** `<out>`, absolute. */
  path: string;
  /** It exists and holds something: stage only if it is this very critic, staged before. */
  occupied: boolean;
}

/**
 * Checks `<out>` before any work: absent, an empty folder, or a folder to compare (occupied); not
 * inside the source step (the source must not change) nor inside the run folder it belongs to
 * (the old run's resume_mode=auto or checkpoint cleanup would then see or delete it); not itself
 * named global_step_N (stage makes `<out>/global_step_0`).
 */
export async function checkOut(out: string, stepPath: string, runFolder: string | null): Promise<CheckedOut> {
  const absolute = path.resolve(out);
  const base = path.basename(absolute);
  if (parseStepDirName(base) !== null) {
    throw badInput(
      out,
      `ends in ${base}: stage creates <out>/${STAGED_STEP_DIR} itself; pass a new folder to hold it (for example ${path.dirname(absolute)})`,
    );
  }
  const realStep = await realpath(stepPath);
  const realOut = await resolveThroughExisting(absolute);
  if (isInside(realOut, realStep) || isInside(realStep, realOut)) {
    throw badInput(out, `overlaps the source checkpoint ${stepPath}: choose a folder outside it (the source is never changed)`);
  }
  if (runFolder !== null && isInside(realOut, await realpath(runFolder))) {
    throw badInput(
      out,
      `is inside the run folder ${runFolder}: that run's resume_mode=auto or checkpoint cleanup could see or delete it; choose a folder outside it`,
    );
  }
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { path: absolute, occupied: false };
    throw badInput(out, `cannot read (${describeFsError(error)})`);
  }
  if (!info.isDirectory()) throw badInput(out, 'exists and is not a folder');
  return { path: absolute, occupied: (await readdir(absolute)).length > 0 };
}

/** What a stage would put below `<out>/global_step_0/critic/`. */
export interface StagedShape {
  dirs: readonly string[];
  files: readonly FileEntry[];
  generated: readonly { relPath: string; content: string }[];
}

/** linked and copied count the files taken from the source (as a stage counts them), not those written anew. */
export type SameStaged = { same: true; linked: number; copied: number } | { same: false; difference: string };

/** Whether `out` holds exactly `shape` staged (see the module comment); the first difference otherwise. */
export async function sameStaged(out: string, shape: StagedShape): Promise<SameStaged> {
  const differ = (difference: string): SameStaged => ({ same: false, difference });
  const only = async (dir: string, name: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    const other = entries.find((e) => e.name !== name);
    if (other) return `it holds ${path.relative(out, path.join(dir, other.name))}, which stage does not make`;
    return entries[0]?.isDirectory() ? null : `it holds no ${path.relative(out, path.join(dir, name))}/ folder`;
  };
  const stepDir = path.join(out, STAGED_STEP_DIR);
  const critic = path.join(stepDir, 'critic');
  const shown = (rel: string) => `${STAGED_STEP_DIR}/critic/${rel}`;
  try {
    const top = (await only(out, STAGED_STEP_DIR)) ?? (await only(stepDir, 'critic'));
    if (top) return differ(top);

    const expectedFiles = new Map<string, FileEntry | string>();
    for (const f of shape.files) expectedFiles.set(f.relPath, f);
    for (const g of shape.generated) expectedFiles.set(g.relPath, g.content);
    const expectedDirs = new Set(shape.dirs);
    for (const rel of expectedFiles.keys()) {
      for (let dir = path.posix.dirname(rel); dir !== '.'; dir = path.posix.dirname(dir)) expectedDirs.add(dir);
    }
    const found = await listTree(critic);
    for (const entry of found) {
      if (entry.kind === 'other') return differ(`${shown(entry.relPath)} is not a regular file or folder`);
      const expected = entry.kind === 'dir' ? expectedDirs.has(entry.relPath) : expectedFiles.has(entry.relPath);
      if (!expected) return differ(`it holds ${shown(entry.relPath)}, which this stage would not make`);
    }
    const present = new Set(found.map((e) => `${e.kind}:${e.relPath}`));
    for (const dir of expectedDirs) if (!present.has(`dir:${dir}`)) return differ(`${shown(dir)}/ is missing`);
    let linked = 0;
    let copied = 0;
    for (const [rel, expected] of expectedFiles) {
      if (!present.has(`file:${rel}`)) return differ(`${shown(rel)} is missing`);
      const dest = path.join(critic, rel);
      if (typeof expected === 'string') {
        if (!(await sameBytes(dest, Buffer.from(expected)))) return differ(`${shown(rel)} differs from what this stage writes`);
        continue;
      }
      const [a, b] = await Promise.all([stat(expected.source), lstat(dest)]);
      if (a.dev === b.dev && a.ino === b.ino) {
        linked++;
      } else if (a.size !== b.size || !(await sameBytes(dest, expected.source))) {
        return differ(`${shown(rel)} differs from its source ${expected.source}`);
      } else {
        copied++;
      }
    }
    return { same: true, linked, copied };
  } catch (error) {
    throw badInput(out, `cannot read what it holds (${describeFsError(error)})`);
  }
}

interface TreeEntry {
  relPath: string;
  kind: 'dir' | 'file' | 'other';
}

/** Everything below `root`, without following symlinks (one is reported as `other`). */
async function listTree(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const walk = async (rel: string) => {
    for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const kind = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
      entries.push({ relPath, kind });
      if (kind === 'dir') await walk(relPath);
    }
  };
  await walk('');
  return entries;
}

const CHUNK = 1 << 20;

/** Whether file `a` holds the same bytes as file `b` (or as the buffer `b`), reading both in chunks. */
async function sameBytes(a: string, b: string | Buffer): Promise<boolean> {
  const fa = await open(a, 'r');
  const fb = typeof b === 'string' ? await open(b, 'r') : null;
  try {
    if (fb === null) {
      const size = (await fa.stat()).size;
      if (size !== (b as Buffer).length) return false;
    }
    const bufA = Buffer.alloc(CHUNK);
    const bufB = Buffer.alloc(CHUNK);
    for (let offset = 0; ; offset += CHUNK) {
      const { bytesRead: readA } = await fa.read(bufA, 0, CHUNK, offset);
      let readB: number;
      if (fb) readB = (await fb.read(bufB, 0, CHUNK, offset)).bytesRead;
      else readB = (b as Buffer).copy(bufB, 0, offset, offset + CHUNK);
      if (readA !== readB || !bufA.subarray(0, readA).equals(bufB.subarray(0, readB))) return false;
      if (readA < CHUNK) return true;
    }
  } finally {
    await fa.close();
    await fb?.close();
  }
}

/** The real path of `p`, resolving symlinks in the part of it that exists. */
async function resolveThroughExisting(p: string): Promise<string> {
  const tail: string[] = [];
  let head = p;
  for (;;) {
    try {
      return path.join(await realpath(head), ...tail);
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return p;
      tail.unshift(path.basename(head));
      head = parent;
    }
  }
}

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}
