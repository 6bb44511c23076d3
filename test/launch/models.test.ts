/** What preflight reads of a tokenizer: the vocabulary size and the special tokens' ids. Pure. */
import { describe, expect, it } from 'vitest';
import { tokenFields, tokenizerFacts } from '../../src/launch/models.js';

describe('tokenizerFacts', () => {
  const bpe = { model: { type: 'BPE', vocab: { a: 0, b: 1, c: 2 } }, added_tokens: [{ id: 3, content: '<eos>' }, { id: 1, content: 'b' }] };

  it('counts distinct ids of the vocabulary and the added tokens, and looks special tokens up', () => {
    expect(tokenizerFacts(bpe, { eos_token: '<eos>', pad_token: { content: 'a' }, bos_token: null })).toEqual({ vocabSize: 4, specialIds: { eos_token: 3, pad_token: 0, bos_token: null } });
  });

  it("reads a Unigram vocabulary (a list) and tokenizer_config's added_tokens_decoder", () => {
    const unigram = { model: { type: 'Unigram', vocab: [['<unk>', 0], ['x', -1]] } };
    expect(tokenizerFacts(unigram, { unk_token: '<unk>', eos_token: '</s>', added_tokens_decoder: { '2': { content: '</s>' } } })).toEqual({ vocabSize: 3, specialIds: { unk_token: 0, eos_token: 2 } });
  });

  it('has no vocabulary size without a vocabulary (a sentencepiece-only folder)', () => {
    // The token is named but its id is nowhere: unknown (absent), not "no eos token" (null).
    expect(tokenizerFacts(null, { eos_token: '</s>', pad_token: null })).toEqual({ vocabSize: null, specialIds: { pad_token: null } });
    expect(tokenizerFacts({ 'tokenizer.json': true }, null).vocabSize).toBeNull();
  });
});

describe('tokenFields', () => {
  it('states, by source, what tokenizer files, config.json and generation_config.json say; nothing for what they do not', () => {
    const tokenizer = tokenizerFacts({ model: { vocab: { a: 0, '<eos>': 1 } } }, { eos_token: '<eos>', bos_token: '<bos>' });
    expect(tokenFields(tokenizer, { vocab_size: 128256, bos_token_id: 128000, eos_token_id: 128001, hidden_size: 8 }, { eos_token_id: [128009, 128001], pad_token_id: null })).toEqual({
      'len(tokenizer)': 2,
      'tokenizer eos_token': 1,
      'config.json vocab_size': 128256,
      'config.json bos_token_id': 128000,
      'config.json eos_token_id': 128001,
      'generation_config.json eos_token_id': [128001, 128009],
      'generation_config.json pad_token_id': null,
    });
    expect(tokenFields(null, null, null)).toEqual({});
  });
});
