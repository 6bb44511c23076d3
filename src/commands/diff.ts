/** `diff`: print the unified diff that guards every actor load (or write it to a file); change nothing. */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, ToolError } from '../errors.js';
import { writeFileCreatingFolders } from '../io/atomicWrite.js';
import { colorDiff } from '../output/color.js';
import { patchFileName } from '../output/patchName.js';
import { regularFilePathOf } from '../output/stdio.js';
import { realPath } from '../io/paths.js';
import { jsonError, type Printer } from '../output/printer.js';
import { checkoutLines, copiesOf, jsonReport, problemOf } from '../output/runReport.js';
import { shellWord } from '../hydra.js';
import { exitCodeOf } from '../run.js';
import type { RunResult } from '../runResult.js';
import { isDirectory } from '../io/paths.js';
import { addTargetOptions, addVerifyOption, OUTPUT_DEFAULTS, patchVerb, type TargetOptions } from './options.js';
import { planCommandRun } from './patchRun.js';

interface DiffOptions extends TargetOptions {
  output?: string;
}

/** What `diff` gets when its command line names only paths (src/cli.ts). */
export const diffDefaults = (): DiffOptions => ({ ...OUTPUT_DEFAULTS, verify: true });

const diffVerb = patchVerb('diff', diffDefaults, diffCommand);

/** `diff PATH...`, options all left at their defaults: src/cli.ts runs it without commander. */
export const pathsOnly = diffVerb.pathsOnly;

export function registerDiff(program: Command): void {
  addVerifyOption(addTargetOptions(program.command('diff')), '; by default a file it cannot compile is malformed (exit 2), as apply reports it')
    .description('print a unified diff (for review, git apply, patch -p1) that guards the actor load; change nothing')
    .option('-o, --output <path>', 'write the diff to this file instead of stdout, making missing folders; given a folder (or a path ending in /), name it after the VeRL release (verl-0.9.0-load-critic-only.patch)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  verl-critic-patch diff ~/src/verl > load-critic-only.patch\n' +
        '  verl-critic-patch diff verl/trainer/ppo/ray_trainer.py | git apply\n' +
        '  verl-critic-patch diff --output patches/ ~/src/verl    # writes patches/verl-<release>-load-critic-only.patch',
    )
    .action(diffVerb.action);
}

export function diffCommand(targets: string[], options: DiffOptions, out: Printer): ExitCode {
  const { result } = planCommandRun('diff', targets, options, 'patch', out);
  let exitCode = exitCodeOf(result);
  const output = options.output === undefined ? undefined : writeOutput(options.output, result, exitCode, options);
  if (output?.error) exitCode = output.error.exitCode;
  if (options.json) {
    if (output?.createdFolder) out.note(createdNote(output.createdFolder));
    const failed = output?.error ? { error: jsonError(output.error.exitCode, output.error.message, output.error.file ?? null) } : {};
    const extra = output ? { output: output.path ?? null, ...failed } : {};
    out.json(jsonReport('diff', result, exitCode, extra));
    return exitCode;
  }
  const changed = result.files.some((file) => file.change);
  checkoutLines(result).forEach((line) => out.note(line));
  for (const file of result.files) {
    if (file.change) {
      if (!output) out.data(out.color ? colorDiff(file.change.diff.text) : file.change.diff.text);
    } else if (file.plan.status === 'unchanged') out.note(`${file.path}: already patched, nothing to change`);
    else out.problem(problemOf(file));
  }
  result.problems.forEach((p) => out.error(`${p.path}: ${p.reason}`));
  if (output?.error) out.error(output.error.message);
  else if (output?.path) {
    if (output.createdFolder) out.note(createdNote(output.createdFolder));
    out.note(`wrote ${output.path}`);
  } else if (output?.skipped) (exitCode === ExitCode.Ok ? out.note(output.skipped) : out.error(output.skipped));
  if (changed && exitCode === ExitCode.Ok && !output?.error) applyWithLines(result, output?.path).forEach((line) => out.note(line));
  return exitCode;
}

/**
 * Where to apply the diff from: each folder its headers are relative to, with the patch file named
 * so that the line works as printed from that folder: the --output file, else the file stdout is
 * redirected to (`diff … > x.patch`), else (a terminal, a pipe, a system that does not say) a
 * placeholder that is clearly one.
 */
function applyWithLines(result: RunResult, written: string | undefined): string[] {
  const roots = [...new Set(result.scans.map((scan) => resolve(scan.applyRoot)))];
  const patchFile = written ?? regularFilePathOf(1);
  return roots.map((root) => {
    const patch = patchFile === undefined ? PATCH_PLACEHOLDER : shellWord(pathFrom(root, patchFile));
    return `apply with: cd ${shellWord(root)} && git apply ${patch}   (or: patch -p1 < ${patch})`;
  });
}

/** What the apply line says when it cannot know where the diff was saved. */
const PATCH_PLACEHOLDER = '<patch file>';

/**
 * `file` as seen from `folder` after `cd folder`: relative to it when that is shorter than the
 * absolute path, else absolute. Both are taken through their symlinks: `..` after a `cd` is the
 * real parent, which git and patch open.
 */
function pathFrom(folder: string, file: string): string {
  const absolute = realPath(resolve(file));
  const fromFolder = relative(realPath(folder), absolute);
  return fromFolder !== '' && !isAbsolute(fromFolder) && fromFolder.length < absolute.length ? fromFolder : absolute;
}

interface OutputResult {
  path?: string; // written
  createdFolder?: string; // made for it
  skipped?: string; // why nothing was written
  error?: ToolError;
}

/**
 * `--output PATH`: the whole diff of the run, uncoloured, written atomically. A folder (one that
 * exists, or any path ending in `/`) gets a file named by `patchFileName`; any other path is the
 * file. Missing folders on the way are made (`-o patches/`, `-o reviews/new/x.patch`), only when
 * the patch is written. Only a complete patch is written: nothing when a target is refused or
 * broken (a partial patch would look complete to a reviewer), nor when there is nothing to change.
 */
function writeOutput(target: string, result: RunResult, exitCode: ExitCode, selection: TargetOptions): OutputResult {
  const looseFiles = result.files.filter((file) => result.scans.some((scan) => scan.scope === 'file' && scan.arg === file.path)).map((file) => file.path);
  const part = selection.only ?? (selection.exclude?.length ? 'partial' : undefined);
  const folder = isDirectory(target) || target.endsWith('/') || target.endsWith(sep);
  const path = folder ? join(target, patchFileName(copiesOf(result).map((c) => c.version), looseFiles, part)) : target;
  if (exitCode !== ExitCode.Ok) return { skipped: `nothing written to ${path}: every target must be patchable for a complete patch` };
  const text = result.files.map((file) => file.change?.diff.text ?? '').join('');
  if (text === '') return { skipped: `nothing to change, so nothing written to ${path}` };
  try {
    const createdFolder = writeFileCreatingFolders(path, text);
    return { path, createdFolder };
  } catch (error) {
    if (error instanceof ToolError) return { error };
    throw error;
  }
}

/** `note: created folder patches/`, for a folder --output made. */
function createdNote(folder: string): string {
  return `note: created folder ${folder.endsWith('/') || folder.endsWith(sep) ? folder : `${folder}${sep}`}`;
}
