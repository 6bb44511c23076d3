/**
 * Property tests of `apply` and `revert` over generated cases, in-process against the pure core
 * the CLI runs (see model.ts), with the Python and git checks batched (batch.ts):
 *
 * - every case: no exception (an exception would be the CLI's "internal error"), exit 0, 1 or 2;
 * - on a patch: a second apply is a no-op, revert gives back the input byte for byte, the BOM
 *   stays, the diff applied by `git apply` is byte for byte what apply writes; the patched file
 *   compiles with CPython whenever the input does (and `ast.parse`s whenever the input does), and
 *   runs right under the stub harness (cases without byte-level damage);
 * - revert after the patched file was re-indented, given other line endings, a BOM or a lost final
 *   line break still gives back the original with the same edits, and applying the guard commutes
 *   with those edits.
 *
 * Run sizes: see settings.ts (VCP_PROPERTY_RUNS and friends). Failing inputs are written under
 * $TMPDIR/vcp-failures-<seed>/ so they can be replayed with the CLI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/edits.js';
import { planTrainerText } from './model.js';

import { checkWithGitApply, checkWithPython, type GitCase, type PythonCase } from './batch.js';
import { ALL_FIXTURES, PATCHABLE, buildCase, caseSpec, describeCase, structural, wholeFile, type CaseSpec, type EolStyle, type IndentStyle } from './cases.js';
import { corePropertyViolations, modelApply, type ModelOutcome } from './model.js';
import { PROPERTY_RUNS, REVERT_RUNS, SEED, reportFigures } from './settings.js';
import { GIT, PYTHON3, skipFileWithout } from '../helpers/systemPackages.js';

skipFileWithout(GIT, PYTHON3);

const patchPlan = (text: string) => planTrainerText('patch', text);
const revertPlan = (text: string) => planTrainerText('revert', text);

const failureDir = join(tmpdir(), `vcp-failures-${SEED}`);

function keepFailure(id: string, files: Record<string, Buffer | string>): string {
  const dir = join(failureDir, id);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('apply over generated cases', () => {
  it(`${PROPERTY_RUNS} mutated fixtures: exit codes, idempotence, byte-exact revert, git apply, CPython, stubs`, async () => {
    const started = Date.now();
    const pool = ALL_FIXTURES;
    const tally: Record<string, number> = {};
    const count = (key: string) => (tally[key] = (tally[key] ?? 0) + 1);
    const patched = new Map<string, { spec: CaseSpec; bytes: Buffer; outcome: ModelOutcome; stub: boolean }>();
    const malformed = new Map<string, { spec: CaseSpec; bytes: Buffer }>();
    let next = 0;

    fc.assert(
      fc.property(caseSpec({ poolSize: pool.length }), (spec) => {
        const built = buildCase(spec, pool);
        const outcome = modelApply(built.bytes);
        const problems = corePropertyViolations(built.bytes, outcome);
        if (problems.length > 0) throw new Error(`${problems.join('; ')}\ncase: ${describeCase(spec, pool)}`);
        const id = String(next++);
        count(`exit ${outcome.exit} (${outcome.status})`);
        if (built.byteMutated) count(`byte-mutated, exit ${outcome.exit}`);
        if (outcome.status === 'change') patched.set(id, { spec, bytes: built.bytes, outcome, stub: !built.byteMutated });
        if (outcome.status === 'malformed') malformed.set(id, { spec, bytes: built.bytes });
      }),
      { numRuns: PROPERTY_RUNS, seed: SEED },
    );
    const coreSeconds = (Date.now() - started) / 1000;

    // git apply of every diff gives what apply writes.
    const gitCases: GitCase[] = [...patched].map(([id, c]) => ({ id, original: c.bytes, text: c.outcome.text!, after: c.outcome.after! }));
    const gitFailures = checkWithGitApply(gitCases);
    const gitReport = [...gitFailures].map(([id, why]) => `${why}: ${describeCase(patched.get(id)!.spec, pool)} (saved in ${keepFailure(id, { 'input.py': patched.get(id)!.bytes, 'patched.py': patched.get(id)!.outcome.after! })})`);
    expect(gitReport).toEqual([]);

    // CPython: the patched file compiles whenever the input does; stubs agree.
    const pythonCases: PythonCase[] = [
      ...[...patched].map(([id, c]) => ({ id, original: c.bytes, patched: Buffer.from(c.outcome.after!, 'utf8'), stub: c.stub })),
      ...[...malformed].map(([id, c]) => ({ id, original: c.bytes, stub: false })),
    ];
    const verdicts = await checkWithPython(pythonCases);
    const violations: string[] = [];
    let lenient = 0;
    let stubRuns = 0;
    let falseRefusals = 0;
    for (const [id, c] of patched) {
      const v = verdicts.get(id)!;
      const where = () => `${describeCase(c.spec, pool)} (saved in ${keepFailure(id, { 'input.py': c.bytes, 'patched.py': c.outcome.after! })})`;
      if (v.original.compile !== null) {
        lenient++; // tree-sitter accepted what CPython refuses: apply's python3 check rolls it back
        continue;
      }
      if (v.patched!.compile !== null) violations.push(`patched file does not compile (${v.patched!.compile}): ${where()}`);
      if (v.original.ast === null && v.patched!.ast !== null) violations.push(`patched file does not ast.parse (${v.patched!.ast}): ${where()}`);
      if (v.stub) {
        stubRuns++;
        if (!v.stub.ok) violations.push(`stub harness: ${v.stub.problems.join(' | ')}: ${where()}`);
      }
    }
    for (const [id] of malformed) if (verdicts.get(id)!.original.compile === null) falseRefusals++;
    expect(violations).toEqual([]);

    reportFigures('core apply', {
      cases: PROPERTY_RUNS,
      patched: patched.size,
      gitApplied: gitCases.length,
      compiledPairs: patched.size - lenient,
      stubRuns,
      treeSitterLenient: lenient,
      refusedAsMalformedButCompiles: falseRefusals,
      outcomes: tally,
      seconds: Math.round((Date.now() - started) / 1000),
      coreSeconds: Math.round(coreSeconds),
    });
  }, 900_000);
});

describe('revert and apply commute with whole-file edits', () => {
  const uniform = fc.record({
    indent: fc.constantFrom<IndentStyle>('keep', 'tabs', 'two', 'four'),
    eol: fc.constantFrom<EolStyle>('keep', 'lf', 'crlf'),
    bom: fc.constantFrom('keep' as const, 'add' as const, 'remove' as const),
    finalNewline: fc.constantFrom('keep' as const, 'drop' as const, 'double' as const),
  });
  const patchable = PATCHABLE.filter((f) => !f.name.startsWith('hand_guard_'));

  it(`${REVERT_RUNS} cases: revert(T(apply(x))) = T(x) and apply(T(x)) = T(apply(x))`, () => {
    let checked = 0;
    fc.assert(
      fc.property(caseSpec({ poolSize: patchable.length, bytes: false }), uniform, (spec, t) => {
        const fixture = patchable[spec.fixture % patchable.length]!;
        const base = structural(fixture, spec);
        const plan = patchPlan(base);
        if (plan.status !== 'change') return; // an inserted statement made it refusable: not this property's business
        const patchedBase = applyEdits(base, plan.edits);
        const T = (text: string) => wholeFile(text, { ...t, eolSeed: 0, trailingSpaces: [] }, fixture.info.unit);
        const tBase = T(base);
        const tPatched = T(patchedBase);
        const where = `${fixture.name} ${JSON.stringify({ spec, t })}`;

        const back = revertPlan(tPatched);
        if (back.status !== 'change') throw new Error(`revert after ${JSON.stringify(t)} is ${back.status} ${'reason' in back ? back.reason : ''}: ${where}`);
        expect(applyEdits(tPatched, back.edits), `revert(T(apply(x))) = T(x): ${where}`).toBe(tBase);

        const again = patchPlan(tPatched);
        expect(again.status, `apply(T(apply(x))) is a no-op: ${where}`).toBe('unchanged');

        const direct = patchPlan(tBase);
        if (direct.status !== 'change') throw new Error(`apply(T(x)) is ${direct.status} ${'reason' in direct ? direct.reason : ''}: ${where}`);
        expect(applyEdits(tBase, direct.edits), `apply(T(x)) = T(apply(x)): ${where}`).toBe(tPatched);
        checked++;
      }),
      { numRuns: REVERT_RUNS, seed: SEED },
    );
    reportFigures('revert commutes', { cases: REVERT_RUNS, checked });
  }, 600_000);
});
