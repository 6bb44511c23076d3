/**
 * What `stage --verl CHECKOUT` reads from the VeRL the new run will use: its release (the one-line
 * verl/version/version), the keys its trainer config declares (so every printed override names a
 * key that exists), and whether its trainer already carries the load_critic_only guard. Reads
 * files, writes nothing; a checkout it cannot read is bad input (exit 2).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { badInput } from '../errors.js';
import { yamlLib } from '../config/yamlLib.js';
import { readTrainerGuard } from './trainerGuard.js';
import { isDirectory } from '../io/paths.js';
import { findVerl } from './copies.js';
import type { CheckpointBackend } from '../checkpoint/families.js';
import { parseRelease, type Release } from './release.js';

export interface VerlFacts {
  /** The checkout as given on the command line. */
  root: string;
  release: Release;
  /** The trainer config Hydra composes for this backend, relative to the checkout; null when absent. */
  configFile: string | null;
  /** Whether that config declares trainer.load_critic_only (then the plain override works); null: unknown. */
  keyDeclared: boolean | null;
  /** The keys under critic.checkpoint of the composed config; null: unknown. */
  checkpointKeys: string[] | null;
  /** The keys under actor_rollout_ref.actor.checkpoint (the override route's load_contents); null: unknown. */
  actorCheckpointKeys: string[] | null;
  /** Whether every trainer file that loads the actor guards it (the planner's verdict, as `check` and preflight give it); null: none found. */
  trainerPatched: boolean | null;
}

/** `main_ppo` composes ppo_trainer (FSDP) or, with `--config-name ppo_megatron_trainer`, the Megatron one. */
const CONFIG_NAMES: Record<CheckpointBackend, string> = { fsdp: 'ppo_trainer', megatron: 'ppo_megatron_trainer' };

export async function readVerlCheckout(dir: string, backend: CheckpointBackend): Promise<VerlFacts> {
  if (!isDirectory(dir)) throw badInput(dir, '--verl: no such folder (pass the VeRL checkout the new run uses)');
  const checkout = findVerl(path.resolve(dir));
  if (!checkout) throw badInput(dir, '--verl: no VeRL here: not a checkout, a verl/ package folder or a site-packages folder holding one');
  if (checkout.version === undefined) {
    throw badInput(dir, '--verl: no verl/version/version in this checkout: cannot tell which release it is');
  }
  const release = parseRelease(checkout.version);
  if (!release) throw badInput(dir, `--verl: verl/version/version says ${JSON.stringify(checkout.version)}, not a release number`);

  const configDir = path.join(checkout.packageDir, 'trainer', 'config');
  const name = CONFIG_NAMES[backend];
  const source = await readYaml(path.join(configDir, `${name}.yaml`));
  // From 0.5 on VeRL commits the composed config as _generated_<name>.yaml: its critic section is
  // complete there, while the source pulls it in through Hydra's defaults list.
  const generated = await readYaml(path.join(configDir, `_generated_${name}.yaml`));
  const trainer = source ? await trainerSection(source, configDir) : null;
  const checkpoint = mapAt(generated ?? source, ['critic', 'checkpoint']);
  const actorCheckpoint = mapAt(generated ?? source, ['actor_rollout_ref', 'actor', 'checkpoint']);
  // RayPPOTrainer's file, and from 0.9 the ppo/v1 trainer that main_ppo runs by default
  // (v0.9.0:verl/trainer/config/ppo_trainer.yaml:222, trainer.use_v1: true): each that exists must
  // carry the guard, or the run that uses it loads <folder>/actor.
  // Each that exists is judged by the planner `check` runs, as preflight's check 1 judges it (a
  // comment naming load_critic_only is not the guard); a file with no actor load is not a trainer.
  const verdicts = TRAINER_FILES.map((parts) => path.join(checkout.packageDir, ...parts))
    .filter((file) => existsSync(file))
    .map(readTrainerGuard)
    .filter((verdict) => verdict !== null);
  return {
    root: dir,
    release,
    configFile: source ? path.relative(checkout.root, path.join(configDir, `${name}.yaml`)) : null,
    keyDeclared: trainer ? Object.hasOwn(trainer, 'load_critic_only') : null,
    checkpointKeys: checkpoint ? Object.keys(checkpoint) : null,
    actorCheckpointKeys: actorCheckpoint ? Object.keys(actorCheckpoint) : null,
    trainerPatched: verdicts.length === 0 ? null : verdicts.every((verdict) => verdict.guarded === true),
  };
}

const TRAINER_FILES = [
  ['trainer', 'ppo', 'ray_trainer.py'],
  ['trainer', 'ppo', 'v1', 'trainer_base.py'],
];

type YamlMap = Record<string, unknown>;

/** The first document as plain data; null when missing or not parseable (the facts are then unknown). */
async function readYaml(file: string): Promise<YamlMap | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const doc = yamlLib().parseDocument(text);
    const value = doc.errors.length > 0 ? null : (doc.toJS() as unknown);
    return isMap(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * The trainer: mapping, from the file itself or, where the file only lists other configs in its
 * defaults (0.9's Megatron config inherits ppo_trainer), from the first of those that has one.
 */
async function trainerSection(config: YamlMap, configDir: string): Promise<YamlMap | null> {
  const own = mapAt(config, ['trainer']);
  if (own) return own;
  const defaults = Array.isArray(config.defaults) ? config.defaults : [];
  for (const entry of defaults) {
    if (typeof entry !== 'string' || entry === '_self_' || !/^[\w-]+$/.test(entry)) continue;
    const parent = await readYaml(path.join(configDir, `${entry}.yaml`));
    const found = parent ? mapAt(parent, ['trainer']) : null;
    if (found) return found;
  }
  return null;
}

function mapAt(value: YamlMap | null, keys: string[]): YamlMap | null {
  let current: unknown = value;
  for (const key of keys) current = isMap(current) ? current[key] : undefined;
  return isMap(current) ? current : null;
}

function isMap(value: unknown): value is YamlMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
