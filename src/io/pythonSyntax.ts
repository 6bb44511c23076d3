/**
 * Where exactly a Python file is broken. tree-sitter decides that a file is malformed, but its
 * error recovery often blames a whole class; when python3 is on PATH, ask CPython's compiler
 * (nothing is imported or run) for the line and message users know from tracebacks.
 */
import { spawnSync } from 'node:child_process';

const COMPILE = `import sys
source = sys.stdin.buffer.read()
try:
    compile(source, "<target>", "exec", dont_inherit=True)
except SyntaxError as error:
    print(error.lineno or 0)
    print(error.msg)
`;

export interface PythonSyntaxError {
  line: number;
  message: string;
}

export function pythonSyntaxError(text: string): PythonSyntaxError | undefined {
  const run = spawnSync('python3', ['-I', '-S', '-c', COMPILE], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (run.error || run.status !== 0) return undefined;
  const [line, ...message] = run.stdout.trim().split('\n');
  const lineNumber = Number(line);
  if (!line || !Number.isInteger(lineNumber) || lineNumber < 1) return undefined;
  return { line: lineNumber, message: message.join(' ').trim() };
}
