/**
 * Inputs for `npm run bench` (scripts/bench.mjs): a large trainer file of a chosen size, and a
 * VeRL-shaped checkout of about 2,000 Python files (our fixtures plus filler modules).
 * Everything is deterministic (a seeded generator), so runs on different machines compare.
 * Filler is our own writing in the shape of ordinary Python modules; no VeRL source is copied.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const EXAMPLE_TRAINER = join(REPO_ROOT, 'fixtures/examples/verl-0.9/verl/trainer/ppo/ray_trainer.py');

/** Mulberry32: a small seeded PRNG. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['batch', 'rollout', 'reward', 'advantage', 'token', 'sequence', 'prompt', 'response', 'mask', 'score', 'metric', 'shard', 'device', 'worker', 'config', 'state', 'buffer', 'step', 'epoch', 'sample'];

function word(random) {
  return WORDS[Math.floor(random() * WORDS.length)];
}

/** One method (or function, at indent ''), 8 to 30 lines of plain Python. */
function fillerFunction(random, name, indent, self) {
  const a = word(random);
  const b = word(random);
  const lines = [
    `${indent}def ${name}(${self ? 'self, ' : ''}${a}_items, ${b}_limit=None):`,
    `${indent}    """Collect the ${a} entries of a ${b}, keeping at most ${b}_limit of them."""`,
    `${indent}    result = []`,
    `${indent}    total = 0`,
    `${indent}    for index, item in enumerate(${a}_items):`,
  ];
  const body = 2 + Math.floor(random() * 10);
  for (let i = 0; i < body; i++) {
    const w = word(random);
    switch (i % 4) {
      case 0:
        lines.push(`${indent}        if index % ${2 + i} == 0:`, `${indent}            result.append({"${w}": item, "index": index})`);
        break;
      case 1:
        lines.push(`${indent}        total += len(str(item)) * ${i + 1}  # ${w} weight`);
        break;
      case 2:
        lines.push(`${indent}        ${w}_value = f"{item}-${w}-{index}"`, `${indent}        result.append(${w}_value)`);
        break;
      default:
        lines.push(`${indent}        if ${b}_limit is not None and len(result) >= ${b}_limit:`, `${indent}            break`);
    }
  }
  lines.push(`${indent}    logger.debug("collected %d ${a} entries (%d)", len(result), total)`, `${indent}    return result`, '');
  return lines;
}

/** A filler module of roughly `targetLines` lines: imports, a dataclass, functions, a class. */
export function fillerModule(seed, targetLines) {
  const random = rng(seed);
  const lines = [
    `# Filler module ${seed} for the verl-critic-patch benchmark.`,
    `"""Helpers for ${word(random)} and ${word(random)} handling."""`,
    'import logging',
    'import os',
    'from dataclasses import dataclass, field',
    'from typing import Any, Optional',
    '',
    'logger = logging.getLogger(__name__)',
    '',
    '',
    '@dataclass',
    `class ${cap(word(random))}Options${seed}:`,
    `    size: int = ${Math.floor(random() * 100)}`,
    '    name: str = "default"',
    '    tags: list = field(default_factory=list)',
    '    extra: Optional[dict] = None',
    '',
    '',
  ];
  let n = 0;
  while (lines.length < targetLines / 2) lines.push(...fillerFunction(random, `${word(random)}_helper_${n++}`, '', false), '');
  lines.push(`class ${cap(word(random))}Processor${seed}:`, '    """Processes one kind of item."""', '', '    def __init__(self, config):', '        self.config = config', '        self.cache = {}', '');
  while (lines.length < targetLines) lines.push(...fillerFunction(random, `${word(random)}_step_${n++}`, '    ', true));
  return `${lines.join('\n')}\n`;
}

/**
 * A module that mentions both `load_checkpoint` and `actor_rollout` without holding a target,
 * as VeRL's worker modules do (`def load_checkpoint`, `config.actor_rollout_ref`). A cheap text
 * test cannot tell these from trainers; the parser must.
 */
export function workerLikeModule(seed, targetLines) {
  const base = fillerModule(seed, targetLines - 14);
  return `${base}

class ActorRolloutWorker${seed}:
    def __init__(self, config):
        self.config = config
        self.ref_enabled = config.actor_rollout_ref.get("ref", None) is not None

    def load_checkpoint(self, local_path, del_local_after_load=False):
        if local_path is None:
            return
        logger.info("loading %s", local_path)

    def save_checkpoint(self, local_path):
        os.makedirs(local_path, exist_ok=True)
`;
}

function cap(s) {
  return s[0].toUpperCase() + s.slice(1);
}

/**
 * A trainer file of about `totalLines` lines: the bundled VeRL 0.9 example's trainer with filler
 * methods in the class (before and after `_load_checkpoint`) and filler functions around it.
 */
export function largeTrainer(totalLines) {
  const example = readFileSync(EXAMPLE_TRAINER, 'utf8');
  const classAt = example.indexOf('class RayPPOTrainer');
  const methodAt = example.indexOf('    def _load_checkpoint');
  const head = example.slice(0, classAt);
  const classHead = example.slice(classAt, methodAt);
  const tail = example.slice(methodAt);
  const budget = Math.max(0, totalLines - example.split('\n').length);
  const random = rng(totalLines);
  const fill = (lines, indent, self, prefix) => {
    const out = [];
    let n = 0;
    while (out.length < lines) out.push(...fillerFunction(random, `${prefix}_${n++}`, indent, self));
    return out.length ? `${out.join('\n')}\n` : '';
  };
  return (
    head +
    fill(Math.floor(budget * 0.2), '', false, 'module_helper') +
    '\n' +
    classHead +
    fill(Math.floor(budget * 0.4), '    ', true, 'trainer_step') +
    tail +
    '\n' +
    fill(Math.floor(budget * 0.4), '    ', true, 'after_step')
  );
}

/**
 * A VeRL-shaped checkout of `fileCount` Python files under `root`: the primary trainer (a large
 * trainer of `trainerLines` lines), every fixture of fixtures/python as a recipe trainer, a few
 * worker-like modules, empty `__init__.py` files, and filler modules of 40 to 400 lines.
 * Returns what it wrote: { files, lines, targets } (targets: files our tool should patch).
 */
export function makeCheckout(root, { fileCount = 2000, trainerLines = 2000, workerLike = 40 } = {}) {
  let files = 0;
  let lines = 0;
  const write = (rel, text) => {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    files++;
    lines += text.split('\n').length - 1;
  };
  writeFileSync(join(mkdirp(join(root, 'verl/version')), 'version'), '0.9.0\n');
  write('verl/__init__.py', '');
  write('verl/trainer/__init__.py', '');
  write('verl/trainer/ppo/__init__.py', '');
  write('verl/trainer/ppo/ray_trainer.py', largeTrainer(trainerLines));
  const fixtureDir = join(REPO_ROOT, 'fixtures/python');
  for (const name of readdirSync(fixtureDir).filter((n) => n.endsWith('.py')).sort()) {
    const dest = join(root, 'recipe', name.replace(/\.py$/, ''), name);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(join(fixtureDir, name), dest);
    files++;
    lines += readFileSync(dest, 'utf8').split('\n').length - 1;
  }
  const random = rng(2000);
  const packages = ['models', 'workers', 'utils', 'single_controller', 'third_party', 'trainer/config', 'experimental', 'tools', 'interactions'];
  for (let i = 0; files < fileCount; i++) {
    const pkg = `verl/${packages[i % packages.length]}/sub_${Math.floor(i / 60)}`;
    if (i % 60 === 0) write(`${pkg}/__init__.py`, '');
    if (files >= fileCount) break;
    const size = 40 + Math.floor(random() * random() * 720); // skewed: many small modules, a few large
    write(`${pkg}/module_${i}.py`, i < workerLike ? workerLikeModule(i, size) : fillerModule(i, size));
  }
  return { files, lines };
}

function mkdirp(path) {
  mkdirSync(path, { recursive: true });
  return path;
}
