/**
 * How much the reliability tests generate. The defaults keep `npm test` (and .ci/run) to a couple
 * of minutes on 2 cores; raise them for a longer hunt:
 *
 *   VCP_PROPERTY_RUNS=50000 npx vitest run test/reliability
 *
 *   VCP_PROPERTY_RUNS  in-process generated cases of `apply` (default 3000); the other counts
 *                      scale with it unless set themselves
 *   VCP_REVERT_RUNS    in-process cases of revert after whole-file edits (default RUNS / 10)
 *   VCP_CLI_RUNS       generated cases run end to end through the built CLI (default RUNS / 100)
 *   VCP_KILL_RUNS      SIGKILLs of `apply` at random moments (default RUNS / 100, at least 30)
 *   VCP_PROPERTY_SEED  replay a run: the seed is printed with every failure and every summary
 *   VCP_BIG_CODE=1     make the 20 MB case 20 MB of real code (minutes, ~3 GB of memory) instead
 *                      of a 20 MB string literal in a trainer file
 *   VCP_FIGURES        append each test's figures (JSON lines) to this file
 */
import { appendFileSync } from 'node:fs';
import { beforeEach } from 'vitest';

const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
};

export const PROPERTY_RUNS = int('VCP_PROPERTY_RUNS', 3000);
export const REVERT_RUNS = int('VCP_REVERT_RUNS', Math.max(100, Math.round(PROPERTY_RUNS / 10)));
export const CLI_RUNS = int('VCP_CLI_RUNS', Math.max(20, Math.round(PROPERTY_RUNS / 100)));
export const KILL_RUNS = int('VCP_KILL_RUNS', Math.max(30, Math.round(PROPERTY_RUNS / 100)));
export const SEED = int('VCP_PROPERTY_SEED', Math.floor(Math.random() * 2 ** 31));
export const BIG_CODE = process.env.VCP_BIG_CODE === '1';
/**
 * The time limit of a test whose size is one of the counts above: it catches a hang, not a slow
 * machine (the parser's 1,000 generated cases took 73 s on 2 busy cores, over vitest's 60 s).
 */
export const PROPERTY_TIMEOUT_MS = 900_000;

// Every test of a file that generates from SEED prints it when it fails, whatever failed (a
// property, a batch check after it, a timeout), so that any red run can be replayed.
beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`[reliability] failed with seed ${SEED}: replay with VCP_PROPERTY_SEED=${SEED}`));
});

/** Print a test's figures (and keep them in VCP_FIGURES when set) for the numbers in docs/development.md. */
export function reportFigures(test: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ test, seed: SEED, ...figures });
  console.log(`[reliability] ${line}`);
  if (process.env.VCP_FIGURES) appendFileSync(process.env.VCP_FIGURES, `${line}\n`);
}
