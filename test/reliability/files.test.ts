/**
 * Permissions and odd files: each gets its documented behaviour (docs/development.md, "Reliability") and one
 * clear line, never a stack trace, and a refused file is never changed.
 *
 * Tests run as root here and in CI, where permission bits do not stop a write. So: "read-only"
 * is decided from the mode bits (a file or folder with no write bit is refused, even for root),
 * real kernel refusals are produced with `chattr +i` (EPERM even for root) and by running a copy
 * of the installed CLI as `nobody` with setpriv (EACCES), from a temp folder nobody can read
 * wherever the clone sits; both are skipped, saying why, where unavailable.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, git, gitRepo, hasStackTrace, runCli, tempDir, writeFile, type CliResult } from '../helpers/cli.js';
import { CHATTR, chattrProblem, GIT, lacks, PATCH, SETPRIV, skipBecause } from '../helpers/systemPackages.js';
import { FIXTURE_DIR } from './cases.js';
import { leftoverTemps } from './cliAsync.js';

const TRAINER = readFileSync(join(FIXTURE_DIR, 'v0_9_keyword_only.py'));

function oneLine(result: CliResult, pattern: RegExp): void {
  expect(hasStackTrace(result.stderr)).toBe(false);
  expect(result.stderr).not.toMatch(/internal error/);
  const errors = result.stderr.split('\n').filter((l) => l.startsWith('verl-critic-patch: '));
  expect(errors, result.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
}

function setup(name = 'trainer.py'): { dir: string; file: string } {
  const dir = tempDir('vcp-files-');
  const file = join(dir, name);
  writeFileSync(file, TRAINER);
  return { dir, file };
}

const probe = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' }).status === 0;

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/**
 * The installed CLI (the bundled bin and the packages it loads at run time) copied into a temp
 * folder that `nobody` can read: the clone itself may sit where nobody cannot enter (under /root,
 * or a mode-700 `mktemp -d`). The reason instead when nobody still cannot run it.
 */
function cliForNobody(): { entry: string } | { reason: string } {
  const root = tempDir('vcp-nobody-cli-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  chmodSync(root, 0o755);
  cpSync(join(REPO_ROOT, 'dist', 'bin'), join(root, 'dist', 'bin'), { recursive: true });
  for (const name of runtimePackages()) cpSync(join(REPO_ROOT, 'node_modules', name), join(root, 'node_modules', name), { recursive: true, dereference: true });
  const entry = join(root, 'dist', 'bin', 'verl-critic-patch.cjs');
  const run = spawnSync('setpriv', [...NOBODY, process.execPath, entry, '--version'], { cwd: root, encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } });
  if (run.status === 0) return { entry };
  // Node's own report ends with its version: name the error line instead.
  const lines = run.stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !/^Node\.js v/.test(line));
  const why = run.error?.message ?? lines.find((line) => /Error|denied/.test(line)) ?? lines.pop() ?? `exit ${run.status}`;
  return { reason: `nobody cannot run a copy of the CLI in ${root} (${why})` };
}

/** The package's dependencies and theirs, as npm installs them for a user (the top-level ones). */
function runtimePackages(): string[] {
  const found = new Set<string>();
  const visit = (manifest: string) => {
    const { dependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(dependencies)) {
      const own = join(REPO_ROOT, 'node_modules', name, 'package.json');
      if (found.has(name) || !existsSync(own)) continue; // not at the top: nested in its dependent, copied with it
      found.add(name);
      visit(own);
    }
  };
  visit(join(REPO_ROOT, 'package.json'));
  return [...found];
}

describe('read-only files and folders', () => {
  it('a file with no write bit is refused (exit 2), even for root; diff still works', () => {
    const { dir, file } = setup();
    chmodSync(file, 0o444);
    const apply = runCli(['apply', 'trainer.py'], { cwd: dir });
    expect(apply.code).toBe(2);
    oneLine(apply, /^verl-critic-patch: trainer\.py: read-only file \(mode 0444\); make it writable \(chmod u\+w\) to patch it; every file of this run was left as it was$/);
    expect(readFileSync(file).equals(TRAINER)).toBe(true);
    expect(lstatSync(file).mode & 0o777).toBe(0o444);
    expect(runCli(['diff', 'trainer.py'], { cwd: dir }).code).toBe(0);
    expect(leftoverTemps(dir)).toEqual([]);
  });

  it('revert of a read-only patched file is refused the same way', () => {
    const { dir, file } = setup();
    expect(runCli(['apply', 'trainer.py'], { cwd: dir }).code).toBe(0);
    const patched = readFileSync(file);
    chmodSync(file, 0o400);
    const revert = runCli(['revert', 'trainer.py'], { cwd: dir });
    expect(revert.code).toBe(2);
    oneLine(revert, /read-only file \(mode 0400\)/);
    expect(readFileSync(file).equals(patched)).toBe(true);
  });

  it('a file in a folder with no write bit is refused (exit 2): the atomic write needs a temp file there', () => {
    const { dir, file } = setup();
    chmodSync(dir, 0o555);
    try {
      const apply = runCli(['apply', file]);
      expect(apply.code).toBe(2);
      oneLine(apply, /its folder .* is read-only \(mode 0555\), and the atomic write creates a temp file there/);
      expect(readFileSync(file).equals(TRAINER)).toBe(true);
      expect(leftoverTemps(dir)).toEqual([]);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('a writable file keeps its mode (and, as root, its owner) when replaced', () => {
    const { dir, file } = setup();
    chmodSync(file, 0o640);
    if (process.getuid?.() === 0) spawnSync('chown', ['65534:65534', file]);
    expect(runCli(['apply', 'trainer.py'], { cwd: dir }).code).toBe(0);
    const stat = lstatSync(file);
    expect(stat.mode & 0o777).toBe(0o640);
    if (process.getuid?.() === 0) expect([stat.uid, stat.gid]).toEqual([65534, 65534]);
  });

  const immutable = !lacks(CHATTR) && !skipBecause('the chattr +i test', chattrProblem(setup('probe.py').file));
  it.skipIf(!immutable)('an immutable file (chattr +i; the kernel refuses even root) is refused with exit 2, unchanged', () => {
    const { dir, file } = setup();
    expect(probe('chattr', ['+i', file])).toBe(true);
    try {
      const apply = runCli(['apply', 'trainer.py'], { cwd: dir });
      expect(apply.code).toBe(2);
      oneLine(apply, /trainer\.py: cannot write: permission denied/);
      expect(readFileSync(file).equals(TRAINER)).toBe(true);
      expect(leftoverTemps(dir)).toEqual([]);
    } finally {
      probe('chattr', ['-i', file]);
    }
  });

  const nobodyCli = process.getuid?.() !== 0 ? { reason: 'not root, so setpriv cannot become nobody' } : lacks(SETPRIV) ? undefined : cliForNobody();
  const asNobody = nobodyCli !== undefined && !skipBecause('the setpriv nobody test', 'reason' in nobodyCli ? nobodyCli.reason : null);
  const runAsNobody = (args: string[], cwd: string): CliResult => {
    const result = spawnSync('setpriv', [...NOBODY, process.execPath, (nobodyCli as { entry: string }).entry, ...args], { cwd, encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  };
  it.skipIf(!asNobody)('as an ordinary user (setpriv nobody): a file owned by root is refused (EACCES), so is a folder it cannot write', () => {
    const { dir, file } = setup();
    chmodSync(dir, 0o755);
    const apply = runAsNobody(['apply', 'trainer.py'], dir);
    expect(apply.code, apply.stderr).toBe(2);
    oneLine(apply, /trainer\.py: cannot write: permission denied/);
    expect(readFileSync(file).equals(TRAINER)).toBe(true);

    // The file is nobody's, the folder is not: the temp file cannot be created beside it.
    spawnSync('chown', ['65534:65534', file]);
    const inFolder = runAsNobody(['apply', 'trainer.py'], dir);
    expect(inFolder.code, inFolder.stderr).toBe(2);
    oneLine(inFolder, /trainer\.py: cannot write in its folder .*: permission denied/);
    expect(readFileSync(file).equals(TRAINER)).toBe(true);

    // Both are nobody's: it works, as nobody.
    spawnSync('chown', ['65534:65534', dir]);
    const works = runAsNobody(['apply', 'trainer.py'], dir);
    expect(works.code, works.stderr).toBe(0);
    expect(readFileSync(file).equals(TRAINER)).toBe(false);
  });
});

describe('symlinks and links', () => {
  it('a symlink: the file it points to is patched, the link stays a link; revert through it too', () => {
    const dir = tempDir('vcp-link-');
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'trainer.py'), TRAINER);
    symlinkSync('real/trainer.py', join(dir, 'link.py'));
    symlinkSync('link.py', join(dir, 'chain.py'));
    const apply = runCli(['apply', 'chain.py'], { cwd: dir });
    expect(apply.code, apply.stderr).toBe(0);
    expect(lstatSync(join(dir, 'chain.py')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'link.py')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.py'))).toBe('real/trainer.py');
    expect(readFileSync(join(dir, 'real', 'trainer.py'), 'utf8')).toContain('load_critic_only');
    expect(leftoverTemps(join(dir, 'real'))).toEqual([]);
    expect(leftoverTemps(dir)).toEqual([]);
    expect(runCli(['revert', 'link.py'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, 'real', 'trainer.py')).equals(TRAINER)).toBe(true);
    expect(lstatSync(join(dir, 'link.py')).isSymbolicLink()).toBe(true);
  });

  it('a dangling symlink and a symlink loop: exit 2, one line', () => {
    const dir = tempDir('vcp-link-');
    symlinkSync('missing.py', join(dir, 'dangling.py'));
    symlinkSync('loop-b.py', join(dir, 'loop-a.py'));
    symlinkSync('loop-a.py', join(dir, 'loop-b.py'));
    const dangling = runCli(['apply', 'dangling.py'], { cwd: dir });
    expect(dangling.code).toBe(2);
    oneLine(dangling, /dangling\.py: no such file or directory/);
    const loop = runCli(['apply', 'loop-a.py'], { cwd: dir });
    expect(loop.code).toBe(2);
    oneLine(loop, /loop-a\.py: too many levels of symbolic links/);
  });

  it('a hard-linked file is replaced like git apply does: the other link keeps the old content', () => {
    const { dir, file } = setup();
    linkSync(file, join(dir, 'other-name.py'));
    expect(runCli(['apply', 'trainer.py'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(file).equals(TRAINER)).toBe(false);
    expect(readFileSync(join(dir, 'other-name.py')).equals(TRAINER)).toBe(true);
  });
});

describe('things that are not regular files', () => {
  it('a FIFO is refused at once (exit 2) without being opened, for every verb', () => {
    const dir = tempDir('vcp-fifo-');
    expect(probe('mkfifo', [join(dir, 'pipe.py')])).toBe(true);
    // Opening a FIFO with no writer blocks forever: a CLI that did would never return here, and
    // the test would fail on its timeout, not on how long a busy machine took.
    for (const verb of ['diff', 'apply', 'check', 'revert']) {
      const result = runCli([verb, 'pipe.py'], { cwd: dir });
      expect(result.code, result.stderr).toBe(2);
      oneLine(result, /pipe\.py: not a regular file \(a FIFO, socket or device cannot be patched\)/);
    }
  });

  it('a character device (/dev/null, /dev/zero) and a socket: exit 2, one line', async () => {
    for (const device of ['/dev/null', '/dev/zero']) {
      const result = runCli(['apply', device]);
      expect(result.code).toBe(2);
      oneLine(result, /not a regular file/);
    }
    const dir = tempDir('vcp-sock-');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'sock.py'), resolve));
    try {
      const result = runCli(['apply', 'sock.py'], { cwd: dir });
      expect(result.code).toBe(2);
      oneLine(result, /sock\.py: not a regular file/);
    } finally {
      server.close();
    }
  });

  it('a path whose parent is a file, and a missing path: exit 2, one line', () => {
    const { dir } = setup();
    const parentIsFile = runCli(['apply', 'trainer.py/inner.py'], { cwd: dir });
    expect(parentIsFile.code).toBe(2);
    oneLine(parentIsFile, /trainer\.py\/inner\.py: a parent of this path is not a folder/);
    const missing = runCli(['apply', 'nope.py'], { cwd: dir });
    expect(missing.code).toBe(2);
    oneLine(missing, /nope\.py: no such file or directory/);
  });
});

describe('paths with spaces and non-ASCII characters', () => {
  const rel = 'my trainers/\u00e9t\u00e9 \u4e2d\u6587/ray trainer \u00fc.py';

  it.skipIf(lacks(GIT) || lacks(PATCH))('diff applies with git apply and patch -p1, apply writes the same bytes, revert restores them', () => {
    const repo = gitRepo({ [rel]: TRAINER });
    const diff = runCli(['diff', rel], { cwd: repo });
    expect(diff.code, diff.stderr).toBe(0);
    // Git quotes such names ("a/my trainers/\303\251..."), and so does the diff: both appliers read it.
    expect(diff.stdout).toMatch(/^--- "a\/my trainers\/.*\.py"\n\+\+\+ "b\/my trainers\/.*\.py"\n@@ /);
    const patchFile = join(tempDir('vcp-patch-'), 'names.patch');
    writeFileSync(patchFile, diff.stdout);

    const byGit = gitRepo({ [rel]: TRAINER });
    const applied = git(byGit, 'apply', patchFile);
    expect(applied.code, applied.stderr).toBe(0);
    const byPatch = gitRepo({ [rel]: TRAINER });
    const patched = spawnSync('patch', ['-p1', '--quiet', '-i', patchFile], { cwd: byPatch, encoding: 'utf8' });
    expect(patched.status, patched.stderr + patched.stdout).toBe(0);

    const apply = runCli(['apply', rel], { cwd: repo });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain(`patched ${rel}`);
    const written = readFileSync(join(repo, rel));
    expect(readFileSync(join(byGit, rel)).equals(written)).toBe(true);
    expect(readFileSync(join(byPatch, rel)).equals(written)).toBe(true);
    expect(runCli(['revert', rel], { cwd: repo }).code).toBe(0);
    expect(readFileSync(join(repo, rel)).equals(TRAINER)).toBe(true);
  });

  it('an absolute path with spaces, and a checkout folder with spaces', () => {
    const root = tempDir('vcp space \u00e9-');
    const checkout = join(root, 'my verl');
    writeFile(join(checkout, 'verl', 'version', 'version'), '0.9.0\n');
    writeFile(join(checkout, 'verl', 'trainer', 'ppo', 'ray_trainer.py'), TRAINER);
    const apply = runCli(['apply', checkout]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(readFileSync(join(checkout, 'verl', 'trainer', 'ppo', 'ray_trainer.py'), 'utf8')).toContain('load_critic_only');
    expect(runCli(['revert', checkout]).code).toBe(0);
    expect(readFileSync(join(checkout, 'verl', 'trainer', 'ppo', 'ray_trainer.py')).equals(TRAINER)).toBe(true);
    rmSync(root, { recursive: true, force: true });
    expect(existsSync(root)).toBe(false);
  });
});
