/**
 * The human-readable form of an inspect report: a few header lines, one table with a column per
 * role, what VeRL cannot load (the verdict), what a warm start from the critic would carry, then
 * the warnings. Pure string building, so tests can check it without a terminal.
 */
import path from 'node:path';
import { TRACKER_FILE } from '../checkpoint/layout.js';
import type { InspectReport, RoleReport, StepReport, WarmStartPreview } from '../checkpoint/reportTypes.js';
import { formatBytes } from './bytes.js';
import { parallelText } from './stageSummary.js';

export function formatReport(report: InspectReport): string {
  const lines: string[] = [];
  const header: [string, string][] = [];
  if (report.kind === 'run' && report.run) {
    const run = report.run;
    header.push(['Checkpoint', `${report.path} (${report.staged ? 'run folder staged for a warm start: critic only' : 'run folder'})`]);
    header.push(['Steps', run.steps.length > 0 ? run.steps.join(', ') : 'none']);
    header.push([
      'Tracker',
      run.tracker.present ? `${TRACKER_FILE} = ${run.tracker.raw === '' ? '(empty)' : run.tracker.raw}` : 'missing',
    ]);
    const from = run.latestFrom === 'tracker' ? 'from the tracker' : run.latestFrom === 'highest' ? 'highest folder' : '';
    header.push(['Latest step', run.latestStep === null ? 'none' : `${run.latestStep} (${from})`]);
  } else {
    header.push(['Checkpoint', `${report.path} (step folder)`]);
  }
  if (report.step) {
    if (report.kind === 'run') header.push(['Step folder', report.step.path]);
    else header.push(['Step', report.step.step === null ? 'unknown (not named global_step_<N>)' : String(report.step.step)]);
    header.push(['data.pt', report.step.dataPt ? 'yes' : 'no']);
  }
  lines.push(...alignRows(header));
  if (report.step) lines.push('', ...roleTable(report.step));
  // The verdict before the warm-start table: what VeRL cannot load decides whether the rest matters.
  const { errors, warnings } = byLevel(report);
  if (errors.length > 0) {
    lines.push('', `VeRL cannot load this (${errors.length}):`);
    for (const w of errors) lines.push(`  - ${shortPath(report.path, w.path)}: ${w.message}`);
  }
  if (report.warmStart) lines.push('', ...warmStartLines(report.warmStart));
  if (warnings.length > 0) {
    lines.push('', `Warnings (${warnings.length}):`);
    for (const w of warnings) lines.push(`  - ${shortPath(report.path, w.path)}: ${w.message}`);
  }
  if (report.warnings.length === 0) {
    lines.push('', 'No problems found.');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * inspect -q: what VeRL cannot load, then the warnings, a line each (`error   PATH: reason`, as
 * preflight -q spells its findings); nothing at all for a clean checkpoint.
 */
export function problemLines(report: InspectReport): string {
  const { errors, warnings } = byLevel(report);
  return [...errors, ...warnings].map((w) => `${w.level.padEnd(7)} ${w.path}: ${w.message}\n`).join('');
}

/** What VeRL cannot load, apart from the warnings: both views print them in that order. */
function byLevel(report: InspectReport) {
  return { errors: report.warnings.filter((w) => w.level === 'error'), warnings: report.warnings.filter((w) => w.level !== 'error') };
}

function roleTable(step: StepReport): string[] {
  const columns: (RoleReport | null)[] = [step.actor, step.critic];
  const heads = ['actor', 'critic'].map((role, i) => {
    const found = columns[i];
    return found ? `${found.folder}/` : `${role}/ (missing)`;
  });
  const rows: [string, ...string[]][] = [
    ['', ...heads],
    ['backend', ...columns.map((r) => (r ? backendLabel(r) : '-'))],
    ['layout', ...columns.map((r) => (r?.layout ? `as ${r.layout.savedBy} save it` : '-'))],
    ['world size', ...columns.map((r) => (r ? worldSizeLabel(r) : '-'))],
    ['model', ...columns.map((r) => contentLabel(r, 'model'))],
    ['optimizer', ...columns.map((r) => contentLabel(r, 'optimizer'))],
    ['extra state', ...columns.map((r) => contentLabel(r, 'extra'))],
    ['fsdp_config.json', ...columns.map((r) => (r ? fsdpConfigLabel(r) : '-'))],
    ['huggingface/', ...columns.map((r) => (r ? hfLabel(r) : '-'))],
    ['size', ...columns.map((r) => (r ? `${r.files} file${r.files === 1 ? '' : 's'}, ${formatBytes(r.bytes)}` : '-'))],
  ];
  if (step.ignoredFolders.length > 0) {
    rows.push(['ignored by VeRL', step.ignoredFolders.map((f) => `${f}/`).join(', ')]);
  }
  return alignRows(rows);
}

/** One entry per --carry: what the new run's critic loads, what it inherits, or why the release cannot. */
function warmStartLines(preview: WarmStartPreview): string[] {
  const lines = [
    `Warm start from this critic (stage --carry), on ${preview.loader.releases}, the releases that save this layout` +
      `${preview.defaultCarry ? `; without --carry: ${preview.defaultCarry}` : ''}:`,
  ];
  for (const entry of preview.byCarry) {
    if ('refusal' in entry) {
      lines.push(`  ${entry.carry.padEnd(9)}  cannot: ${entry.refusal}`);
      continue;
    }
    const settings = entry.inherits.flatMap((i) => i.settings);
    // The old lr for a while says nothing new where the old run's whole schedule comes along.
    const briefly = settings.includes('critic.optim.lr') ? [] : entry.inherits.flatMap((i) => i.briefly ?? []);
    lines.push(
      `  ${entry.carry.padEnd(9)}  loads ${entry.loadKinds.join(', ')}; the new run inherits ` +
        `${settings.length > 0 ? `${settings.join(', ')} from the old run` : 'none of the old run\'s settings'}` +
        `${briefly.length > 0 ? `, and ${briefly.join(', ')}` : ''}` +
        `${entry.overrides.length > 0 ? ` (${entry.overrides.join(' ')}${entry.effects.length > 0 ? ', which also narrows what the new run saves' : ''})` : ''}`,
    );
  }
  return lines;
}

function backendLabel(role: RoleReport): string {
  if (role.layout?.id === 'fsdp2') return 'FSDP2';
  return { fsdp: 'FSDP', megatron: 'Megatron', mixed: 'FSDP + Megatron (mixed)', unknown: 'unknown' }[role.backend];
}

function worldSizeLabel(role: RoleReport): string {
  if (role.backend === 'megatron') return parallelText(role.parallel, role.worldSize) || 'not recorded';
  if (role.worldSize !== null) return String(role.worldSize);
  if (role.worldSizes.length > 1) return `mixed: ${role.worldSizes.join(', ')}`;
  return '-';
}

function contentLabel(role: RoleReport | null, kind: keyof RoleReport['contents']): string {
  if (!role) return '-';
  const value = role.contents[kind];
  if (value === null) return 'unknown (dist_ckpt/.metadata unreadable)';
  const missing = role.missingRanks.filter((m) => m.kind === kind);
  if (value && missing.length > 0) return `yes, ranks missing`;
  return value ? 'yes' : 'no';
}

function fsdpConfigLabel(role: RoleReport): string {
  if (!role.fsdpConfig.present) return 'no';
  return role.fsdpConfig.worldSize === null ? 'yes' : `yes (world_size ${role.fsdpConfig.worldSize})`;
}

function hfLabel(role: RoleReport): string {
  if (!role.huggingface) return 'no';
  const { files, weights } = role.huggingface;
  return `yes, ${files} file${files === 1 ? '' : 's'}${weights ? ' with weights' : ', no weights'}`;
}

function alignRows(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Paths in warnings relative to the inspected folder, which the header already shows in full. */
function shortPath(base: string, target: string): string {
  const rel = path.relative(base, target);
  return rel === '' ? '.' : rel.startsWith('..') ? target : rel;
}
