/**
 * SigV2 query authentication against URLs that stock boto3 (1.43, `generate_presigned_url` with
 * its default signer in us-east-1) produced for these credentials at time 1800000000: recorded
 * here so the suite needs no Python.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySignature as authenticate } from '../../src/auth/authenticate.js';
import { authenticateSigV2Header, authenticateSigV2Query, sigV2Signature, sigV2StringsToSign } from '../../src/auth/sigv2.js';
import { thrownS3Error } from './thrown-s3-error.js';

const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SIGNED_AT = new Date(1800000000 * 1000);
const lookup = (id: string) => (id === ACCESS_KEY ? SECRET : undefined);

const BOTO3_URLS = {
  getObject: '/test-bucket/photos/a%20b%2Bc~%C3%BC.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=3KI5tiRpxbuS5cOQHqX2j7O%2BKRY%3D&Expires=1800003600',
  responseOverrides:
    '/test-bucket/doc.txt?response-content-type=text%2Fplain&response-content-disposition=attachment%3B%20filename%3D%22x.txt%22&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=aLhmr1PI4m08ZyzgjK3Fv6XZxow%3D&Expires=1800000600',
  putWithTypeAndMetadata:
    '/test-bucket/up.txt?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=7eRo5vozOnk4%2F8mBw2Fn9wqI5nM%3D&content-type=text%2Fplain&x-amz-meta-owner=alice&Expires=1800000600',
  versionId: '/test-bucket/doc.txt?versionId=abc&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=0AP430EV1XgZCpnX%2BtOyGqr2pus%3D&Expires=1800000600',
  listObjectsV2:
    '/test-bucket?list-type=2&prefix=a%2F&encoding-type=url&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=Rf2nK6JjVhBcfaaXEiOLP4wFUYw%3D&Expires=1800000600',
};

function request(method: string, url: string, headers: Record<string, string> = {}) {
  const [rawPath, rawQuery = ''] = url.split('?') as [string, string?];
  return { method, rawPath, rawQuery, headers: { host: '127.0.0.1:9444', ...headers } };
}

const target = { bucket: 'test-bucket', virtualHosted: false, now: SIGNED_AT };

describe('SigV2 presigned URLs made by boto3', () => {
  it.each([
    ['GET of a key with spaces, + and non-ASCII', 'GET', BOTO3_URLS.getObject, {}],
    ['GET with response-* overrides (signed sub-resources)', 'GET', BOTO3_URLS.responseOverrides, {}],
    ['PUT with Content-Type and x-amz-meta-* moved into the query', 'PUT', BOTO3_URLS.putWithTypeAndMetadata, {}],
    ['PUT sending the Content-Type header as well', 'PUT', BOTO3_URLS.putWithTypeAndMetadata, { 'content-type': 'text/plain' }],
    ['GET with versionId (a signed sub-resource)', 'GET', BOTO3_URLS.versionId, {}],
    ['ListObjectsV2 (list-type, prefix are not signed)', 'GET', BOTO3_URLS.listObjectsV2, {}],
  ])('verifies %s', (_name, method, url, headers) => {
    const auth = authenticateSigV2Query(request(method, url, headers), lookup, target);
    expect(auth).toMatchObject({ accessKeyId: ACCESS_KEY, kind: 'sigv2', payloadHash: 'UNSIGNED-PAYLOAD' });
  });

  it('builds the string to sign as S3 documents it', () => {
    expect(sigV2StringsToSign(request('GET', BOTO3_URLS.responseOverrides), 'test-bucket', false)).toEqual([
      'GET\n\n\n1800000600\n/test-bucket/doc.txt?response-content-disposition=attachment; filename="x.txt"&response-content-type=text/plain',
    ]);
    expect(sigV2StringsToSign(request('PUT', BOTO3_URLS.putWithTypeAndMetadata), 'test-bucket', false)).toEqual([
      'PUT\n\ntext/plain\n1800000600\nx-amz-meta-owner:alice\n/test-bucket/up.txt',
    ]);
    // A bucket itself: boto3 signs `/bucket/`, other signers the URL's `/bucket`; both are accepted.
    expect(sigV2StringsToSign(request('GET', '/test-bucket?Expires=5'), 'test-bucket', false)).toEqual([
      'GET\n\n\n5\n/test-bucket/',
      'GET\n\n\n5\n/test-bucket',
    ]);
    // Virtual-host-style: the bucket from the Host header comes first in the signed resource.
    expect(sigV2StringsToSign(request('GET', '/doc.txt?acl&Expires=5'), 'test-bucket', true)).toEqual(['GET\n\n\n5\n/test-bucket/doc.txt?acl']);
  });

  it('refuses a changed request with SignatureDoesNotMatch carrying the StringToSign', () => {
    const err = thrownS3Error(() => authenticateSigV2Query(request('GET', BOTO3_URLS.getObject.replace('photos', 'videos')), lookup, target));
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.status).toBe(403);
    expect(err.fields).toMatchObject({ AWSAccessKeyId: ACCESS_KEY, StringToSign: 'GET\n\n\n1800003600\n/test-bucket/videos/a%20b%2Bc~%C3%BC.jpg' });
    // A Content-Type other than the signed one.
    const typed = thrownS3Error(() => authenticateSigV2Query(request('PUT', BOTO3_URLS.putWithTypeAndMetadata, { 'content-type': 'text/html' }), lookup, target));
    expect(typed.code).toBe('SignatureDoesNotMatch');
  });

  it('refuses an expired URL with AccessDenied "Request has expired"', () => {
    const err = thrownS3Error(() => authenticateSigV2Query(request('GET', BOTO3_URLS.getObject), lookup, { ...target, now: new Date(1800003601 * 1000) }));
    expect(err).toMatchObject({ code: 'AccessDenied', message: 'Request has expired' });
    expect(err.fields).toMatchObject({ Expires: '2027-01-15T09:00:00Z', ServerTime: '2027-01-15T09:00:01Z' });
  });

  it('refuses an unknown key, a missing parameter and a malformed Expires', () => {
    expect(thrownS3Error(() => authenticateSigV2Query(request('GET', BOTO3_URLS.getObject), () => undefined, target)).code).toBe('InvalidAccessKeyId');
    expect(thrownS3Error(() => authenticateSigV2Query(request('GET', '/b/k?AWSAccessKeyId=A&Signature=x'), lookup, target)).message).toBe(
      'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters',
    );
    expect(thrownS3Error(() => authenticateSigV2Query(request('GET', `/b/k?AWSAccessKeyId=${ACCESS_KEY}&Signature=x&Expires=soon`), lookup, target)).message).toBe(
      'Invalid date (should be seconds since epoch): soon',
    );
  });

  it('refuses a signed aws-chunked body, which SigV2 cannot sign', () => {
    const err = thrownS3Error(() =>
      authenticateSigV2Query(request('PUT', BOTO3_URLS.putWithTypeAndMetadata, { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }), lookup, target),
    );
    expect(err.code).toBe('InvalidRequest');
  });

  it('is refused by authenticate() unless SigV2 is accepted', () => {
    const req = request('GET', BOTO3_URLS.getObject);
    expect(thrownS3Error(() => authenticate(req, lookup, { region: 'us-east-1', now: SIGNED_AT, sigv2: 'reject' }))).toMatchObject({
      code: 'InvalidRequest',
      message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    });
    expect(authenticate(req, lookup, { region: 'us-east-1', now: SIGNED_AT, sigv2: 'accept', bucket: 'test-bucket' })?.kind).toBe('sigv2');
  });

  it('signs with base64 HMAC-SHA1', () => {
    // printf 'GET\n\n\n1\n/b/k' | openssl dgst -sha1 -hmac secret -binary | base64
    expect(sigV2Signature('secret', 'GET\n\n\n1\n/b/k')).toBe('d/YqL6tWjXC4lRW2uc4knBYARk4=');
  });
});

/** Requests boto3 sent with `Config(signature_version='s3')` at time 1800000000 (captured before sending). */
describe('SigV2 Authorization headers made by boto3', () => {
  const DATE = 'Fri, 15 Jan 2027 08:00:00 GMT';
  const putObject = request('PUT', '/test-bucket/a%20b.txt', {
    'content-type': 'text/plain',
    'x-amz-meta-owner': 'alice',
    'x-amz-checksum-crc32': 'NhCmhg==',
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    date: DATE,
    'content-length': '5',
  });
  const putAuthorization = `AWS ${ACCESS_KEY}:vhSxZHV32slMcZ9iX1FsTQs/cDM=`;
  const listObjects = request('GET', '/test-bucket?list-type=2&prefix=a&encoding-type=url', { date: DATE });
  const listAuthorization = `AWS ${ACCESS_KEY}:WrPt2N46ogwld2rkTwC0l364Nrs=`;

  it('verifies a PutObject with Content-Type and x-amz-* headers, and a ListObjectsV2 of the bucket', () => {
    expect(authenticateSigV2Header(putObject, putAuthorization, lookup, target)).toMatchObject({ accessKeyId: ACCESS_KEY, kind: 'sigv2' });
    expect(authenticateSigV2Header(listObjects, listAuthorization, lookup, target).kind).toBe('sigv2');
    expect(sigV2StringsToSign(putObject, 'test-bucket', false, DATE)[0]).toBe(
      `PUT\n\ntext/plain\n${DATE}\nx-amz-checksum-crc32:NhCmhg==\nx-amz-meta-owner:alice\nx-amz-sdk-checksum-algorithm:CRC32\n/test-bucket/a%20b.txt`,
    );
  });

  it('refuses a changed header with SignatureDoesNotMatch', () => {
    const changed = { ...putObject, headers: { ...putObject.headers, 'x-amz-meta-owner': 'mallory' } };
    expect(thrownS3Error(() => authenticateSigV2Header(changed, putAuthorization, lookup, target)).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a clock more than 15 minutes off with RequestTimeTooSkewed, and a missing date with AccessDenied', () => {
    const late = { ...target, now: new Date((1800000000 + 16 * 60) * 1000) };
    expect(thrownS3Error(() => authenticateSigV2Header(putObject, putAuthorization, lookup, late))).toMatchObject({ code: 'RequestTimeTooSkewed', status: 403 });
    const undated = { ...listObjects, headers: { host: '127.0.0.1:9444' } };
    expect(thrownS3Error(() => authenticateSigV2Header(undated, listAuthorization, lookup, target))).toMatchObject({
      code: 'AccessDenied',
      message: 'AWS authentication requires a valid Date or x-amz-date header',
    });
  });

  it('signs an empty date line when x-amz-date stands in for Date', () => {
    const req = request('GET', '/test-bucket/k', { 'x-amz-date': '20270115T080000Z' });
    const toSign = 'GET\n\n\n\nx-amz-date:20270115T080000Z\n/test-bucket/k';
    expect(sigV2StringsToSign(req, 'test-bucket', false, '')).toEqual([toSign]);
    expect(authenticateSigV2Header(req, `AWS ${ACCESS_KEY}:${sigV2Signature(SECRET, toSign)}`, lookup, target).kind).toBe('sigv2');
  });

  it('refuses a malformed header with InvalidArgument, and the header under sigv2: reject', () => {
    expect(thrownS3Error(() => authenticateSigV2Header(listObjects, `AWS ${ACCESS_KEY}`, lookup, target)).code).toBe('InvalidArgument');
    expect(thrownS3Error(() => authenticate({ ...listObjects, headers: { ...listObjects.headers, authorization: listAuthorization } }, lookup, { region: 'us-east-1', sigv2: 'reject' }))).toMatchObject({
      code: 'InvalidRequest',
    });
  });
});


describe('non-ASCII values in the SigV2 string to sign (issue 10, point 1)', () => {
  const DATE = 'Fri, 15 Jan 2027 08:00:00 GMT';
  // Headers as node:http reads the UTF-8 bytes of `ö` (C3 B6): `Ã¶`; the query carries them percent-encoded.
  const put = request('PUT', '/test-bucket/k?x-amz-meta-q=%C3%B6', {
    'content-type': 'text/plain; name="\u00c3\u00b6"',
    'x-amz-meta-h': '\u00c3\u00b6',
    date: DATE,
  });

  it('holds header and query values as the bytes received, one char per byte', () => {
    expect(sigV2StringsToSign(put, 'test-bucket', false, DATE)[0]).toBe(
      `PUT\n\ntext/plain; name="\u00c3\u00b6"\n${DATE}\nx-amz-meta-h:\u00c3\u00b6\nx-amz-meta-q:\u00c3\u00b6\n/test-bucket/k`,
    );
  });

  it('verifies a signature over those bytes; refuses one over their UTF-8 (encoded twice)', () => {
    const bytes = Buffer.from(sigV2StringsToSign(put, 'test-bucket', false, DATE)[0]!, 'latin1');
    expect(bytes.includes(Buffer.from('x-amz-meta-h:\xc3\xb6\n', 'latin1'))).toBe(true);
    const overBytes = createHmac('sha1', SECRET).update(bytes).digest('base64');
    expect(authenticateSigV2Header(put, `AWS ${ACCESS_KEY}:${overBytes}`, lookup, target).kind).toBe('sigv2');
    const twice = createHmac('sha1', SECRET).update(bytes.toString('latin1'), 'utf8').digest('base64');
    expect(thrownS3Error(() => authenticateSigV2Header(put, `AWS ${ACCESS_KEY}:${twice}`, lookup, target)).code).toBe('SignatureDoesNotMatch');
  });
});
