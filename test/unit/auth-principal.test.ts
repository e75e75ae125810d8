/**
 * What the authenticate stage gives: the payload mode an x-amz-content-sha256 value names, and who
 * signed a request (the access key and its credential's bucket), found through an asynchronous
 * credential lookup.
 */
import { describe, expect, test } from 'vitest';
import headerExamples from '../../fixtures/sigv4/s3-header-auth-examples.json' with { type: 'json' };
import { authenticate } from '../../src/auth/authenticate.js';
import { parsePayloadMode } from '../../src/auth/payload-mode.js';
import { authenticatePostPolicy } from '../../src/auth/post-policy.js';
import { presignUrl, signRequest } from '../../src/auth/sigv4-client.js';
import { EMPTY_SHA256, cachedSigningKey, signatureHex } from '../../src/auth/sigv4-crypto.js';
import type { BucketCredential, SignableRequest } from '../../src/auth/types.js';
import { S3Error } from '../../src/s3/s3-error.js';
import { thrownS3Error } from './thrown-s3-error.js';

const { accessKeyId: KEY, secretKey: SECRET, region: REGION } = headerExamples.credentials;
const NOW = new Date(headerExamples.now);
const options = { region: REGION, now: NOW };

describe('parsePayloadMode', () => {
  test.each([
    ['UNSIGNED-PAYLOAD', { kind: 'unsigned' }],
    [EMPTY_SHA256.toUpperCase(), { kind: 'sha256', sha256: EMPTY_SHA256 }],
    ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', { kind: 'streaming', framing: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', signed: true, trailer: false }],
    [
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      { kind: 'streaming', framing: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', signed: true, trailer: true },
    ],
    ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', { kind: 'streaming', framing: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', signed: false, trailer: true }],
  ])('%s', (value, mode) => {
    expect(parsePayloadMode(value)).toEqual(mode);
  });

  test.each(['STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER'])(
    'SigV4a streaming (%s) is valid for S3 but not implemented here',
    (value) => {
      expect(thrownS3Error(() => parsePayloadMode(value))).toMatchObject({ code: 'NotImplemented', status: 501, fields: { Header: 'x-amz-content-sha256' } });
    },
  );

  test.each(['', 'unsigned-payload', 'STREAMING-UNSIGNED-PAYLOAD', EMPTY_SHA256.slice(1), `${EMPTY_SHA256}0`])('%j is InvalidArgument', (value) => {
    expect(thrownS3Error(() => parsePayloadMode(value))).toMatchObject({
      code: 'InvalidArgument',
      fields: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value },
    });
  });
});

interface StoredCredential extends BucketCredential {
  region: string;
}

const STORED: StoredCredential = { bucket: 'photos', secretKey: SECRET, region: REGION };

/** A lookup that answers asynchronously and records what it was asked. */
function recordingLookup(): { lookup: (id: string) => Promise<StoredCredential | undefined>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (accessKeyId) => {
      asked.push(accessKeyId);
      await new Promise((resolve) => setImmediate(resolve));
      return accessKeyId === KEY ? STORED : undefined;
    },
  };
}

function headerSigned(accessKeyId = KEY): SignableRequest {
  const signed = signRequest({
    method: 'GET',
    url: 'http://127.0.0.1:9000/photos/cat.jpg',
    accessKeyId,
    secretKey: SECRET,
    region: REGION,
    payloadHash: EMPTY_SHA256,
    now: NOW,
  });
  return { method: 'GET', rawPath: '/photos/cat.jpg', rawQuery: '', headers: signed.headers };
}

async function rejection(promise: Promise<unknown>): Promise<S3Error> {
  const err = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(err instanceof S3Error)) throw new Error(`expected an S3Error, got ${String(err)}`);
  return err;
}

describe('authenticate returns the principal', () => {
  test('for the Authorization header: the access key, its credential\'s bucket, and the credential as looked up', async () => {
    const { lookup, asked } = recordingLookup();
    const authenticated = await authenticate(headerSigned(), lookup, options);
    expect(authenticated?.principal).toEqual({ accessKeyId: KEY, bucket: 'photos' });
    expect(authenticated?.credential).toBe(STORED);
    expect(authenticated?.authentication).toMatchObject({ kind: 'header', accessKeyId: KEY, payloadHash: EMPTY_SHA256 });
    expect(asked).toEqual([KEY]);
  });

  test('for a presigned URL', async () => {
    const url = new URL(
      presignUrl({ method: 'GET', url: 'http://127.0.0.1:9000/photos/cat.jpg', accessKeyId: KEY, secretKey: SECRET, region: REGION, expiresSeconds: 60, now: NOW }),
    );
    const request = { method: 'GET', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { host: url.host } };
    const authenticated = await authenticate(request, recordingLookup().lookup, options);
    expect(authenticated?.principal).toEqual({ accessKeyId: KEY, bucket: 'photos' });
    expect(authenticated?.authentication.kind).toBe('presigned');
  });

  test('anonymous: undefined, and nothing is looked up', async () => {
    const { lookup, asked } = recordingLookup();
    const { authorization: _, ...headers } = headerSigned().headers;
    expect(await authenticate({ ...headerSigned(), headers }, lookup, options)).toBeUndefined();
    expect(asked).toEqual([]);
  });

  test('an access key without a credential: InvalidAccessKeyId', async () => {
    const { lookup, asked } = recordingLookup();
    const err = await rejection(authenticate(headerSigned('AKIAUNKNOWN'), lookup, options));
    expect(err).toMatchObject({ code: 'InvalidAccessKeyId', fields: { AWSAccessKeyId: 'AKIAUNKNOWN' } });
    expect(asked).toEqual(['AKIAUNKNOWN']);
  });

  test('a request malformed before its key is read is refused as malformed, whether the key exists or not', async () => {
    const request = headerSigned('AKIAUNKNOWN');
    const malformed = { ...request, headers: { ...request.headers, 'x-amz-content-sha256': 'abc' } };
    expect(await rejection(authenticate(malformed, recordingLookup().lookup, options))).toMatchObject({ code: 'InvalidArgument' });
  });
});

describe('authenticatePostPolicy returns the principal', () => {
  const amzDate = '20130524T000000Z';
  const credential = `${KEY}/20130524/${REGION}/s3/aws4_request`;
  const policy = Buffer.from(
    JSON.stringify({
      expiration: '2013-05-25T00:00:00Z',
      conditions: [{ bucket: 'photos' }, ['starts-with', '$key', ''], { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' }, { 'x-amz-credential': credential }, { 'x-amz-date': amzDate }],
    }),
  ).toString('base64');
  const fields = (signature: string) =>
    new Map([
      ['key', 'cat.jpg'],
      ['x-amz-algorithm', 'AWS4-HMAC-SHA256'],
      ['x-amz-credential', credential],
      ['x-amz-date', amzDate],
      ['policy', policy],
      ['x-amz-signature', signature],
    ]);
  const postOptions = { region: REGION, bucket: 'photos', sigv2: 'reject' as const, now: NOW };

  test('for a SigV4 form', async () => {
    const signature = signatureHex(cachedSigningKey(SECRET, '20130524', REGION), policy);
    const verified = await authenticatePostPolicy(fields(signature), recordingLookup().lookup, postOptions);
    expect(verified?.authenticated.principal).toEqual({ accessKeyId: KEY, bucket: 'photos' });
    expect(verified?.authenticated.authentication).toMatchObject({ kind: 'post-policy', payloadHash: 'UNSIGNED-PAYLOAD', amzDate });
  });

  test('a wrong signature: SignatureDoesNotMatch', async () => {
    const err = await rejection(authenticatePostPolicy(fields('0'.repeat(64)), recordingLookup().lookup, postOptions));
    expect(err.code).toBe('SignatureDoesNotMatch');
  });
});
