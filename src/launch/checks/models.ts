/**
 * Checks 5 and 6: the new critic model has the saved critic's architecture (strict
 * load_state_dict: "Error(s) in loading state_dict") and LoRA rank; the actor's tokenizer has the
 * saved critic's vocabulary, since the critic reads the actor's token ids as they are
 * (v0.5.0:verl/workers/critic/dp_critic.py:67). Pure.
 */
import { ARCHITECTURE_FIELDS, SPECIAL_TOKENS } from '../models.js';
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

/** Check 6. */
export function checkTokenizer(facts: PreflightFacts): Finding[] {
  if (!facts.staged?.listing) return [];
  const key = facts.actorTokenizerKey;
  const actor = facts.actorTokenizer;
  const saved = facts.staged.saved?.tokenizer ?? null;
  if (!actor || actor.dir === null) {
    return [finding('warning', 6, key, `${actor?.given ?? '(unset)'} is not a local folder (a hub id or a remote path): the actor's vocabulary could not be compared with the saved critic's`)];
  }
  if (!actor.tokenizer) return [finding('warning', 6, key, `${actor.dir} has no tokenizer.json or tokenizer_config.json: the actor's vocabulary could not be compared with the saved critic's`)];
  if (!saved) return [finding('warning', 6, key, "the staged critic holds no tokenizer files (huggingface/): the actor's vocabulary could not be compared with the one the critic was trained on")];
  const problems: string[] = [];
  let compared = 0;
  if (saved.vocabSize !== null && actor.tokenizer.vocabSize !== null) {
    compared++;
    if (saved.vocabSize !== actor.tokenizer.vocabSize) problems.push(`vocabulary of ${actor.tokenizer.vocabSize} tokens, the critic's has ${saved.vocabSize}`);
  }
  for (const name of SPECIAL_TOKENS) {
    const a = actor.tokenizer.specialIds[name];
    const s = saved.specialIds[name];
    if (a === undefined || s === undefined) continue;
    compared++;
    if (a !== s) problems.push(`${name} id ${JSON.stringify(a)}, the critic's ${JSON.stringify(s)}`);
  }
  if (compared === 0) return [finding('warning', 6, key, `neither the vocabulary size nor a special token's id could be read from both the actor's tokenizer (${actor.dir}) and the critic's: not compared`)];
  if (problems.length === 0) return [];
  return [
    finding('error', 6, key, `the actor's tokenizer (${actor.given}) is not the one the critic was trained on: ${problems.join('; ')}. The critic reads the actor's token ids as they are: ids it never saw give a device-side index error or meaningless values; warm-start a critic of the actor's model family`),
  ];
}
