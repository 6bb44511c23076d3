/**
 * What preflight reads of a Hugging Face model folder: its `config.json` (the fields that decide
 * the shape of a state dict) and its tokenizer (the vocabulary size and the special tokens' ids),
 * from `tokenizer.json` and `tokenizer_config.json`. A model path that is not a local folder (a
 * hub id, `hdfs://...`) is reported as not checkable. The parsers are pure; readModelFolder reads.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** config.json fields a state dict's keys and shapes depend on (strict load_state_dict). */
export const ARCHITECTURE_FIELDS = [
  'model_type',
  'hidden_size',
  'num_hidden_layers',
  'num_attention_heads',
  'num_key_value_heads',
  'intermediate_size',
  'vocab_size',
] as const;

export const SPECIAL_TOKENS = ['bos_token', 'eos_token', 'pad_token', 'unk_token'] as const;

export interface TokenizerFacts {
  /** Distinct ids of the vocabulary and the added tokens (what `len(tokenizer)` gives); null: no vocabulary in a tokenizer.json. */
  vocabSize: number | null;
  /**
   * Each special token's id: null when tokenizer_config.json says there is none; absent when it
   * does not say, or names a token whose id neither file gives (unknown, not "none").
   */
  specialIds: Partial<Record<(typeof SPECIAL_TOKENS)[number], number | null>>;
}

/**
 * What a folder states about its token ids, by source, for comparing an actor's with a critic's:
 * `len(tokenizer)` and the special tokens' ids (tokenizer.json, tokenizer_config.json), config.json's
 * vocab_size and `*_token_id`s, generation_config.json's. Only stated fields are present.
 */
export type TokenFields = Record<string, number | number[] | null>;

/** The quantity a field speaks of: the vocabulary, or one special token (`eos`). */
export function quantityOf(field: string): string {
  if (field === 'len(tokenizer)' || field.endsWith('vocab_size')) return 'vocabulary';
  return /(bos|eos|pad|unk)_token/.exec(field)?.[1] ?? field;
}

const TOKEN_ID_FIELDS = ['vocab_size', 'bos_token_id', 'eos_token_id', 'pad_token_id'] as const;

export function tokenFields(
  tokenizer: TokenizerFacts | null,
  config: Record<string, unknown> | null,
  generation: Record<string, unknown> | null,
): TokenFields {
  const out: TokenFields = {};
  if (tokenizer?.vocabSize != null) out['len(tokenizer)'] = tokenizer.vocabSize;
  for (const [name, id] of Object.entries(tokenizer?.specialIds ?? {})) if (id !== undefined) out[`tokenizer ${name}`] = id;
  const ids = (value: unknown): number | number[] | null | undefined =>
    value === null ? null : typeof value === 'number' ? value : Array.isArray(value) && value.every((v) => typeof v === 'number') ? [...(value as number[])].sort((a, b) => a - b) : undefined;
  for (const [file, json] of [['config.json', config], ['generation_config.json', generation]] as const) {
    for (const key of TOKEN_ID_FIELDS) {
      if (file === 'generation_config.json' && key === 'vocab_size') continue;
      const value = json && key in json ? ids(json[key]) : undefined;
      if (value !== undefined) out[`${file} ${key}`] = value;
    }
  }
  return out;
}

export interface ModelFolder {
  /** As configured, and the folder it names on this machine (`~` expanded); null: not a local folder. */
  given: string;
  dir: string | null;
  config: Record<string, unknown> | null;
  tokenizer: TokenizerFacts | null;
  /** What it states about token ids (tokenFields). */
  tokens: TokenFields;
}

/** A local folder a path names, or null (a hub id such as `Qwen/Qwen2.5-7B`, a remote URL). */
export function localFolder(given: string, cwd: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given)) return null;
  // `~` as Python's os.path.expanduser reads it: $HOME.
  const home = process.env.HOME;
  const expanded = home && (given === '~' || given.startsWith('~/')) ? path.join(home, given.slice(1)) : given;
  const dir = path.resolve(cwd, expanded);
  try {
    return statSync(dir).isDirectory() ? dir : null;
  } catch {
    return null;
  }
}

export function readModelFolder(given: string, cwd: string): ModelFolder {
  const dir = localFolder(given, cwd);
  if (dir === null) return { given, dir: null, config: null, tokenizer: null, tokens: {} };
  const config = readJson(path.join(dir, 'config.json'));
  const tokenizer = readTokenizer(dir);
  return { given, dir, config, tokenizer, tokens: tokenFields(tokenizer, config, readJson(path.join(dir, 'generation_config.json'))) };
}

export function readTokenizer(dir: string): TokenizerFacts | null {
  const tokenizer = readJson(path.join(dir, 'tokenizer.json'));
  const config = readJson(path.join(dir, 'tokenizer_config.json'));
  if (tokenizer === null && config === null) return null;
  return tokenizerFacts(tokenizer, config);
}

/** The facts from a parsed tokenizer.json and tokenizer_config.json (either may be missing). */
export function tokenizerFacts(tokenizer: Record<string, unknown> | null, config: Record<string, unknown> | null): TokenizerFacts {
  const ids = new Map<string, number>();
  const model = tokenizer?.model as { vocab?: unknown } | undefined;
  const hasVocab = model !== undefined && (isObject(model.vocab) || Array.isArray(model.vocab));
  if (model && isObject(model.vocab)) {
    for (const [token, id] of Object.entries(model.vocab)) if (typeof id === 'number') ids.set(token, id);
  } else if (model && Array.isArray(model.vocab)) {
    // Unigram: a list of [token, score], the id is the index.
    model.vocab.forEach((entry, id) => Array.isArray(entry) && typeof entry[0] === 'string' && ids.set(entry[0], id));
  }
  for (const added of Array.isArray(tokenizer?.added_tokens) ? tokenizer.added_tokens : []) {
    if (isObject(added) && typeof added.content === 'string' && typeof added.id === 'number') ids.set(added.content, added.id);
  }
  const decoder = config?.added_tokens_decoder;
  if (isObject(decoder)) {
    for (const [id, entry] of Object.entries(decoder)) if (isObject(entry) && typeof entry.content === 'string') ids.set(entry.content, Number(id));
  }
  const vocabSize = hasVocab ? new Set(ids.values()).size : null;
  const specialIds: TokenizerFacts['specialIds'] = {};
  for (const name of SPECIAL_TOKENS) {
    const value = config?.[name];
    const content = typeof value === 'string' ? value : isObject(value) && typeof value.content === 'string' ? value.content : null;
    if (!config || !(name in config)) continue;
    // null: the config says there is none; a name whose id is nowhere here: unknown (left out).
    if (value === null) specialIds[name] = null;
    else if (content !== null && ids.has(content)) specialIds[name] = ids.get(content)!;
  }
  return { vocabSize, specialIds };
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The folders of a saved critic that hold its HF config and tokenizer, per layout (report.ts finds the same). */
export const SAVED_HF_DIRS = ['huggingface', 'model/huggingface', 'hf_config_and_tokenizer', '.'];

export function readSavedCriticModel(criticDir: string): { dir: string; config: Record<string, unknown> | null; tokenizer: TokenizerFacts | null; tokens: TokenFields; loraRank: number | null } | null {
  const lora = readJson(path.join(criticDir, 'lora_train_meta.json'));
  const loraRank = lora && typeof lora.r === 'number' ? lora.r : null;
  for (const sub of SAVED_HF_DIRS) {
    const dir = path.join(criticDir, sub);
    const config = readJson(path.join(dir, 'config.json'));
    const tokenizer = readTokenizer(dir);
    if (config !== null || tokenizer !== null) return { dir, config, tokenizer, tokens: tokenFields(tokenizer, config, readJson(path.join(dir, 'generation_config.json'))), loraRank };
  }
  return null;
}
