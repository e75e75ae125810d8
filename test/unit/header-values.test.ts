/**
 * The header-value rules on their own (src/operations/header-values.ts), and objectMetadataFrom
 * for headers Node's parser never lets through (a control character in a header is refused
 * before the app sees it), so the rule holds for every caller, not only for POST forms.
 * Sources are named in test/integration/header-values.test.ts.
 */
import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeMetadataValue,
  formFieldAsHeaderValue,
  isHeaderName,
  renderHeaderValue,
  responseOverrideValue,
  userMetadataHeaders,
} from '../../src/operations/header-values.js';
import { objectMetadataFrom } from '../../src/operations/put-object.js';
import { thrownS3Error } from './thrown-s3-error.js';

/** Whether Node's own response would accept `value` for a header (the check that would otherwise be a 500). */
function nodeAccepts(name: string, value: string): boolean {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  try {
    res.setHeader(name, value);
    return true;
  } catch {
    return false;
  }
}

describe('renderHeaderValue', () => {
  it('leaves a sendable value as it is', () => {
    for (const value of ['text/plain', 'a\tb', 'caf\u00e9', '\u00e6\u0097\u00a5', '']) expect(renderHeaderValue(value)).toBe(value);
  });
  it('sends controls as SP and text beyond Latin-1 as its UTF-8 bytes', () => {
    expect(renderHeaderValue('a\r\nb\u0000c\u007f')).toBe('a  b c ');
    expect(renderHeaderValue('日')).toBe('\u00e6\u0097\u00a5');
  });
  it('turns any string at all into a value Node sends (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (value) => nodeAccepts('x-test', renderHeaderValue(value))), { numRuns: 2000 });
  });
});

describe('responseOverrideValue', () => {
  it('passes Latin-1 text without controls', () => {
    expect(responseOverrideValue('response-content-disposition', 'attachment; filename="caf\u00e9.pdf"')).toBe('attachment; filename="caf\u00e9.pdf"');
  });
  it('refuses text beyond ISO-8859-1 as S3 does, naming the parameter', () => {
    expect(thrownS3Error(() => responseOverrideValue('response-content-disposition', 'attachment; filename="日本語.pdf"'))).toEqual({
      code: 'InvalidArgument',
      status: 400,
      message: 'Header value cannot be represented using ISO-8859-1.',
      fields: { ArgumentName: 'response-content-disposition', ArgumentValue: 'attachment; filename="日本語.pdf"' },
    });
  });
  it('refuses control characters, naming the parameter', () => {
    for (const value of ['a\rb', 'a\nb', 'a\u0000b', 'a\u001fb', 'a\u007fb']) {
      expect(thrownS3Error(() => responseOverrideValue('response-content-type', value))).toEqual({
        code: 'InvalidArgument',
        status: 400,
        message: 'Header value contains a control character.',
        fields: { ArgumentName: 'response-content-type', ArgumentValue: value },
      });
    }
  });
  it('returns only values Node sends, and refuses all others (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        let accepted: string | undefined;
        try {
          accepted = responseOverrideValue('response-expires', value);
        } catch {
          return !nodeAccepts('Expires', value);
        }
        return accepted === value && nodeAccepts('Expires', accepted);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formFieldAsHeaderValue', () => {
  it('reads the UTF-8 bytes of any non-ASCII text as Latin-1, as a header carrying them reads', () => {
    expect(formFieldAsHeaderValue('日本語')).toBe(Buffer.from('日本語', 'utf8').toString('latin1'));
    expect(formFieldAsHeaderValue('Köln')).toBe('K\u00c3\u00b6ln');
    expect(formFieldAsHeaderValue('plain')).toBe('plain');
  });
});

describe('userMetadataHeaders', () => {
  it('leaves out and counts names that cannot be headers', () => {
    expect(userMetadataHeaders({ ok: 'v', 'two words': 'x', 'a:b': 'y', 日: 'z', ctl: 'a\nb' })).toEqual({
      headers: [
        ['x-amz-meta-ok', 'v'],
        ['x-amz-meta-ctl', 'a b'],
      ],
      missing: 3,
    });
  });
  it('every header it returns is one Node sends (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), (metadata) =>
        userMetadataHeaders(metadata).headers.every(([name, value]) => isHeaderName(name) && nodeAccepts(name, value)),
      ),
      { numRuns: 500 },
    );
  });
  it('every value it returns is US-ASCII (RFC 2047 form for the rest), so no client has to read bytes ≥ 0x80 (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'binary' })), (metadata) =>
        userMetadataHeaders(metadata).headers.every(([, value]) => /^[\t\x20-\x7e]*$/.test(value)),
      ),
      { numRuns: 500 },
    );
  });
});

describe('objectMetadataFrom', () => {
  const STORED = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires', 'x-amz-meta-note'];

  it('refuses a control character in each stored header, naming it', () => {
    for (const name of STORED) {
      for (const value of ['a\r\nb', 'a\u0000b', 'a\u0001b', 'a\u007fb']) {
        expect(thrownS3Error(() => objectMetadataFrom({ [name]: value }))).toEqual({
          code: 'InvalidArgument',
          status: 400,
          message: 'Header value contains a control character.',
          fields: { ArgumentName: name, ArgumentValue: value },
        });
      }
    }
  });
  it('refuses a metadata name that is not a token, naming it', () => {
    expect(thrownS3Error(() => objectMetadataFrom({ 'x-amz-meta-two words': 'v' }))).toEqual({
      code: 'InvalidArgument',
      status: 400,
      message: 'Metadata name is not a valid HTTP header name.',
      fields: { ArgumentName: 'x-amz-meta-two words', ArgumentValue: 'x-amz-meta-two words' },
    });
  });
  it('keeps HTAB and bytes read as Latin-1, which headers carry', () => {
    const latin1 = Buffer.from('日本語', 'utf8').toString('latin1');
    expect(objectMetadataFrom({ 'content-disposition': `a\t${latin1}`, 'x-amz-meta-t': latin1 })).toMatchObject({
      contentDisposition: `a\t${latin1}`,
      userMetadata: { t: latin1 },
    });
  });
  it('counts metadata size in the bytes the headers carried (2 KB), not in the UTF-8 of their Latin-1 reading', () => {
    const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    // 1 + 2 × 1023 = 2047 bytes on the wire.
    expect(objectMetadataFrom({ 'x-amz-meta-a': latin1('é'.repeat(1023)) }).userMetadata.a).toHaveLength(2046);
    expect(thrownS3Error(() => objectMetadataFrom({ 'x-amz-meta-ab': latin1('é'.repeat(1024)) }))).toMatchObject({
      code: 'MetadataTooLarge',
      fields: { Size: 2050, MaxSizeAllowed: 2048 },
    });
  });
});

/**
 * The RFC 2047 form S3 returns user metadata in (sources: encodeMetadataValue's docstring and
 * test/integration/non-ascii-headers.test.ts). Inputs are byte strings, as a header reads.
 */
describe('encodeMetadataValue', () => {
  const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

  /** An RFC 2047 decoder written from the RFC, independent of the encoder: the byte string the words hold. */
  function decodeWords(value: string): string {
    return value
      .split(' ')
      .map((word) => {
        const match = /^=\?UTF-8\?([BQ])\?([^?]*)\?=$/.exec(word);
        if (!match) throw new Error(`not an encoded-word: ${word}`);
        const bytes =
          match[1] === 'B'
            ? Buffer.from(match[2]!, 'base64')
            : Buffer.from(match[2]!.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
        return bytes.toString('utf8');
      })
      .join('');
  }

  it('returns US-ASCII text as is: printable, HTAB, empty, and text that looks encoded', () => {
    for (const value of ['', 'plain', 'a\tb', 'only ASCII = as is?', '=?UTF-8?B?w7Y=?=']) expect(encodeMetadataValue(value)).toBe(value);
  });

  it('encodes the Latin-1 reading of the bytes: the values S3 returned in minio/minio#21282 and ceph s3-tests', () => {
    expect(encodeMetadataValue(utf8Bytes('ö'))).toBe('=?UTF-8?B?w4PCtg==?=');
    expect(encodeMetadataValue(utf8Bytes('Miniö'))).toBe('=?UTF-8?Q?Mini=C3=83=C2=B6?=');
    // Stored before control characters were refused on entry (ceph s3-tests test_object_set_get_non_utf8_metadata, until 2023).
    expect(encodeMetadataValue('\u0004mymeta')).toBe('=?UTF-8?Q?=04mymeta?=');
    // A Latin-1 byte (F6, as node:http writes ö) is the char ö.
    expect(encodeMetadataValue('\u00f6')).toBe('=?UTF-8?B?w7Y=?=');
  });

  it('picks Q when US-ASCII chars outnumber the others, else B (a tie is B)', () => {
    expect(encodeMetadataValue('abc\u00e9')).toMatch(/^=\?UTF-8\?Q\?/);
    expect(encodeMetadataValue('ab\u00e9\u00e9')).toBe('=?UTF-8?B?YWLDqcOp?=');
    expect(encodeMetadataValue('a\u00e9\u00e9')).toMatch(/^=\?UTF-8\?B\?/);
  });

  it('in Q, writes SP as _ and escapes =, ?, _ and every byte outside printable ASCII as upper-case =XX', () => {
    expect(encodeMetadataValue('a b=c?d_e"f\u00e9g\th')).toBe('=?UTF-8?Q?a_b=3Dc=3Fd=5Fe"f=C3=A9g=09h?=');
  });

  it('splits a long value into encoded-words of at most 75 chars, joined by a space, halving by chars', () => {
    expect(encodeMetadataValue(utf8Bytes('attachment; filename="日本語.pdf"'))).toBe(
      '=?UTF-8?Q?attachment;_filena?= =?UTF-8?Q?me=3D"=C3=A6=C2=97=C2=A5=C3=A6=C2=9C?= =?UTF-8?Q?=C2=AC=C3=A8=C2=AA=C2=9E.pdf"?=',
    );
    const long = utf8Bytes('日本語'.repeat(100));
    const words = encodeMetadataValue(long).split(' ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encodeMetadataValue(long))).toBe(long);
  });

  it('any byte string: US-ASCII text unchanged; anything else as words of at most 75 chars that decode to it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const value = Buffer.from(bytes).toString('latin1');
        const encoded = encodeMetadataValue(value);
        if (/^[\t\n\r\x20-\x7e]*$/.test(value)) return encoded === value;
        const words = encoded.split(' ');
        return words.every((word) => word.length <= 75) && new Set(words.map((word) => word.slice(8, 9))).size === 1 && decodeWords(encoded) === value;
      }),
      { numRuns: 2000 },
    );
  });
});
