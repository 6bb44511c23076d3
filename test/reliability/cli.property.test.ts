/**
 * Generated cases end to end through the built CLI (fewer than in-process: a spawn costs ~150 ms):
 * `diff`, then `apply` of each file, exactly as a user runs them. For every case the exit code is
 * 0, 1 or 2, equals the in-process model's (so the thousands of in-process cases speak for the
 * CLI), and stderr holds no stack trace and no "internal error". On 0 the file is the model's
 * patched text, python3 compiled it (apply's own check, in --json), `git apply` of the printed diff
 * gives the same bytes, a second apply changes nothing and revert gives back the input byte for
 * byte; on 1 or 2 the file is unchanged. No temp file is ever left behind.
 *
 * Also: an empty file, and a 20 MB file (a 20 MB string literal in a trainer by default;
 * VCP_BIG_CODE=1 makes it 20 MB of code, which takes minutes).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { git, gitRepo, hasStackTrace, tempDir, writeFile } from '../helpers/cli.js';
import { checkWithPython } from './batch.js';
import { ALL_FIXTURES, buildCase, caseSpec, describeCase, FIXTURE_DIR } from './cases.js';
import { leftoverTemps, pool, runCliAsync, type TimedResult } from './cliAsync.js';
import { modelApply } from './model.js';
import { BIG_CODE, CLI_RUNS, SEED, reportFigures } from './settings.js';
import { GIT, PYTHON3, skipFileWithout } from '../helpers/systemPackages.js';

skipFileWithout(GIT, PYTHON3);

function clean(result: TimedResult, what: string): string[] {
  const problems: string[] = [];
  if (![0, 1, 2].includes(result.code)) problems.push(`${what}: exit ${result.code} (signal ${result.signal})`);
  if (hasStackTrace(result.stderr) || hasStackTrace(result.stdout)) problems.push(`${what}: stack trace: ${result.stderr.slice(0, 500)}`);
  if (/internal error/.test(result.stderr)) problems.push(`${what}: internal error: ${result.stderr.slice(0, 500)}`);
  return problems;
}

describe('generated cases through the built CLI', () => {
  it(`${CLI_RUNS} cases: diff, apply, apply again, revert`, async () => {
    const started = Date.now();
    const fixtures = ALL_FIXTURES;
    const specs = fc.sample(caseSpec({ poolSize: fixtures.length }), { numRuns: CLI_RUNS, seed: SEED });
    const repo = gitRepo();
    const cases = specs.map((spec, i) => {
      const built = buildCase(spec, fixtures);
      const rel = `cases/${i}.py`;
      writeFile(join(repo, rel), built.bytes);
      return { spec, rel, bytes: built.bytes, model: modelApply(built.bytes, rel) };
    });
    // What python3 says decides every verb's outcome for files tree-sitter accepts and CPython does
    // not (diff, check and apply compile the trainer first); and apply's, for a patch it cannot compile.
    const verdicts = await checkWithPython(
      cases.flatMap((c, i) =>
        c.model.status === 'change' || c.model.status === 'unchanged'
          ? [{ id: String(i), original: c.bytes, ...(c.model.status === 'change' && { patched: Buffer.from(c.model.after!, 'utf8') }), stub: false }]
          : [],
      ),
    );

    const tally: Record<string, number> = {};
    let spawns = 0;
    const diffs: string[] = [];
    const problemsOf = await pool(
      cases.map((c, i) => async () => {
        const problems: string[] = [];
        const run = async (args: string[]) => {
          spawns++;
          const result = await runCliAsync(args, { cwd: repo });
          problems.push(...clean(result, args.join(' ')));
          return result;
        };
        const verdict = verdicts.get(String(i));
        const rejected = verdict !== undefined && verdict.original.compile !== null;
        const rolledBack = verdict?.patched != null && verdict.patched.compile !== null;
        const diffExit = rejected ? 2 : c.model.exit;
        const expectedExit = rejected ? 2 : rolledBack ? 1 : c.model.exit;

        const diff = await run(['diff', c.rel]);
        if (diff.code !== diffExit) problems.push(`diff exit ${diff.code}, expected ${diffExit} (model ${c.model.exit}): ${diff.stderr.trim()}`);
        if (c.model.status === 'change' && !rejected && diff.stdout !== c.model.diff) problems.push('diff output is not the model diff');
        if (c.model.status === 'change' && !rejected && !rolledBack) diffs[i] = diff.stdout;

        const apply = await run(['apply', '--json', c.rel]);
        tally[`exit ${apply.code}`] = (tally[`exit ${apply.code}`] ?? 0) + 1;
        if (apply.code !== expectedExit) problems.push(`apply exit ${apply.code}, expected ${expectedExit}: ${apply.stderr.trim()} ${apply.stdout.slice(0, 300)}`);
        const now = readFileSync(join(repo, c.rel));
        if (apply.code === 0 && c.model.status === 'change') {
          if (!now.equals(Buffer.from(c.model.after!, 'utf8'))) problems.push('apply wrote something else than the model');
          const report = JSON.parse(apply.stdout) as { verify?: { status?: string } };
          if (report.verify?.status !== 'compiled') problems.push(`apply did not compile the file: ${JSON.stringify(report.verify)}`);
          const again = await run(['apply', c.rel]);
          if (again.code !== 0 || !readFileSync(join(repo, c.rel)).equals(now)) problems.push(`second apply: exit ${again.code}, or the file changed`);
          const revert = await run(['revert', c.rel]);
          if (revert.code !== 0) problems.push(`revert exit ${revert.code}: ${revert.stderr.trim()}`);
          if (!readFileSync(join(repo, c.rel)).equals(c.bytes)) problems.push('revert did not give back the input byte for byte');
        } else if (!now.equals(c.bytes)) {
          problems.push(`apply exited ${apply.code} and changed the file`);
        }
        return problems.map((p) => `${p}\n  case ${i}: ${describeCase(c.spec, fixtures)}`);
      }),
      3,
    );
    expect(problemsOf.flat()).toEqual([]);
    expect(leftoverTemps(join(repo, 'cases'))).toEqual([]);

    // git apply of every printed diff, on the untouched originals, gives what apply wrote.
    const other = tempDir('vcp-gitapply-');
    git(other, 'init', '-q');
    const applied = cases.flatMap((c, i) => (diffs[i] ? [i] : []));
    for (const i of applied) writeFile(join(other, cases[i]!.rel), cases[i]!.bytes);
    const patchFile = join(tempDir('vcp-patch-'), 'all.patch');
    writeFileSync(patchFile, applied.map((i) => diffs[i]).join(''));
    const gitApply = git(other, 'apply', '--whitespace=nowarn', patchFile);
    expect(gitApply.stderr).toBe('');
    for (const i of applied) expect(readFileSync(join(other, cases[i]!.rel)).equals(Buffer.from(cases[i]!.model.after!, 'utf8')), `case ${i}`).toBe(true);

    reportFigures('cli cases', { cases: CLI_RUNS, spawns, gitApplied: applied.length, outcomes: tally, seconds: Math.round((Date.now() - started) / 1000) });
  }, 900_000);

  it('an empty file: exit 1 (no _load_checkpoint), unchanged, one line', async () => {
    const dir = tempDir();
    writeFile(join(dir, 'empty.py'), '');
    for (const verb of ['diff', 'apply', 'check', 'revert']) {
      const result = await runCliAsync([verb, 'empty.py'], { cwd: dir });
      expect(clean(result, verb)).toEqual([]);
      expect(result.code, `${verb}: ${result.stderr}`).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(readFileSync(join(dir, 'empty.py')).length).toBe(0);
    }
  });

  it(`a 20 MB file (${BIG_CODE ? '20 MB of code' : 'a trainer with a 20 MB string literal'}): apply, apply again, revert`, async () => {
    const dir = tempDir('vcp-big-');
    const fixture = readFileSync(join(FIXTURE_DIR, 'v0_9_keyword_only.py'), 'utf8');
    const size = 20 * 1024 * 1024;
    let text: string;
    if (BIG_CODE) {
      const parts = [fixture];
      let length = fixture.length;
      for (let i = 0; length < size; i++) {
        const part = `\n\ndef helper_${i}(a, b=2):\n    # comment ${i}: caf\u00e9\n    x = a + b * ${i}\n    return [x, "text ${i}"]\n`;
        parts.push(part);
        length += part.length;
      }
      text = parts.join('');
    } else {
      const line = `${'x'.repeat(60)} caf\u00e9 \u4e2d\u6587 ${'y'.repeat(29)}\n`;
      text = `"""Bulk: a 20 MB module docstring.\n${line.repeat(Math.ceil(size / Buffer.byteLength(line)))}"""\n${fixture}`;
    }
    const original = Buffer.from(text, 'utf8');
    writeFileSync(join(dir, 'big.py'), original);
    const timeoutMs = BIG_CODE ? 30 * 60_000 : 5 * 60_000;
    const apply = await runCliAsync(['apply', '--json', 'big.py'], { cwd: dir, timeoutMs });
    expect(clean(apply, 'apply')).toEqual([]);
    expect(apply.code, apply.stderr).toBe(0);
    const report = JSON.parse(apply.stdout) as { verify: { status: string } };
    const patched = readFileSync(join(dir, 'big.py'));
    expect(patched.length).toBeGreaterThan(original.length);
    expect(patched.includes('load_critic_only')).toBe(true);
    const again = await runCliAsync(['apply', 'big.py'], { cwd: dir, timeoutMs });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir, 'big.py')).equals(patched)).toBe(true);
    const revert = await runCliAsync(['revert', 'big.py'], { cwd: dir, timeoutMs });
    expect(revert.code, revert.stderr).toBe(0);
    expect(readFileSync(join(dir, 'big.py')).equals(original)).toBe(true);
    expect(leftoverTemps(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
    reportFigures('20 MB file', {
      bytes: original.length,
      kind: BIG_CODE ? 'code' : 'string literal',
      applySeconds: +(apply.ms / 1000).toFixed(1),
      verify: report.verify.status,
      secondApplySeconds: +(again.ms / 1000).toFixed(1),
      revertSeconds: +(revert.ms / 1000).toFixed(1),
    });
  }, BIG_CODE ? 3_600_000 : 900_000);
});
