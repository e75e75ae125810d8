import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { hmacKey, hmacMatchesHex, sha256HexOfBytes } from '../../src/auth/sha256.js';

/** Byte strings of every length across the padding's one- and two-block cases, and past a few blocks. */
const lengths = Array.from({ length: 300 }, (_, i) => i);
const byteString = (length: number) => randomBytes(length).toString('latin1');

describe('sha256HexOfBytes', () => {
  test('equals node:crypto over the Latin-1 bytes, at every length up to 300', () => {
    for (const length of lengths) {
      const text = byteString(length);
      expect(sha256HexOfBytes(text)).toBe(createHash('sha256').update(Buffer.from(text, 'latin1')).digest('hex'));
    }
  });

  test('hashes the low byte of each char, as Buffer.from(text, "latin1") does', () => {
    expect(sha256HexOfBytes('a\u0162b')).toBe(createHash('sha256').update(Buffer.from('a\u0162b', 'latin1')).digest('hex'));
  });
});

describe('hmacMatchesHex', () => {
  test('accepts node:crypto’s HMAC in either letter case, at every length up to 300', () => {
    for (const length of lengths) {
      const key = randomBytes(32);
      const text = byteString(length);
      const expected = createHmac('sha256', key).update(Buffer.from(text, 'latin1')).digest('hex');
      expect(hmacMatchesHex(hmacKey(key), text, expected)).toBe(true);
      expect(hmacMatchesHex(hmacKey(key), text, expected.toUpperCase())).toBe(true);
    }
  });

  test('refuses any other signature: one digit changed, another key, a non-hex char, another length', () => {
    const key = randomBytes(32);
    const text = 'AWS4-HMAC-SHA256\n20260101T000000Z\n20260101/us-east-1/s3/aws4_request\n' + '0'.repeat(64);
    const expected = createHmac('sha256', key).update(text).digest('hex');
    const prepared = hmacKey(key);
    for (let i = 0; i < 64; i++) {
      const changed = expected.slice(0, i) + (expected[i] === '0' ? '1' : '0') + expected.slice(i + 1);
      expect(hmacMatchesHex(prepared, text, changed)).toBe(false);
    }
    expect(hmacMatchesHex(hmacKey(randomBytes(32)), text, expected)).toBe(false);
    expect(hmacMatchesHex(prepared, text, `${expected.slice(0, 63)}g`)).toBe(false);
    expect(hmacMatchesHex(prepared, text, expected.slice(0, 63))).toBe(false);
    expect(hmacMatchesHex(prepared, text, `${expected}0`)).toBe(false);
  });
});
