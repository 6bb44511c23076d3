/**
 * A cheap text test, so that a scan parses only the YAMLs that can be trainer configs: the
 * planner (trainerYaml.ts) changes or refuses a file only when its first document has a
 * top-level `trainer` key holding `resume_mode`, so the text must spell both words. It may let
 * too much through (a comment mentioning them), never too little.
 */
export function mayHoldTrainerConfig(text: string): boolean {
  return text.includes('resume_mode') && text.includes('trainer');
}
