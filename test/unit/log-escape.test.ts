import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLogValue } from '../../src/http/log-escape.js';

describe('escapeLogValue', () => {
  it.each([
    ['plain/key.txt', 'plain/key.txt'],
    ['日本語/ü €', '日本語/ü €'],
    ['a\nb', 'a\\nb'],
    ['a\r\nb', 'a\\r\\nb'],
    ['a\tb', 'a\\tb'],
    ['a\0b', 'a\\x00b'],
    ['\x1b[31mred', '\\x1b[31mred'],
    ['del\x7f', 'del\\x7f'],
    ['c1\x85', 'c1\\x85'],
    ['ls\u2028ps\u2029', 'ls\\u2028ps\\u2029'],
    ['back\\slash', 'back\\\\slash'],
    // A key that spells out an escape stays distinguishable from one that holds the character.
    ['a\\nb', 'a\\\\nb'],
  ])('%j → %j', (value, escaped) => {
    expect(escapeLogValue(value)).toBe(escaped);
  });

  it('leaves no line break or control character, and is one-to-one', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const escaped = escapeLogValue(a);
        expect(escaped).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
        if (a !== b) expect(escapeLogValue(b)).not.toBe(escaped);
      }),
      { numRuns: 2000 },
    );
  });
});
