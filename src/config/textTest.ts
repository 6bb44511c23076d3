/**
 * A cheap text test for YAMLs, so that a scan parses only the files the planner could change or
 * refuse (the YAML parse is most of a checkout run's time otherwise; BENCHMARKS.md).
 *
 * planTrainerConfig acts on a file only when its first document has a top-level key `trainer`
 * whose mapping (itself, an alias's target, or a merge source) holds a key `resume_mode`; any
 * other YAML is either not a target (refused, notATarget) or does not parse. Keys are matched by
 * their value, and YAML can spell a scalar without writing its characters only by escapes in a
 * double-quoted scalar (`"tr\x61iner"`, `"\u0074rainer"`, a `\` that joins two lines), which
 * take a backslash. So a text that holds a backslash, or both words, passes; anything else
 * cannot be a target. Comments, quoted keys, CRLF, a BOM, flow style and later documents can only
 * make a text pass that is no target, never fail one that is (test/config/textTest.test.ts).
 *
 * A file that fails is not parsed at all, so a broken YAML that cannot hold the key is passed
 * over, as a broken `.py` file without an actor load is by the trainer scan.
 *
 * `text` may be the file's bytes (a scan does not decode files that fail): the words and the
 * backslash are ASCII, which UTF-8 spells byte for byte.
 */
export function mayHoldTrainerSection(text: string | Buffer): boolean {
  return (text.includes('resume_mode') && text.includes('trainer')) || text.includes('\\');
}
