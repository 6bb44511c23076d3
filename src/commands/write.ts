/**
 * What apply and revert share: plan the run, refuse it as a whole when any target is refused or
 * broken, write it as a whole (io/commit.ts), and report.
 */
import { ExitCode } from '../errors.js';
import { commitFailureMessage, commitWrites, type CommitResult } from '../io/commit.js';
import type { Verification } from '../io/python3.js';
import { flagOverride } from '../hydra.js';
import { afterApplyLines } from '../output/nextSteps.js';
import { jsonError, type Printer } from '../output/printer.js';
import { checkoutLines, jsonReport, problemOf, summaryOf } from '../output/runReport.js';
import { exitCodeOf, interpreterFor } from '../run.js';
import type { RunResult } from '../runResult.js';
import type { TargetOptions } from './options.js';
import { planCommandRun, whereVerlLivesNotes } from './patchRun.js';

/** `verify` is false with --no-verify (apply only): skip compiling the written files with python3. */
export type WriteOptions = TargetOptions & { verify?: boolean };

type WriteVerb = 'apply' | 'revert';

export function writeCommand(verb: WriteVerb, targets: string[], options: WriteOptions, out: Printer): ExitCode {
  const run = planCommandRun(verb, targets, options, verb === 'apply' ? 'patch' : 'revert', out);
  const { result } = run;
  const verify = verb === 'apply' && options.verify !== false;
  let exitCode = exitCodeOf(result);
  let commit: CommitResult | undefined;
  if (exitCode === ExitCode.Ok) {
    commit = commitWrites(
      result.files.flatMap((file) =>
        file.change && file.source
          ? [{ path: file.path, before: file.source.bytes, after: Buffer.from(file.change.after, 'utf8'), python: file.kind === 'trainer' ? interpreterFor(file.path, run.imported?.executable) : undefined }]
          : [],
      ),
      { verify },
    );
    if (commit.status === 'failed') exitCode = commit.error.exitCode;
  }
  const failure = commit?.status === 'failed' ? commit : undefined;
  const verification = commit?.status === 'written' ? commit.verification : undefined;
  const keyDeclared = isKeyDeclared(result);
  if (options.json) {
    const next = verb === 'apply' && exitCode === ExitCode.Ok ? { nextOverride: flagOverride(keyDeclared) } : {};
    const failed = failure ? { error: jsonError(exitCode, commitFailureMessage(failure), failure.error.file ?? null) } : {};
    out.json(jsonReport(verb, result, exitCode, { written: exitCode === ExitCode.Ok, verify: verifyReport(verb, verify, verification), ...next, ...failed }));
    return exitCode;
  }
  reportWrites(verb, result, exitCode, out);
  if (failure) out.error(commitFailureMessage(failure));
  else if (exitCode !== ExitCode.Ok && result.files.some((f) => f.plan.status === 'change')) out.error('nothing was written: every target of a run must be patchable');
  if (verification?.status === 'unavailable') out.note(`not verified: ${verification.reason}, so the written files were not compiled (--no-verify skips this check)`);
  if (exitCode === ExitCode.Ok && commit?.status === 'written') whereVerlLivesNotes(run, { targets, ...options }).forEach((line) => out.note(line));
  if (verb === 'apply' && exitCode === ExitCode.Ok) afterApplyLines(keyDeclared, { targets, ...options }).forEach((line) => out.note(line));
  return exitCode;
}

/**
 * After this run, does every trainer YAML it covered declare the key (so that the plain override
 * passes Hydra's struct mode)? Not when it covered none: a run on trainer files alone cannot know.
 */
function isKeyDeclared(result: RunResult): boolean {
  const configs = result.files.filter((f) => f.kind === 'config');
  return configs.length > 0 && configs.every((f) => f.plan.status === 'change' || f.plan.status === 'unchanged');
}

function reportWrites(verb: WriteVerb, result: RunResult, exitCode: ExitCode, out: Printer): void {
  checkoutLines(result).forEach((line) => out.note(line));
  const done = exitCode === ExitCode.Ok;
  for (const file of result.files) {
    const status = file.plan.status;
    if (status === 'change' && done) out.info(`${verb === 'apply' ? 'patched' : 'reverted'} ${file.path} (${summaryOf(file)})`);
    else if (status === 'unchanged') out.info(verb === 'apply' ? `already patched ${file.path}` : `not patched ${file.path}: nothing to revert`);
    else if (status !== 'change') out.problem(problemOf(file));
  }
  result.problems.forEach((p) => out.error(`${p.path}: ${p.reason}`));
}

/** The JSON `verify` field: what python3 said about the written files, or why it was not asked. */
function verifyReport(verb: WriteVerb, verify: boolean, verification: Verification | undefined) {
  if (verb !== 'apply') return null;
  if (!verify) return { status: 'skipped', reason: '--no-verify' };
  if (!verification) return null; // nothing was written
  if (verification.status === 'compiled') return { status: 'compiled', python: verification.python, files: verification.files };
  if (verification.status === 'unavailable') return { status: 'unavailable', reason: verification.reason };
  return { status: 'failed', python: verification.python, failures: verification.failures };
}
