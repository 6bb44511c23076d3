/**
 * decodeText checks UTF-8 with Buffer's native isUtf8 and decodes with toString: it must accept
 * exactly the bytes the WHATWG decoder in fatal mode accepts, and give the same text (a BOM kept).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/io/readSource.js';
import { ToolError } from '../../src/errors.js';

const whatwg = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function reference(bytes: Buffer): string | 'invalid' {
  try {
    return whatwg.decode(bytes);
  } catch {
    return 'invalid';
  }
}

function ours(bytes: Buffer): string | 'invalid' {
  try {
    return decodeText('case.py', bytes);
  } catch (error) {
    if (error instanceof ToolError && error.reason.startsWith('not valid UTF-8')) return 'invalid';
    throw error;
  }
}

/** Text in UTF-8 with some bytes overwritten: valid and invalid sequences of every kind (overlong, surrogates, cut). */
const damagedUtf8 = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff)), { maxLength: 3 }))
  .map(([text, damage]) => {
    const bytes = Buffer.from(`\uFEFF${text}`, 'utf8');
    for (const [at, byte] of damage) if (bytes.length > 0) bytes[at % bytes.length] = byte;
    return bytes;
  })
  // What decodeText refuses for other reasons (NUL bytes, a lone CR) is not about UTF-8.
  .filter((bytes) => !bytes.includes(0) && !/\r(?!\n)/.test(bytes.toString('latin1')));

describe('decodeText', () => {
  it('accepts exactly the UTF-8 the WHATWG decoder accepts, and decodes it the same', () => {
    let invalid = 0;
    fc.assert(
      fc.property(damagedUtf8, (bytes) => {
        const expected = reference(bytes);
        if (expected === 'invalid') invalid++;
        expect(ours(bytes)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
    expect(invalid).toBeGreaterThan(300); // both sides of the question are asked
  });

  it('keeps a BOM as U+FEFF', () => {
    expect(decodeText('bom.py', Buffer.from('\uFEFFx = 1\n', 'utf8'))).toBe('\uFEFFx = 1\n');
  });
});
