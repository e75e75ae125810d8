import { describe, expect, it } from 'vitest';
import { parseQuery, percentDecode, uriEncode } from '../../src/auth/uri-encoding.js';

describe('percentDecode', () => {
  it('decodes escapes in either letter case to bytes', () => {
    expect(percentDecode('a%2Fb%2fc', false)).toEqual(Buffer.from('a/b/c'));
    expect(percentDecode('%E2%82%AC', false)).toEqual(Buffer.from('€'));
    expect(percentDecode('%FF%00', false)).toEqual(Buffer.from([0xff, 0x00]));
  });

  it('keeps a % that starts no valid escape as a literal %', () => {
    expect(percentDecode('100%', false)).toEqual(Buffer.from('100%'));
    expect(percentDecode('%4', false)).toEqual(Buffer.from('%4'));
    expect(percentDecode('%zz%41', false)).toEqual(Buffer.from('%zzA'));
    expect(percentDecode('%%41', false)).toEqual(Buffer.from('%A'));
  });

  it('turns + into a space only where asked (queries)', () => {
    expect(percentDecode('a+b%20c', true)).toEqual(Buffer.from('a b c'));
    expect(percentDecode('a+b%20c', false)).toEqual(Buffer.from('a+b c'));
  });

  it('keeps unescaped non-ASCII text as its UTF-8 bytes, astral characters included', () => {
    expect(percentDecode('é/😀%20x', false)).toEqual(Buffer.from('é/😀 x'));
    expect(percentDecode('😀+', true)).toEqual(Buffer.from('😀 '));
  });

  it('round-trips through uriEncode to the canonical form', () => {
    expect(uriEncode(percentDecode('a%2fb~c%7E%20', false))).toBe('a%2Fb~c~%20');
  });
});

describe('parseQuery', () => {
  it('decodes names and values, keeping bare names and order', () => {
    expect(parseQuery('X-Amz-Credential=AK%2F2024%2Fus-east-1&flag&b=1+2')).toEqual([
      ['X-Amz-Credential', 'AK/2024/us-east-1'],
      ['flag', ''],
      ['b', '1 2'],
    ]);
  });

  it('keeps a stray % and decodes escapes that are not UTF-8 to U+FFFD, as the bytes decode', () => {
    expect(parseQuery('a=100%&b=%C3%28&c=%E2%82%AC+%2B&d=%zz')).toEqual([
      ['a', '100%'],
      ['b', '\uFFFD('],
      ['c', '€ +'],
      ['d', '%zz'],
    ]);
  });
});
