/**
 * Keys and query strings, fuzzed through the real server: any path (invalid UTF-8, NUL, control
 * characters, `..` and `.` segments, encoded slashes, keys around the 1,024-byte limit) and any
 * query (S3's parameter names with hostile values) gets a success or a catalogued S3 error; a key
 * that was stored reads back byte-exact under the same path and is deleted by it.
 * Key limit and characters: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, assertStillServing, fuzz, fuzzTarget, hostileText, percentEncodeBytes, sendSigned } from './harness.js';

const target = fuzzTarget();

const segment = fc.oneof(
  fc.uint8Array({ maxLength: 24 }).map(percentEncodeBytes),
  hostileText(24).map((text) => percentEncodeBytes(Buffer.from(text, 'utf8'))),
  fc.constantFrom('..', '.', '', '%2e%2e', '%2E', '%2F', '%2f..', '%00', '%FF', '%C0%AE', '%ED%A0%80', '%E6%97%A5', 'a+b', '~'),
  fc.integer({ min: 1018, max: 1030 }).map((length) => 'k'.repeat(length)),
);
const rawKeyPath = fc.array(segment, { minLength: 1, maxLength: 6 }).map((segments) => `/${BUCKET}/${segments.join('/')}`);

describe('keys', () => {
  it('every path gets a catalogued answer; a stored key reads back byte-exact and deletes', async () => {
    await fuzz('keys', [rawKeyPath, fc.uint8Array({ maxLength: 64 })], async (rawPath, bodyBytes) => {
      const body = Buffer.from(bodyBytes);
      const put = await sendSigned(target, { method: 'PUT', rawPath, body });
      if (put.status === 200) {
        const got = await sendSigned(target, { method: 'GET', rawPath });
        expect(got.status).toBe(200);
        expect(got.body.equals(body)).toBe(true);
        expect((await sendSigned(target, { method: 'HEAD', rawPath })).status).toBe(200);
        // The listing names the same key: with encoding-type=url, its Key decodes to what the path decoded to
        // (S3 writes a space as `+`, as botocore's unquote_plus expects).
        const key = decodeURIComponent(rawPath.slice(BUCKET.length + 2));
        const listed = await sendSigned(target, {
          method: 'GET',
          rawPath: `/${BUCKET}`,
          rawQuery: `list-type=2&encoding-type=url&prefix=${percentEncodeBytes(Buffer.from(key, 'utf8'))}`,
        });
        expect(listed.status).toBe(200);
        const keys = [...listed.body.toString().matchAll(/<Key>([^<]*)<\/Key>/g)].map(([, text]) => decodeURIComponent(text.replace(/\+/g, ' ')));
        expect(keys).toContain(key);
        expect((await sendSigned(target, { method: 'DELETE', rawPath })).status).toBe(204);
        expect((await sendSigned(target, { method: 'GET', rawPath })).status).toBe(404);
      } else {
        await sendSigned(target, { method: 'GET', rawPath });
      }
      await assertStillServing(target);
    });
  });
});

const parameterName = fc.oneof(
  fc.constantFrom(
    'list-type', 'prefix', 'delimiter', 'max-keys', 'marker', 'continuation-token', 'start-after', 'encoding-type',
    'fetch-owner', 'uploads', 'uploadId', 'partNumber', 'versionId', 'location', 'delete', 'key-marker',
    'upload-id-marker', 'max-uploads', 'max-parts', 'part-number-marker', 'response-content-type',
    'response-content-disposition', 'response-expires', 'response-cache-control', 'x-id', 'acl', 'tagging',
    'X-Amz-Expires', 'Signature', 'x-amz-security-token',
  ),
  hostileText(12).map((text) => percentEncodeBytes(Buffer.from(text, 'utf8'))),
);
const parameterValue = fc.oneof(
  hostileText(40).map((text) => percentEncodeBytes(Buffer.from(text, 'utf8'))),
  fc.uint8Array({ maxLength: 16 }).map(percentEncodeBytes),
  fc.constantFrom('', '1', '2', '0', '-1', '1000', '1001', '10000', '2147483648', '1e3', '0x10', 'url', 'true', '%', '%zz', '+'),
);
const rawQuery = fc
  .array(fc.tuple(parameterName, fc.option(parameterValue)), { minLength: 1, maxLength: 5 })
  .map((pairs) => pairs.map(([name, value]) => (value === null ? name : `${name}=${value}`)).join('&'));

describe('query strings', () => {
  // An object to address, so that GetObject's response-* overrides and partNumber are reached.
  beforeAll(async () => {
    expect((await sendSigned(target, { method: 'PUT', rawPath: `/${BUCKET}/q/key`, body: Buffer.from('query target') })).status).toBe(200);
  });

  it('every query on every method and target gets a catalogued answer', async () => {
    await fuzz(
      'query strings',
      [fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'DELETE'), fc.constantFrom(`/${BUCKET}`, `/${BUCKET}/`, `/${BUCKET}/q/key`, '/', '/other-bucket'), rawQuery],
      async (method, rawPath, query) => {
        await sendSigned(target, { method, rawPath, rawQuery: query });
        await assertStillServing(target);
      },
    );
  });
});
