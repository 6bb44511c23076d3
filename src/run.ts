/**
 * One run of a patch verb up to the point of writing: resolve the command line into target files
 * (src/targets.ts), read each (io/readSource.ts), and plan each with the pure core (src/planner.ts).
 * Nothing is written here: apply and revert hand the changes to io/commit.ts.
 *
 * A folder's scan finds files that turn out to hold nothing this tool edits (a helper that only
 * mentions the actor's worker group, a subclass that calls super(), an SFT config, a VeRL copy too
 * old to resume from checkpoints): those are passed over, with their reasons (`skipped`). What is
 * named on the command line, and VeRL's own main trainer and config, is a target whatever it
 * holds; their refusals fail the run, except that a copy too old for checkpoint resume is left
 * alone whole when the run has other trainers to patch, and that a package laid out like VeRL's
 * whose main trainer is a subclass is the project's, not a VeRL copy.
 */
import { relative, resolve } from 'node:path';
import { applyEdits } from './edits.js';
import { exitCodeFor, ExitCode, ToolError, worstExitCode } from './errors.js';
import { realPath, toPosix } from './io/paths.js';
import { DEFAULT_PYTHON, environmentPython } from './io/interpreter.js';
import { compilePythonFiles, OTHER_PYTHON_HINT, type CompileFailure } from './io/python3.js';
import { launcherPython } from './verl/launcherPython.js';
import { readSource, type SourceFile } from './io/readSource.js';
import { unifiedDiff, type FileDiff } from './diffText.js';
import type { Direction, Plan } from './plan.js';
import { planText } from './planner.js';
import type { Selection } from './scan/select.js';
import { isMainTrainer } from './verl/trainers.js';
import { venvPythonsWithVerl } from './verl/venvs.js';
import { shellWord } from './hydra.js';
import { copyOf, resolveArgument, type Target, type VerlCopy } from './targets.js';
import type { PlannedFile, RunResult, Scan } from './runResult.js';

export interface RunOptions extends Selection {
  direction: Direction;
  /**
   * Compile every trainer a patch plans with CPython (the interpreter that runs it: `python`, else
   * the environment's whose site-packages holds it, else python3), so that diff, check and apply
   * give one verdict on a file CPython rejects; a revert asks it only where tree-sitter found an
   * error, for its line. Off: tree-sitter's parse alone decides.
   */
  verify?: { python?: string } | false;
}

export function planRun(args: readonly string[], options: RunOptions): RunResult {
  const result: RunResult = { scans: [], files: [], skipped: [], problems: [] };
  const seen = new Set<string>();
  // Every argument is resolved before any file is planned, so a bad one fails the run at once.
  for (const { targets, ...resolved } of args.map((arg) => resolveArgument(arg, options))) {
    const firstPlans = targets.flatMap((target) => {
      // Two arguments naming one file (through symlinks, too) plan it once.
      const key = realPath(target.path);
      if (seen.has(key)) return [];
      seen.add(key);
      return [{ target, file: planFile(target, resolved.applyRoot, options.direction) }];
    });
    const { scan, planned } = resolved.scope === 'file' ? { scan: resolved, planned: firstPlans } : withoutProjectPackages(resolved, firstPlans);
    result.scans.push(scan);
    const patchesTrainers = planned.some(({ file }) => file.kind === 'trainer' && (file.plan.status === 'change' || file.plan.status === 'unchanged'));
    const tooOld = scan.scope === 'file' ? new Map<VerlCopy, string>() : copiesTooOld(planned);
    const kept: PlannedFile[] = [];
    const skipped: RunResult['skipped'] = [];
    for (const { target, file } of planned) {
      const reason = passOverReason(target, file, tooOld, patchesTrainers);
      if (reason !== undefined) skipped.push({ path: file.path, kind: file.kind, reason });
      else kept.push(withCopyHint(file, scan));
    }
    result.files.push(...kept);
    result.skipped.push(...skipped);
    const problem = scan.scope === 'file' ? undefined : noTrainerProblem(scan, kept, skipped, options);
    if (problem) result.problems.push(problem);
  }
  if (options.verify) verifyWithCPython(result, options.verify.python, options.direction);
  return result;
}

/**
 * The interpreter that judges a file: --python's, its environment's, the PyPI launcher's (the
 * Python the tool was installed into, there even where no python3 is on PATH), or python3 on PATH.
 */
export function interpreterFor(path: string, python: string | undefined): string {
  return python ?? environmentPython(path) ?? launcherPython() ?? DEFAULT_PYTHON;
}

/**
 * CPython's verdict on the trainers as they are, one interpreter run per interpreter (one in all
 * but the rarest runs): a file it cannot compile is malformed for every verb, at the line and with
 * the message it gives, naming the interpreter and its version. tree-sitter recovers from errors
 * CPython does not (an indentation error), and reads syntax newer than the interpreter's (PEP 701
 * f-strings for a 3.11): without this, diff and check passed files that apply then refused.
 */
function verifyWithCPython(result: RunResult, python: string | undefined, direction: Direction): void {
  // A revert removes what this tool wrote: CPython only locates the errors tree-sitter found.
  const statuses = direction === 'patch' ? ['change', 'unchanged', 'malformed'] : ['malformed'];
  const judged = result.files.filter((file) => file.kind === 'trainer' && file.source && statuses.includes(file.plan.status));
  const byInterpreter = new Map<string, PlannedFile[]>();
  for (const file of judged) {
    const interpreter = interpreterFor(file.path, python);
    byInterpreter.set(interpreter, [...(byInterpreter.get(interpreter) ?? []), file]);
  }
  for (const [interpreter, files] of byInterpreter) {
    const verification = compilePythonFiles(files.map((file) => file.path), interpreter);
    if (verification.status === 'unavailable') {
      result.unverified ??= verification.reason;
      continue;
    }
    if (verification.status !== 'failed') continue;
    for (const failure of verification.failures) {
      const file = files.find((f) => f.path === failure.path);
      if (!file) continue;
      // --python's interpreter, or the environment's holding the file, is VeRL's own: no other to name.
      const own = python !== undefined || environmentPython(file.path) !== undefined;
      Object.assign(file, { plan: rejectedByCPython(file.plan, failure, `${interpreter} ${verification.python}`, own), change: undefined });
    }
  }
}

function rejectedByCPython(plan: PlannedFile['plan'], failure: CompileFailure, python: string, ownInterpreter: boolean): Plan {
  const [type, ...text] = failure.message.split(': ');
  const what = `Python syntax error: ${text.join(': ') || type} (${type}, ${python})`;
  // tree-sitter read the file: the grammar is newer than the interpreter, or this is an error only
  // CPython sees. Either way the interpreter named decides, and the user may know a better one.
  // --python and target paths exclude each other: the other Python is named in place of the path.
  const hint = plan.status === 'malformed' ? '' : ownInterpreter ? '; --no-verify skips this check' : `; ${OTHER_PYTHON_HINT}`;
  return { status: 'malformed', reason: `${what}${hint}`, ...(failure.line !== undefined && { line: failure.line }) };
}

/**
 * A folder whose scan leaves no trainer to patch is a problem of the run, saying what was found
 * and why each was passed over (exit 1); a folder with no VeRL copy and nothing that even looks
 * like a trainer is most likely the wrong folder (exit 2). No problem when `--only` picked a
 * config, which needs no trainer.
 */
function noTrainerProblem(scan: Scan, kept: readonly PlannedFile[], skipped: RunResult['skipped'], selection: Selection): RunResult['problems'][number] | undefined {
  if (kept.some((file) => file.kind === 'trainer')) return undefined;
  if (selection.only !== undefined) {
    if (kept.length > 0) return undefined;
    return { path: scan.arg, reason: `no trainer matching --only ${selection.only} loads an actor checkpoint`, exitCode: ExitCode.Refused };
  }
  const reasons = skipped.filter((file) => file.kind === 'trainer').map((file) => `${file.path}: ${file.reason}`);
  if (reasons.length === 0 && scan.copies.length === 0) {
    const what = 'holds no VeRL copy (no verl/trainer/ppo/ray_trainer.py or trainer/main_ppo.py) and no trainer that calls self.actor_rollout_wg.load_checkpoint(...)';
    const venvs = venvPythonsWithVerl(scan.arg);
    const next = venvs.length > 0 ? inVenvHint(venvs) : 'name the folder of your VeRL checkout or project';
    return { path: scan.arg, reason: `${what}; ${next}`, exitCode: ExitCode.BadInput };
  }
  const found = reasons.length === 0 ? 'no file in it calls self.actor_rollout_wg.load_checkpoint(...)' : reasons.slice(0, 3).join('; ') + (reasons.length > 3 ? `; and ${reasons.length - 3} more` : '');
  // A project whose VeRL is installed, not vendored: the trainer to patch is in site-packages.
  const venvs = scan.copies.length === 0 ? venvPythonsWithVerl(scan.arg) : [];
  const elsewhere =
    scan.copies.length === 0 ? (venvs.length > 0 ? ` (VeRL itself is not in this folder's files: ${inVenvHint(venvs)})` : ' (VeRL itself is not in this folder: --python patches the verl your Python imports)') : '';
  return { path: scan.arg, reason: `no trainer under this folder loads an actor checkpoint: ${found}${elsewhere}`, exitCode: ExitCode.Refused };
}

/**
 * VeRL installed in a virtual environment inside the folder, which a scan passes over (scan/walk.ts):
 * the --python that targets it, as a path from where the user is (`.venv/bin/python` for `.`).
 */
function inVenvHint(pythons: readonly string[]): string {
  const [first, ...others] = pythons.map((python) => `--python ${shellWord(python)}`);
  return `its VeRL is installed in a virtual environment, which a folder scan passes over: run with ${first}${others.length > 0 ? ` (or ${others.join(', or ')})` : ''}`;
}

const NOT_PPO_NOTHING_TO_REVERT = 'not a PPO trainer config (no PPO launch reads it), and nothing of this tool to revert in it';

type Planned = { target: Target; file: PlannedFile };

/**
 * A package that a scan took for a VeRL copy by its files (`<pkg>/trainer/ppo/ray_trainer.py`)
 * but whose main trainer is a subclass of another trainer (it inherits `_load_checkpoint`, or only
 * calls the parent's) is the project's own package laid out like VeRL's: VeRL's main trainer
 * defines the method. Its files are the project's, found by the scan like any other (so that
 * trainer is left alone with its reason), or belong to a VeRL copy around it.
 */
function withoutProjectPackages(scan: Scan, planned: Planned[]): { scan: Scan; planned: Planned[] } {
  const notVerl = new Set(
    planned.filter(({ file }) => file.copy && file.plan.status === 'refused' && file.plan.code === 'subclass' && isMainTrainer(file.copy, file.path)).map(({ file }) => file.copy),
  );
  if (notVerl.size === 0) return { scan, planned };
  const copies = scan.copies.filter((copy) => !notVerl.has(copy));
  return {
    scan: { ...scan, copies },
    planned: planned.map(({ target, file }) => {
      if (!notVerl.has(file.copy)) return { target, file };
      const copy = copyOf(file.path, copies);
      return { target: { ...target, explicit: false, copy }, file: { ...file, copy } };
    }),
  };
}

/**
 * The copies whose main trainer has no checkpoint method at all (VeRL v0.1: resume came in v0.2),
 * with that trainer's reason.
 */
function copiesTooOld(planned: readonly Planned[]): Map<VerlCopy, string> {
  const old = new Map<VerlCopy, string>();
  for (const { file } of planned) {
    const plan = file.plan;
    if (file.copy && plan.status === 'refused' && plan.code === 'no-checkpoint-method' && isMainTrainer(file.copy, file.path)) old.set(file.copy, plan.reason);
  }
  return old;
}

/**
 * Why a scan passes a file over, or undefined when it is kept (patched, or refused: that fails the
 * run). A file that holds nothing this tool edits is passed over unless it was named or is VeRL's
 * own main trainer or config. A copy too old for checkpoint resume is left alone whole, its YAMLs
 * too, for its trainer's one reason; that trainer's refusal fails the run only when the run
 * patches no other trainer.
 */
function passOverReason(target: Target, file: PlannedFile, tooOld: ReadonlyMap<VerlCopy, string>, patchesTrainers: boolean): string | undefined {
  const plan = file.plan;
  const oldCopy = file.copy && tooOld.get(file.copy);
  if (oldCopy) return patchesTrainers || !isMainTrainer(file.copy!, file.path) ? oldCopy : undefined;
  // revert: a config no PPO launch reads, with nothing to remove, as `diff` passes it over.
  if (plan.status === 'unchanged' && plan.notATarget && !target.explicit) return NOT_PPO_NOTHING_TO_REVERT;
  if (plan.status !== 'refused' || !plan.notATarget || target.explicit) return undefined;
  // A file without any checkpoint method that a scan found only because it mentions the actor's
  // load is not an old VeRL, whatever the planner says of a trainer.
  return plan.code === 'no-checkpoint-method' ? 'no class in it has a _load_checkpoint method (it only mentions the actor load)' : plan.reason;
}

/** In a folder with several VeRL copies, a refusal in one of them says how to leave that copy out. */
function withCopyHint(file: PlannedFile, scan: Scan): PlannedFile {
  if (scan.copies.length < 2 || !file.copy || file.plan.status !== 'refused') return file;
  const copyPath = toPosix(relative(resolve(scan.arg), resolve(file.copy.root))) || '.';
  const release = file.copy.version ? `VeRL ${file.copy.version}` : 'VeRL';
  const hint = ` (in the ${release} copy at ${copyPath}; --exclude ${copyPath} leaves it out)`;
  return { ...file, plan: { ...file.plan, reason: `${file.plan.reason}${hint}` } };
}

function planFile(target: Target, applyRoot: string, direction: Direction): PlannedFile {
  const diffPath = toPosix(relative(resolve(applyRoot), resolve(target.path)));
  const base = { path: target.path, diffPath, kind: target.kind, copy: target.copy };
  let source: SourceFile;
  try {
    source = readSource(target.path);
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    return { ...base, plan: { status: 'unreadable', reason: error.reason }, source: undefined, change: undefined };
  }
  const plan = planText(target.kind, direction, source.text, target.path);
  if (plan.status !== 'change') return { ...base, plan, source, change: undefined };
  return { ...base, plan, source, change: changeOf(base.diffPath, source.text, plan.after ?? applyEdits(source.text, plan.edits)) };
}

/** The new text, and its diff made when first read: `check` prints none, so it never makes one. */
function changeOf(diffPath: string, before: string, after: string): PlannedFile['change'] {
  let diff: FileDiff | undefined;
  return {
    after,
    get diff() {
      return (diff ??= unifiedDiff(diffPath, before, after));
    },
  };
}

export function exitCodeOf(result: RunResult): ExitCode {
  return worstExitCode([...result.problems.map((p) => p.exitCode), ...result.files.map((f) => exitCodeFor(f.plan.status))]);
}
