import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { buildCanonicalRequest, canonicalHeaderValue, canonicalQuery, canonicalUri } from '../../src/auth/canonical-request.js';
import { stringToSign } from '../../src/auth/sigv4-crypto.js';

describe('the canonical URI', () => {
  test.each([
    ['', '/'],
    ['/', '/'],
    ['/bucket/key.txt', '/bucket/key.txt'],
    ['/test-bucket/a%20b/a+b', '/test-bucket/a%20b/a%2Bb'],
    ['/test-bucket/%c3%bc/%E4%B8%AD', '/test-bucket/%C3%BC/%E4%B8%AD'],
    ["/test-bucket/!*'()~=&:@$,;", '/test-bucket/%21%2A%27%28%29~%3D%26%3A%40%24%2C%3B'],
    ['/test-bucket/%21%2A%27%28%29%7E%3D%26%3A', '/test-bucket/%21%2A%27%28%29~%3D%26%3A'],
    // A `%` that starts no escape is a literal percent sign.
    ['/test-bucket/100%25/100%', '/test-bucket/100%25/100%25'],
    ['/test-bucket/%zz%4', '/test-bucket/%25zz%254'],
    // No normalisation: empty segments, trailing slash and dot segments stay.
    ['/test-bucket//a//b/', '/test-bucket//a//b/'],
    ['/test-bucket/./a/../b', '/test-bucket/./a/../b'],
    // An encoded slash is a slash, as S3 canonicalises it (the Java SDK v2 sends `a//b` as `a/%2Fb`
    // and signs `a//b`); the literal text "%2F" in a key arrives as %252F and stays so.
    ['/test-bucket/a%2Fb', '/test-bucket/a/b'],
    ['/test-bucket/a/%2Fb/%2F/c.txt', '/test-bucket/a//b///c.txt'],
    ['/test-bucket/a%2fb', '/test-bucket/a/b'],
    ['/test-bucket/literal%252F', '/test-bucket/literal%252F'],
    // Raw non-ASCII characters are encoded as UTF-8.
    ['/test-bucket/ü😀', '/test-bucket/%C3%BC%F0%9F%98%80'],
  ])('of %j is %j', (rawPath, expected) => {
    expect(canonicalUri(rawPath)).toBe(expected);
  });
});

describe('the canonical query string', () => {
  test.each([
    ['', ''],
    ['b=2&a=1', 'a=1&b=2'],
    ['a=2&a=1&a=&A=3', 'A=3&a=&a=1&a=2'],
    ['acl&b=', 'acl=&b='],
    ['a=b+c&d=e%2Bf&g=%20', 'a=b%20c&d=e%2Bf&g=%20'],
    // Sorted by name, then value; not as "name=value" text, where "-" and "." sort below "=".
    ['k=1&k-x=2&k.y=3&k0=4', 'k=1&k-x=2&k.y=3&k0=4'],
    ["k=%c3%bc~!*'()&l=a=b&m=a:b/c", 'k=%C3%BC~%21%2A%27%28%29&l=a%3Db&m=a%3Ab%2Fc'],
    ['&&a=1&&', 'a=1'],
    // Escapes of unreserved bytes are decoded, a stray `%` is encoded: only the strict encoding passes unchanged.
    ['a=%41%7E%2d&b=%2F%3D&c=100%&d=%4&e=%C3%BC', 'a=A~-&b=%2F%3D&c=100%25&d=%254&e=%C3%BC'],
    ['X-Amz-Signature=abc&a=1', 'X-Amz-Signature=abc&a=1'],
  ])('of %j is %j', (rawQuery, expected) => {
    expect(canonicalQuery(rawQuery, false)).toBe(expected);
  });

  test('leaves out X-Amz-Signature, in any letter case, for presigned URLs', () => {
    expect(canonicalQuery('X-Amz-Signature=abc&a=1', true)).toBe('a=1');
    expect(canonicalQuery('x-amz-signature=abc&a=1', true)).toBe('a=1');
  });
});

describe('a canonical header value', () => {
  test.each<[string | string[] | undefined, string]>([
    ['value', 'value'],
    ['  a   b \t c  ', 'a b c'],
    [['one', 'two'], 'one,two'],
    [undefined, ''],
  ])('of %j is %j', (value, expected) => {
    expect(canonicalHeaderValue(value)).toBe(expected);
  });
});

describe('header values are signed as the bytes received (issue 10, point 1)', () => {
  // node:http reads the UTF-8 bytes of `ö` (C3 B6) as the chars `Ã¶`.
  const canonical = buildCanonicalRequest({
    method: 'PUT',
    rawPath: '/test-bucket/k',
    rawQuery: 'x=%C3%B6',
    headers: { host: 'h', 'x-amz-meta-a': ' \u00c3\u00b6  x ' },
    signedHeaders: ['host', 'x-amz-meta-a'],
    payloadHash: 'UNSIGNED-PAYLOAD',
  });

  test('the canonical request keeps them as one char per byte; the query stays percent-encoded UTF-8', () => {
    expect(canonical).toBe('PUT\n/test-bucket/k\nx=%C3%B6\nhost:h\nx-amz-meta-a:\u00c3\u00b6 x\n\nhost;x-amz-meta-a\nUNSIGNED-PAYLOAD');
  });

  test('the string to sign hashes those bytes (C3 B6), not their UTF-8 (C3 83 C2 B6)', () => {
    const bytes = Buffer.from('PUT\n/test-bucket/k\nx=%C3%B6\nhost:h\nx-amz-meta-a:\xc3\xb6 x\n\nhost;x-amz-meta-a\nUNSIGNED-PAYLOAD', 'latin1');
    expect(bytes.includes(Buffer.from([0x3a, 0xc3, 0xb6, 0x20]))).toBe(true);
    const scope = '20260101/us-east-1/s3/aws4_request';
    expect(stringToSign('20260101T000000Z', scope, canonical)).toBe(
      `AWS4-HMAC-SHA256\n20260101T000000Z\n${scope}\n${createHash('sha256').update(bytes).digest('hex')}`,
    );
  });
});
