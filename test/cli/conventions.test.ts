/**
 * Terminal and CI conventions of the built CLI: colour only where it belongs, --quiet,
 * --output (file and folder naming), --format github, --version and --help, a reader of stdout or
 * stderr that has gone away, and output redirected to files.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, filesUnder, git, gitRepo, hasStackTrace, readBytes, runCli, tempDir } from '../helpers/cli.js';
import { GIT, lacks, PYTHON3, skipFileWithout } from '../helpers/systemPackages.js';

skipFileWithout(GIT);

const EXAMPLE = join(REPO_ROOT, 'fixtures', 'examples', 'verl-0.9');
const EXAMPLE_TRAINER = 'fixtures/examples/verl-0.9/verl/trainer/ppo/ray_trainer.py';
const ESC = '\u001b[';
const COLOR_ON = { NO_COLOR: '', FORCE_COLOR: '1' };

/** A git repo holding the bundled VeRL 0.9 example checkout at its root. */
function exampleRepo(): string {
  return gitRepo(filesUnder(EXAMPLE));
}

describe('colour', () => {
  it('is off on a pipe by default', () => {
    const result = runCli(['diff', EXAMPLE_TRAINER], { env: { NO_COLOR: '', FORCE_COLOR: '' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('@@');
    expect(result.stdout).not.toContain(ESC);
  });

  it('is on with FORCE_COLOR: red removals, green additions, cyan hunks, bold headers', () => {
    const plain = runCli(['diff', EXAMPLE_TRAINER]).stdout;
    const result = runCli(['diff', EXAMPLE_TRAINER], { env: COLOR_ON });
    expect(result.stdout).toContain(`${ESC}31m-        self.actor_rollout_wg.load_checkpoint(`);
    expect(result.stdout).toContain(`${ESC}32m+        if not self.config.trainer.get("load_critic_only", False):`);
    expect(result.stdout).toMatch(/\u001b\[36m@@ -\d+,\d+ \+\d+,\d+ @@/);
    expect(result.stdout).toContain(`${ESC}1m--- a/${EXAMPLE_TRAINER}`);
    expect(result.stdout.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it.each([
    ['NO_COLOR beats FORCE_COLOR', [], { NO_COLOR: '1', FORCE_COLOR: '1' }],
    ['FORCE_COLOR=0', [], { NO_COLOR: '', FORCE_COLOR: '0' }],
    ['--color never beats FORCE_COLOR', ['--color', 'never'], COLOR_ON],
  ])('is off: %s', (_label, flags, env) => {
    const result = runCli(['diff', ...flags, EXAMPLE_TRAINER], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ESC);
  });

  it('--color always beats NO_COLOR', () => {
    const result = runCli(['diff', '--color', 'always', EXAMPLE_TRAINER], { env: { NO_COLOR: '1' } });
    expect(result.stdout).toContain(`${ESC}31m-`);
  });

  it('is on for a terminal (auto) and off there with NO_COLOR', () => {
    const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0) return; // util-linux `script` gives us a pseudo-terminal; skip without it
    const inTty = (env: string) =>
      spawnSync('script', ['-qec', `env ${env} "${process.execPath}" "${CLI}" diff ${EXAMPLE_TRAINER}`, '/dev/null'], { cwd: REPO_ROOT, encoding: 'utf8' })
        .stdout;
    expect(inTty('NO_COLOR= FORCE_COLOR=')).toContain(`${ESC}31m-`);
    expect(inTty('NO_COLOR=1 FORCE_COLOR=')).not.toContain(ESC);
  });

  it('never reaches --json or --output files', () => {
    const json = runCli(['diff', '--json', '--color', 'always', EXAMPLE_TRAINER], { env: COLOR_ON });
    expect(json.stdout).not.toContain(ESC);
    expect(JSON.parse(json.stdout).targets[0].diff).toContain('+        if not self.config');
    const out = join(tempDir(), 'x.patch');
    expect(runCli(['diff', '--color', 'always', '--output', out, EXAMPLE_TRAINER], { env: COLOR_ON }).code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toContain(ESC);
  });

  it('rejects an unknown --color value as a usage error', () => {
    const result = runCli(['diff', '--color', 'sometimes', EXAMPLE_TRAINER]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--color.*sometimes|sometimes.*--color|Allowed choices/);
  });
});

describe('--quiet', () => {
  it('check: nothing printed when all is well, same exit code', () => {
    const loud = runCli(['check', 'fixtures/examples/verl-0.9']);
    expect(loud.stderr).toContain('VeRL 0.9.0 checkout');
    expect(loud.stdout).toContain('ok ');
    const quiet = runCli(['check', '--quiet', 'fixtures/examples/verl-0.9']);
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('diff: the diff itself, no notes', () => {
    const loud = runCli(['diff', 'fixtures/examples/verl-0.9']);
    const quiet = runCli(['diff', '-q', 'fixtures/examples/verl-0.9']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe(loud.stdout);
    expect(quiet.stderr).toBe('');
  });

  it('apply and revert: silent on success, and the files are still written', () => {
    const repo = exampleRepo();
    const before = readBytes(join(repo, 'verl/trainer/ppo/ray_trainer.py'));
    expect(runCli(['apply', '--quiet', '.'], { cwd: repo })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readBytes(join(repo, 'verl/trainer/ppo/ray_trainer.py')).equals(before)).toBe(false);
    expect(runCli(['apply', '--quiet', '.'], { cwd: repo })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(runCli(['revert', '--quiet', '.'], { cwd: repo })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readBytes(join(repo, 'verl/trainer/ppo/ray_trainer.py')).equals(before)).toBe(true);
  });

  it('errors still print, with their exit codes', () => {
    const refused = runCli(['check', '--quiet', 'fixtures/refuse/no_real_actor_load.py']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^verl-critic-patch: fixtures\/refuse\/no_real_actor_load\.py:\d+: .*no actor checkpoint load/);
    const missing = runCli(['diff', '-q', 'no/such/file.py']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory');
  });
});

describe('diff --output', () => {
  it('writes the diff to a file, prints the path on stderr and nothing on stdout; the patch applies', () => {
    const repo = exampleRepo();
    const expected = runCli(['diff', '.'], { cwd: repo }).stdout;
    const result = runCli(['diff', '--output', 'review.patch', '.'], { cwd: repo });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('wrote review.patch');
    expect(readFileSync(join(repo, 'review.patch'), 'utf8')).toBe(expected);
    expect(readdirSync(repo).filter((name) => name.includes('tmp'))).toEqual([]);
    const check = git(repo, 'apply', '--check', 'review.patch');
    expect(check.code, check.stderr).toBe(0);
    expect(git(repo, 'apply', 'review.patch').code).toBe(0);
    expect(runCli(['check', '--applied', '.'], { cwd: repo }).code).toBe(0);
  });

  it('replaces an existing file', () => {
    const out = join(tempDir(), 'old.patch');
    expect(runCli(['diff', '-o', out, EXAMPLE_TRAINER]).code).toBe(0);
    const first = readFileSync(out, 'utf8');
    expect(runCli(['diff', '-o', out, EXAMPLE_TRAINER]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(first);
  });

  it('given a folder, names the file after the VeRL release of the checkout', () => {
    const repo = exampleRepo();
    mkdirSync(join(repo, 'patches'));
    const result = runCli(['diff', '--output', 'patches', '.'], { cwd: repo });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote ${join('patches', 'verl-0.9.0-load-critic-only.patch')}`);
    expect(git(repo, 'apply', '--check', 'patches/verl-0.9.0-load-critic-only.patch').code).toBe(0);
  });

  it('given a folder, says unknown for a checkout without a version file', () => {
    const repo = exampleRepo();
    rmSync(join(repo, 'verl/version'), { recursive: true });
    const out = tempDir();
    expect(runCli(['diff', '--output', out, '.'], { cwd: repo }).code).toBe(0);
    expect(readdirSync(out)).toEqual(['verl-unknown-load-critic-only.patch']);
  });

  it('given a folder, names a single-file patch after the file', () => {
    const out = tempDir();
    expect(runCli(['diff', '--output', out, EXAMPLE_TRAINER]).code).toBe(0);
    expect(readdirSync(out)).toEqual(['ray_trainer-load-critic-only.patch']);
  });

  it('writes nothing when a target is refused, or when there is nothing to change', () => {
    const out = tempDir();
    const refused = runCli(['diff', '--output', out, EXAMPLE_TRAINER, 'fixtures/refuse/easyr1_renamed.py']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('nothing written');
    const patched = runCli(['diff', '--output', out, 'fixtures/python/hand_guard_getattr.py']);
    expect(patched.code).toBe(0);
    expect(patched.stderr).toContain('nothing to change');
    expect(readdirSync(out)).toEqual([]);
  });

  it('makes a folder ending in / that does not exist yet, and says so', () => {
    const repo = exampleRepo();
    const result = runCli(['diff', '--output', 'patches/', '.'], { cwd: repo });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('note: created folder patches/\nwrote patches/verl-0.9.0-load-critic-only.patch\n');
    expect(git(repo, 'apply', '--check', 'patches/verl-0.9.0-load-critic-only.patch').code).toBe(0);
    // Once it exists, nothing is created: no note.
    expect(runCli(['diff', '--output', 'patches/', '.'], { cwd: repo }).stderr).not.toContain('created');
  });

  it('makes the missing folders above a file name too (as mkdir -p), but only when it writes', () => {
    const dir = tempDir();
    const refused = runCli(['diff', '--output', join(dir, 'a', 'b', 'x.patch'), 'fixtures/refuse/easyr1_renamed.py']);
    expect(refused.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    const result = runCli(['diff', '--output', join(dir, 'a', 'b', 'x.patch'), EXAMPLE_TRAINER]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`note: created folder ${join(dir, 'a', 'b')}/\n`);
    expect(readFileSync(join(dir, 'a', 'b', 'x.patch'), 'utf8')).toBe(runCli(['diff', EXAMPLE_TRAINER]).stdout);
  });

  it('reports a parent that is a file as bad input on one line, naming it, and creates nothing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes'), 'mine\n');
    for (const output of [join(dir, 'notes', 'new', 'x.patch'), join(dir, 'notes') + '/']) {
      const result = runCli(['diff', '--output', output, EXAMPLE_TRAINER]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^verl-critic-patch: ${dir}/notes/\\S+: cannot write: ${dir}/notes is a file, not a folder\n$`));
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
    expect(filesUnder(dir)).toEqual({ notes: Buffer.from('mine\n') });
  });

  it('removes the folders it made when the write fails after all', () => {
    const dir = tempDir();
    // A file name longer than any file system takes (255 bytes): the folders are made, the write fails.
    const result = runCli(['diff', '--output', join(dir, 'a', 'b', `${'x'.repeat(300)}.patch`), EXAMPLE_TRAINER]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^verl-critic-patch: .*\.patch: cannot write: /);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('--format github', () => {
  const refuseDir = join(REPO_ROOT, 'fixtures', 'refuse');
  const refused = readdirSync(refuseDir).filter((name) => name.endsWith('.py')).sort();

  it.each(refused)('turns the refusal of %s into one ::error annotation on the file', (name) => {
    const rel = `fixtures/refuse/${name}`;
    const result = runCli(['check', '--format', 'github', rel]);
    expect([1, 2]).toContain(result.code);
    expect(result.code).toBe(runCli(['check', rel]).code);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^::error file=${rel.replace(/\./g, '\\.')}(,line=\\d+)?,title=verl-critic-patch::\\S`));
    expect(lines[0]!.split('::').length).toBe(3); // the message holds no further '::' that could break parsing
  });

  it('places the annotation at the line of the problem, with the path relative to the git root', () => {
    const repo = gitRepo({ 'sub/trainer.py': readBytes(join(refuseDir, 'easyr1_renamed.py')) });
    const result = runCli(['check', '--format', 'github', 'trainer.py'], { cwd: join(repo, 'sub') });
    expect(result.stderr).toMatch(/^::error file=sub\/trainer\.py,line=\d+,title=verl-critic-patch::.*EasyR1-style trainer/);
  });

  it('reports a file that is not patched yet as an error with check --applied, a notice without', () => {
    const applied = runCli(['check', '--applied', '--format', 'github', EXAMPLE_TRAINER]);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toMatch(new RegExp(`^::error file=${EXAMPLE_TRAINER.replace(/\./g, '\\.')},line=47,title=verl-critic-patch::not patched yet`));
    const plain = runCli(['check', '--format', 'github', EXAMPLE_TRAINER]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/^::notice file=.*ray_trainer\.py,line=47,/m);
    expect(runCli(['check', '--format', 'github', '--quiet', EXAMPLE_TRAINER]).stderr).toBe('');
  });

  it('annotates errors that are not about one file too, and keeps stdout a clean diff', () => {
    const missing = runCli(['diff', '--format', 'github', 'no/such/file.py']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('::error file=no/such/file.py,title=verl-critic-patch::no such file or directory\n');
    const mixed = runCli(['diff', '--format', 'github', EXAMPLE_TRAINER, 'fixtures/refuse/easyr1_renamed.py']);
    expect(mixed.stdout.startsWith('--- a/')).toBe(true);
    expect(mixed.stdout).not.toContain('::error');
    expect(mixed.stderr).toMatch(/^::error file=fixtures\/refuse\/easyr1_renamed\.py/m);
  });
});

describe('--version and --help', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

  it.each([['--version'], ['-V']])('%s prints the version of package.json', (flag) => {
    expect(runCli([flag])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('--help lists every verb with examples', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    for (const verb of ['diff', 'apply', 'check', 'revert', 'inspect', 'stage']) expect(help.stdout).toMatch(new RegExp(`^  ${verb} `, 'm'));
    expect(help.stdout).toContain('Examples');
  });

  const verbs = runCli(['--help'])
    .stdout.split('\n')
    .map((line) => /^ {2}([a-z]+) /.exec(line)?.[1])
    .filter((verb): verb is string => verb !== undefined && verb !== 'help');

  it.each(verbs)('%s --help shows an example of the verb', (verb) => {
    const help = runCli([verb, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Examples?:$/m);
    expect(help.stdout).toMatch(new RegExp(`^  verl-critic-patch ${verb} \\S`, 'm'));
  });

  it('the patch verbs document --quiet, --color and --format', () => {
    for (const verb of ['diff', 'apply', 'check', 'revert']) {
      const help = runCli([verb, '--help']).stdout;
      expect(help).toContain('--quiet');
      expect(help).toContain('--color <when>');
      expect(help).toContain('--format <format>');
    }
    expect(runCli(['diff', '--help']).stdout).toContain('--output <path>');
  });

  it('help and usage errors exit 0 and 2', () => {
    expect(runCli(['help', 'diff']).code).toBe(0);
    expect(runCli([]).code).toBe(2);
    expect(existsSync(CLI)).toBe(true);
  });
});

describe.skipIf(lacks(PYTHON3))('a reader that has gone away', () => {
  /**
   * Runs the CLI with stdout or stderr on a pipe whose reading end python3 closed before the CLI
   * started, so that every write to it fails with EPIPE (a pipe to `head` that has exited, without
   * the race of waiting for it to exit). The other stream is captured.
   */
  function withClosedPipe(closed: 'stdout' | 'stderr', args: string[], cwd = REPO_ROOT): { code: number; other: string } {
    const script = `
import json, os, subprocess, sys
read_end, write_end = os.pipe()
os.close(read_end)
streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
streams[sys.argv[1]] = write_end
run = subprocess.run(sys.argv[2:], env=dict(os.environ, NO_COLOR="1"), **streams)
other = run.stderr if sys.argv[1] == "stdout" else run.stdout
print(json.dumps({"code": run.returncode, "other": other.decode("utf-8", "replace")}))
`;
    const run = spawnSync('python3', ['-c', script, closed, process.execPath, CLI, ...args], { cwd, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout);
  }

  /** A copy of the example checkout (exit 0), and a Python file with a syntax error (exit 2). */
  function targets(): { repo: string; broken: string } {
    const broken = join(tempDir(), 'broken.py');
    writeFileSync(broken, 'def f(:\n');
    return { repo: exampleRepo(), broken };
  }

  it('stderr gone: the run still finishes, with the exit code it would have had', () => {
    const { repo, broken } = targets();
    // Each of these writes to stderr before it decides its exit code.
    expect(withClosedPipe('stderr', ['check', repo]).code).toBe(0);
    expect(withClosedPipe('stderr', ['check', repo, broken]).code).toBe(2);
    const diff = withClosedPipe('stderr', ['diff', repo]);
    expect(diff.code).toBe(0);
    expect(diff.other).toBe(runCli(['diff', repo]).stdout);
    // apply writes every file and says so on stdout, as it would with stderr open.
    const applied = withClosedPipe('stderr', ['apply', repo]);
    expect(applied.code).toBe(0);
    expect(runCli(['check', '--applied', repo]).code).toBe(0);
  });

  it('stdout gone: the exit code still reports a broken target', () => {
    const { repo, broken } = targets();
    expect(withClosedPipe('stdout', ['diff', repo]).code).toBe(0);
    expect(withClosedPipe('stdout', ['check', repo, broken]).code).toBe(2);
  });
});

describe('output redirected to files', () => {
  /** The CLI with stdout and stderr written to files (`> out 2> err`), as a shell redirects them. */
  function redirected(args: string[], cwd = REPO_ROOT): { code: number; stdout: string; stderr: string } {
    const dir = tempDir('vcp-redirect-');
    const [out, err] = [join(dir, 'out'), join(dir, 'err')];
    const fds = [openSync(out, 'w'), openSync(err, 'w')];
    try {
      const run = spawnSync(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', fds[0]!, fds[1]!], env: { ...process.env, NO_COLOR: '' } });
      // The one difference from a pipe: diff's apply line names the file stdout went to, from the
      // folder it cds into (test/cli/applyHint.test.ts), where a pipe gets a placeholder.
      const stderr = readFileSync(err, 'utf8').replace(/^apply with: cd (\S+) && git apply (\S+) {3}\(or: patch -p1 < \2\)$/gm, (_line, root: string, file: string) => {
        expect(resolve(root, file)).toBe(out);
        return `apply with: cd ${root} && git apply <patch file>   (or: patch -p1 < <patch file>)`;
      });
      return { code: run.status ?? -1, stdout: readFileSync(out, 'utf8'), stderr };
    } finally {
      fds.forEach((fd) => closeSync(fd));
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('gets what a pipe gets, uncoloured, with the same exit codes', () => {
    const repo = exampleRepo();
    const broken = join(tempDir(), 'broken.py');
    writeFileSync(broken, 'def f(:\n');
    for (const args of [['diff', repo], ['check', repo, broken], ['diff', '--json', repo], ['diff', '--help'], ['diff', '--colour', 'x']]) {
      expect(redirected(args), args.join(' ')).toEqual(runCli(args, { env: { NO_COLOR: '' } }));
    }
  });

  it('to the null device, exits as it would on a pipe', () => {
    const broken = join(tempDir(), 'broken.py');
    writeFileSync(broken, 'def f(:\n');
    for (const [args, code] of [[['diff', EXAMPLE_TRAINER], 0], [['check', broken], 2]] as const) {
      expect(spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: 'ignore' }).status).toBe(code);
    }
  });
});
