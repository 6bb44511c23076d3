/** What preflight reads of a tokenizer: the vocabulary size and the special tokens' ids. Pure. */
import { describe, expect, it } from 'vitest';
import { tokenizerFacts } from '../../src/launch/models.js';

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
    expect(tokenizerFacts(null, { eos_token: '</s>' })).toEqual({ vocabSize: null, specialIds: { eos_token: null } });
    expect(tokenizerFacts({ 'tokenizer.json': true }, null).vocabSize).toBeNull();
  });
});
