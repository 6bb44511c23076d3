/**
 * Checks 5 and 6: the new critic model has the saved critic's architecture (strict
 * load_state_dict: "Error(s) in loading state_dict") and LoRA rank; the actor's tokenizer has the
 * saved critic's vocabulary, since the critic reads the actor's token ids as they are
 * (v0.5.0:verl/workers/critic/dp_critic.py:67). Pure.
 */
import { ARCHITECTURE_FIELDS, quantityOf } from '../models.js';
import { finding, type Finding, type PreflightFacts } from '../facts.js';

/** Check 5. */
export function checkCriticModel(facts: PreflightFacts): Finding[] {
  const saved = facts.staged?.saved;
  const model = facts.criticModel;
  if (!facts.staged?.listing) return [];
  const out: Finding[] = [];
  const key = 'critic.model.path';
  if (!model || model.dir === null) {
    out.push(finding('warning', 5, key, `${model?.given ?? '(unset)'} is not a local folder (a hub id or a remote path): its architecture could not be compared with the saved critic's`));
  } else if (!model.config) {
    out.push(finding('warning', 5, key, `${model.dir} has no readable config.json: its architecture could not be compared with the saved critic's`));
  } else if (!saved?.config) {
    out.push(finding('warning', 5, key, `the staged critic has no readable HF config.json (huggingface/): the architecture of ${model.given} could not be compared with it`));
  } else {
    const differ = ARCHITECTURE_FIELDS.filter((field) => field in saved.config! && field in model.config! && JSON.stringify(saved.config![field]) !== JSON.stringify(model.config![field]));
    if (differ.length > 0) {
      const pairs = differ.map((field) => `${field} ${JSON.stringify(saved.config![field])} saved, ${JSON.stringify(model.config![field])} here`).join('; ');
      out.push(finding('error', 5, key, `${model.given} is not the saved critic's architecture (${pairs}): the strict load fails with "Error(s) in loading state_dict"; point critic.model.path at the old critic's base model`));
    }
  }
  // VeRL 0.9 records a LoRA critic's rank in lora_train_meta.json (v0.9.0:verl/utils/checkpoint/fsdp_checkpoint_manager.py:102-128).
  const rank = facts.values['critic.model.lora_rank'];
  const now = typeof rank === 'number' ? rank : 0;
  if (saved?.loraRank != null && saved.loraRank !== now) {
    out.push(finding('error', 5, 'critic.model.lora_rank', `the critic was saved with LoRA rank ${saved.loraRank}, the new run sets critic.model.lora_rank=${now}: the adapter weights do not fit; set critic.model.lora_rank=${saved.loraRank}`));
  } else if (saved && saved.loraRank == null && now > 0) {
    out.push(finding('warning', 5, 'critic.model.lora_rank', `critic.model.lora_rank=${now}, and the staged critic records no LoRA rank (no lora_train_meta.json): make sure the old critic was trained with the same LoRA setup`));
  }
  return out;
}

/**
 * Check 6: what both the actor's tokenizer folder and the saved critic's state about token ids,
 * source by source (models.ts tokenFields). A field both state and that differs is an error; one
 * only a side states is unknown, said once in a note when no source compared that quantity at all.
 * config.json's vocab_size is the embedding's padded size, which differs between sizes of one
 * family (Qwen2.5 0.5B 151936, 7B 152064): where len(tokenizer) agrees, it is a note.
 */
export function checkTokenizer(facts: PreflightFacts): Finding[] {
  if (!facts.staged?.listing) return [];
  const key = facts.actorTokenizerKey;
  const actor = facts.actorTokenizer;
  if (!actor || actor.dir === null) {
    return [finding('warning', 6, key, `${actor?.given ?? '(unset)'} is not a local folder (a hub id or a remote path): the actor's vocabulary could not be compared with the saved critic's`)];
  }
  const mine = actor.tokens;
  const theirs = facts.staged.saved?.tokens ?? {};
  const fields = [...new Set([...Object.keys(mine), ...Object.keys(theirs)])];
  const both = fields.filter((field) => field in mine && field in theirs);
  if (both.length === 0) {
    const none =
      Object.keys(theirs).length === 0
        ? "the staged critic states nothing about its token ids (no tokenizer.json vocabulary, special token ids, config.json vocab_size or *_token_id, generation_config.json)"
        : Object.keys(mine).length === 0
          ? `${actor.dir} states nothing about its token ids (no tokenizer.json vocabulary, special token ids, config.json vocab_size or *_token_id, generation_config.json)`
          : `${actor.dir} and the staged critic state no field in common`;
    return [finding('warning', 6, key, `${none}: the actor's token ids could not be compared with the ones the critic was trained on`)];
  }
  const same = (field: string) => JSON.stringify(mine[field]) === JSON.stringify(theirs[field]);
  const lengthAgrees = both.includes('len(tokenizer)') && same('len(tokenizer)');
  const differ = both.filter((field) => !same(field));
  const padded = differ.filter((field) => field === 'config.json vocab_size' && lengthAgrees);
  const problems = differ.filter((field) => !padded.includes(field)).map((field) => `${field} ${JSON.stringify(mine[field])} here, ${JSON.stringify(theirs[field])} the critic's`);
  if (problems.length > 0) {
    return [
      finding('error', 6, key, `the actor's tokenizer (${actor.given}) is not the one the critic was trained on: ${problems.join('; ')}. The critic reads the actor's token ids as they are: ids it never saw give a device-side index error or meaningless values; warm-start a critic of the actor's model family`),
    ];
  }
  const out: Finding[] = [];
  if (padded.length > 0) {
    out.push(finding('note', 6, key, `config.json vocab_size ${JSON.stringify(mine['config.json vocab_size'])} here, ${JSON.stringify(theirs['config.json vocab_size'])} the critic's: the embeddings are padded differently, and both tokenizers have ${JSON.stringify(mine['len(tokenizer)'])} tokens`));
  }
  const compared = new Set(both.map(quantityOf));
  const unknown = [...new Set(fields.filter((field) => !both.includes(field)).map(quantityOf))].filter((quantity) => !compared.has(quantity));
  if (unknown.length > 0) {
    out.push(finding('note', 6, key, `not compared, stated by one side only: ${unknown.map((q) => (q === 'vocabulary' ? 'the vocabulary size' : `the ${q} token's id`)).join(', ')}`));
  }
  return out;
}
