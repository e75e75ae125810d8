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
