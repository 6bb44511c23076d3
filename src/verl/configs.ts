/**
 * What a VeRL's own trainer configs say, read as plain YAML data (never composed: the config
 * `stage --verl` reads is the one main_ppo composes by default): which keys its trainer, critic
 * checkpoint and actor checkpoint sections declare, so that every override the tool prints names a
 * key that exists. A config that is missing or does not parse gives unknown (null) facts.
 */
import path from 'node:path';
import { yamlLib } from '../config/yamlLib.js';
import { readSource } from '../io/readSource.js';

/** The critic's backend, which picks the config main_ppo composes. */
export type Backend = 'fsdp' | 'megatron';

/** `main_ppo` composes ppo_trainer (FSDP) or, with `--config-name ppo_megatron_trainer`, the Megatron one. */
const CONFIG_NAMES: Record<Backend, string> = { fsdp: 'ppo_trainer', megatron: 'ppo_megatron_trainer' };

export interface ConfigFacts {
  /** The trainer config Hydra composes for this backend, relative to the checkout; null when absent. */
  configFile: string | null;
  /** Whether that config declares trainer.load_critic_only (then the plain override works); null: unknown. */
  keyDeclared: boolean | null;
  /** The keys under critic.checkpoint of the composed config; null: unknown. */
  checkpointKeys: string[] | null;
  /** The keys under actor_rollout_ref.actor.checkpoint (the override route's load_contents); null: unknown. */
  actorCheckpointKeys: string[] | null;
}

/** The facts of the config main_ppo composes for `backend` in the VeRL package `packageDir` (of checkout `root`). */
export function readConfigFacts(packageDir: string, root: string, backend: Backend): ConfigFacts {
  const configDir = path.join(packageDir, 'trainer', 'config');
  const name = CONFIG_NAMES[backend];
  const source = readYaml(path.join(configDir, `${name}.yaml`));
  // From 0.5 on VeRL commits the composed config as _generated_<name>.yaml: its critic section is
  // complete there, while the source pulls it in through Hydra's defaults list.
  const generated = readYaml(path.join(configDir, `_generated_${name}.yaml`));
  const trainer = source ? trainerSection(source, configDir) : null;
  const checkpoint = mapAt(generated ?? source, ['critic', 'checkpoint']);
  const actorCheckpoint = mapAt(generated ?? source, ['actor_rollout_ref', 'actor', 'checkpoint']);
  return {
    configFile: source ? path.relative(root, path.join(configDir, `${name}.yaml`)) : null,
    keyDeclared: trainer ? Object.hasOwn(trainer, 'load_critic_only') : null,
    checkpointKeys: checkpoint ? Object.keys(checkpoint) : null,
    actorCheckpointKeys: actorCheckpoint ? Object.keys(actorCheckpoint) : null,
  };
}

type YamlMap = Record<string, unknown>;

/**
 * The first document as plain data, read as every file of VeRL's is (readSource: UTF-8, no lone
 * CR); null when missing, unreadable or not parseable (the facts are then unknown).
 */
function readYaml(file: string): YamlMap | null {
  try {
    const doc = yamlLib().parseDocument(readSource(file).text);
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
function trainerSection(config: YamlMap, configDir: string): YamlMap | null {
  const own = mapAt(config, ['trainer']);
  if (own) return own;
  const defaults = Array.isArray(config.defaults) ? config.defaults : [];
  for (const entry of defaults) {
    if (typeof entry !== 'string' || entry === '_self_' || !/^[\w-]+$/.test(entry)) continue;
    const parent = readYaml(path.join(configDir, `${entry}.yaml`));
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
