import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { s3UrlEncode } from '../../src/operations/listing.js';

/** The escaping written out in full, without the shortcut for keys it leaves as they are. */
const reference = (value: string) =>
  encodeURIComponent(value)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe('s3UrlEncode (encoding-type=url)', () => {
  it('escapes as S3 does: space as +, ~ ! \' ( ) escaped, / and * kept', () => {
    expect(s3UrlEncode('a b/c~d!e\'f(g)h*i+j%k')).toBe('a+b/c%7Ed%21e%27f%28g%29h*i%2Bj%25k');
    expect(s3UrlEncode('dir/file-1_v2.txt')).toBe('dir/file-1_v2.txt');
    expect(s3UrlEncode('é😀')).toBe('%C3%A9%F0%9F%98%80');
  });

  it('gives the full escaping for any key, the plain ones included', () => {
    const plain = fc.stringMatching(/^[A-Za-z0-9\-_.*/]{0,40}$/);
    const mixed = fc.string({ unit: fc.constantFrom(...'aZ09-_.*/ ~!\'()+%&=?#é\u2028'), maxLength: 40 });
    fc.assert(
      fc.property(fc.oneof(plain, mixed, fc.string({ unit: 'grapheme', maxLength: 20 })), (key) => {
        expect(s3UrlEncode(key)).toBe(reference(key));
      }),
      { numRuns: 3000 },
    );
  });
});
