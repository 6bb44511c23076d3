// Tests run the real CLI (dist/cli.js, and the bundled bin in test/bundle.test.ts); build both
// from the current sources once per test run, with the package's own build script, run the way
// npm runs it (a shell, node_modules/.bin first on PATH) without npm's start-up.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { scripts } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: { build: string } };
  execSync(scripts.build, { cwd: root, stdio: 'inherit', env: { ...process.env, PATH: `${root}node_modules/.bin${delimiter}${process.env.PATH ?? ''}` } });
}
