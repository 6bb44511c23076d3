/**
 * stdout and stderr as the CLI writes them. Redirected to a regular file (`diff … >
 * load-critic-only.patch`) or to the null device, process.stdout and process.stderr are Node.js
 * SyncWriteStreams: each write is one fs.writeSync on the descriptor, never a TTY, never EPIPE.
 * The CLI makes that call itself there, which spares loading Node.js's stream modules (~1.5 ms of
 * a `diff` run). A terminal, a pipe or a socket gets Node.js's own stream, as before.
 */
import { fstatSync, readlinkSync, statSync, writeSync } from 'node:fs';

/** What a Printer writes to (tests hand it their own). */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

type StdFd = 1 | 2;

const direct = new Map<number, boolean>();
let nullDevice: number | null | undefined;

/** Whether `fd` is a regular file or the null device, which the CLI writes with fs.writeSync. */
export function writesDirectly(fd: number): boolean {
  let known = direct.get(fd);
  if (known === undefined) {
    try {
      const stat = fstatSync(fd);
      known = stat.isFile() || (stat.isCharacterDevice() && stat.rdev === nullDeviceId());
    } catch {
      known = false; // closed or unusual: Node.js's stream decides what to do
    }
    direct.set(fd, known);
  }
  return known;
}

/**
 * The path of the regular file `fd` writes to (`diff … > load-critic-only.patch`), where the system
 * names it (Linux's /proc/self/fd), checked to be that very file; undefined for a terminal, a pipe,
 * a deleted file, or a system that does not say (then callers name the file some other way).
 */
export function regularFilePathOf(fd: number): string | undefined {
  try {
    const open = fstatSync(fd);
    if (!open.isFile()) return undefined;
    const path = readlinkSync(`/proc/self/fd/${fd}`);
    const named = statSync(path);
    return named.dev === open.dev && named.ino === open.ino ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The device number of /dev/null, or null where there is none (Windows). */
function nullDeviceId(): number | null {
  if (nullDevice === undefined) {
    try {
      nullDevice = statSync('/dev/null').rdev;
    } catch {
      nullDevice = null;
    }
  }
  return nullDevice;
}

function nodeStream(fd: StdFd): NodeJS.WriteStream {
  return fd === 1 ? process.stdout : process.stderr;
}

/** stdout (1) or stderr (2) for a Printer. */
export function standardOutput(fd: StdFd): OutputStream {
  if (!writesDirectly(fd)) return nodeStream(fd);
  return { isTTY: false, write: (text: string) => writeSync(fd, text) };
}

/** Text written to Node.js's stdout and stderr streams that the system has not taken yet (pipes are asynchronous on macOS and Windows). */
export function unwrittenOutput(): number {
  return ([1, 2] as const).reduce((sum, fd) => sum + (writesDirectly(fd) ? 0 : nodeStream(fd).writableLength), 0);
}
