/**
 * GitHub Actions workflow commands (`--format github`): refusals become annotations on the file
 * and line, shown in the run summary and on the pull request's diff.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationProperties {
  file?: string;
  line?: number;
  title?: string;
}

/** Escaping of the message part: `%`, CR and LF. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping of a property value: as the message, plus `:` and `,` (they delimit properties). */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command line, e.g. `::error file=verl/trainer/ppo/ray_trainer.py,line=42::reason`. */
export function annotation(level: AnnotationLevel, message: string, properties: AnnotationProperties = {}): string {
  const props: string[] = [];
  if (properties.file) props.push(`file=${escapeProperty(properties.file)}`);
  if (properties.line !== undefined) props.push(`line=${properties.line}`);
  if (properties.title) props.push(`title=${escapeProperty(properties.title)}`);
  return `::${level}${props.length ? ` ${props.join(',')}` : ''}::${escapeData(message)}`;
}
