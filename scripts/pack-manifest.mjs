#!/usr/bin/env node
/**
 * `npm pack` / `npm publish` hooks: `strip` (prepack) writes package.json without its `prepare`
 * script and keeps the original beside it; `restore` (postpack) puts the original back.
 *
 * Why: `prepare` builds dist/ at `npm ci`, so that a checkout's `npm ci` alone leaves a working
 * CLI. npm never runs `prepare` when it installs a tarball, but npm 11 still lists it among the
 * "install scripts not yet covered by allowScripts" it warns about on every `npm install -g` of
 * the package. The tarball holds the built bin, so it needs no `prepare`: leave it out there.
 * npm packs the manifest it finds on disk after prepack, and has no field or option that leaves a
 * script out of the packed copy alone, so the checkout's file is what is edited, for the pack.
 *
 * npm runs postpack only when the pack succeeded: a pack that fails after prepack (a
 * --pack-destination that does not exist, a full disk) or is killed would leave the checkout
 * edited. So `strip` also starts a watcher, detached from npm, that waits for the npm process
 * that runs the pack to end, whatever way it ends, and then puts the original back if postpack
 * has not (`restore-after PID`). Where npm's process cannot be found (no /proc and no ps), the
 * next strip restores what an earlier pack left, as before, so the original is never lost.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = `${root}package.json`;
const saved = `${root}.package.json.before-pack`;

const action = process.argv[2];
if (action === 'strip') {
  if (existsSync(saved)) renameSync(saved, manifest);
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
  restoreWhenNpmEnds();
} else if (action === 'restore') {
  restore();
} else if (action === 'restore-after') {
  await restoreAfter(Number(process.argv[3]));
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}

function restore() {
  if (existsSync(saved)) renameSync(saved, manifest);
}

/** Starts the watcher on the npm process that runs this prepack (none when it cannot be found). */
function restoreWhenNpmEnds() {
  const npm = npmProcess();
  if (npm === undefined) return;
  const watcher = spawn(process.execPath, [fileURLToPath(import.meta.url), 'restore-after', String(npm)], { detached: true, stdio: 'ignore' });
  watcher.unref();
}

/**
 * Waits for process `pid` to end, then restores; stops as soon as postpack has restored (the saved
 * original is gone), so that it never touches a later pack's files.
 */
async function restoreAfter(pid) {
  while (existsSync(saved)) {
    if (!isAlive(pid)) {
      restore();
      return;
    }
    // Every 10 ms: the checkout stays edited at most that long after npm ends (`npm pack; git
    // status` on one line), for a watcher that lives only as long as the pack.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * The npm process running this script: the nearest ancestor that runs Node.js (npm runs
 * lifecycle scripts through a shell, `sh -c "npm run build && node scripts/pack-manifest.mjs strip"`).
 */
function npmProcess() {
  let pid = process.ppid;
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    if (runsNode(pid)) return pid;
    pid = parentOf(pid);
    if (pid === undefined) return undefined;
  }
  return undefined;
}

function runsNode(pid) {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === realpathSync(process.execPath);
  } catch {
    const ps = spawnSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' });
    return ps.status === 0 && /(^|\/)node(js)?(\.exe)?$/.test(ps.stdout.trim());
  }
}

function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    const ps = spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
    const ppid = Number(ps.stdout.trim());
    return ps.status === 0 && ppid > 0 ? ppid : undefined;
  }
}
