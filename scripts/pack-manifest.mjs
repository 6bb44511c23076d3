#!/usr/bin/env node
/**
 * `npm pack` / `npm publish` hooks: `strip` (prepack) writes package.json without its `prepare`
 * script and keeps the original beside it; `restore` (postpack) puts the original back.
 *
 * Why: `prepare` builds dist/ at `npm ci`, so that a checkout's `npm ci` alone leaves a working
 * CLI. npm never runs `prepare` when it installs a tarball, but npm 11 still lists it among the
 * "install scripts not yet covered by allowScripts" it warns about on every `npm install -g` of
 * the package. The tarball holds the built bin, so it needs no `prepare`: leave it out there.
 * A strip that finds a saved original (an earlier pack that died before `restore`) restores it
 * first, so the checkout's package.json is never lost.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = `${root}package.json`;
const saved = `${root}.package.json.before-pack`;

const action = process.argv[2];
if (action === 'strip') {
  if (existsSync(saved)) renameSync(saved, manifest);
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (action === 'restore') {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
