/**
 * preflight's words: one line per finding (`error [3] critic.checkpoint.load_contents: ...`), then
 * a one-line verdict naming the step folder and the number of critic files the loader opens; and
 * the --json document (the verdict, the findings, the composed values read). Pure.
 */
import { ExitCode } from '../errors.js';
import { jsonError } from './printer.js';
import type { Verdict } from '../launch/checks/index.js';
import { composerText, type Composed, type Composer } from '../launch/compose.js';
import type { Gathered } from '../launch/gather.js';
import type { Finding } from '../launch/facts.js';

export function findingLine(f: Finding): string {
  return `${f.level.padEnd(7)} [${f.check}] ${f.key}: ${f.message}`;
}

export function verdictLine(verdict: Verdict): string {
  const counts = `${verdict.errors} error${verdict.errors === 1 ? '' : 's'}, ${verdict.warnings} warning${verdict.warnings === 1 ? '' : 's'}`;
  if (verdict.ok && verdict.resumes) {
    const step = verdict.resumes.step === null ? 'its own latest step' : `its own step ${verdict.resumes.step}`;
    return `ok: the run resumes ${step}${verdict.resumes.folder ? ` from ${verdict.resumes.folder}` : ''} (actor, critic and dataloader, no warm start); ${counts}`;
  }
  if (verdict.ok) {
    const files = verdict.criticFiles === null ? '' : ` (${verdict.criticFiles} critic file${verdict.criticFiles === 1 ? '' : 's'}: ${verdict.loads?.join(', ')})`;
    return `ok: the run will skip the actor and load the critic from ${verdict.folder}${files}; ${counts}`;
  }
  const why = verdict.errors > 0 ? counts : `${counts} (--strict: warnings fail)`;
  if (verdict.resumes) return `not ready: this launch would not resume the run's own steps as intended: ${why}`;
  return `not ready: this launch would not warm-start the critic${verdict.folder ? ` from ${verdict.folder}` : ''} as intended: ${why}`;
}

/** Which composer read the config (Hydra, or the emulation where the launch's Python has no Hydra), the findings, the verdict. */
export function formatPreflight(findings: readonly Finding[], verdict: Verdict, composer: Composer | null): string {
  const composed = composer ? [`config ${composerText(composer)}`] : [];
  return `${[...composed, ...findings.map(findingLine), verdictLine(verdict)].join('\n')}\n`;
}

export function preflightJson(gathered: Gathered, findings: readonly Finding[], verdict: Verdict) {
  const { site, composed, command } = gathered;
  const ok = !('error' in composed);
  // The envelope's error is the first finding that decided the verdict (an error, or under
  // --strict a warning), keyed on the setting it concerns, so a script needs not search findings.
  const decisive = verdict.ok ? undefined : (findings.find((f) => f.level === 'error') ?? findings.find((f) => f.level === 'warning'));
  return {
    ...(decisive ? { error: jsonError(ExitCode.Refused, `${decisive.key}: ${decisive.message}`) } : {}),
    verdict,
    findings,
    verl: { packageDir: site.packageDir, release: site.release.text, foundBy: site.foundBy },
    entry: { file: site.entryFile, module: site.entryModule, configName: site.configName, configFile: site.configFile },
    composition: { python: composed.python, composer: composed.composer ? { ...composed.composer, text: composerText(composed.composer) } : null, files: composed.files, overrides: command.overrides, ignoredArguments: command.ignored },
    values: ok ? (composed as Composed).values : {},
    absent: ok ? (composed as Composed).absent : [],
    unresolved: ok ? (composed as Composed).unresolved : {},
    trainers: gathered.facts?.trainers ?? [],
  };
}
