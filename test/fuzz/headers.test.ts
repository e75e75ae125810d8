/**
 * Header values, fuzzed through the real server: every header a PutObject, CreateMultipartUpload
 * or CopyObject reads (content headers, user metadata, storage class, SSE, checksums, copy source)
 * with any value Node's HTTP parser lets through (printable ASCII, tab, bytes 0x80–0xFF), signed.
 * Whatever was stored must stay readable: the GET and HEAD that follow are never a 500.
 * Header rules: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { BUCKET, assertStillServing, fuzz, fuzzTarget, headerText, hostileText, percentEncodeBytes, sendSigned } from './harness.js';

const target = fuzzTarget();

const headerName = fc.oneof(
  fc.constantFrom(
    'content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires',
    'content-md5', 'x-amz-storage-class', 'x-amz-server-side-encryption', 'x-amz-website-redirect-location',
    'x-amz-checksum-algorithm', 'x-amz-checksum-crc32', 'x-amz-checksum-sha256', 'x-amz-sdk-checksum-algorithm',
    'x-amz-copy-source', 'x-amz-metadata-directive', 'x-amz-copy-source-range', 'x-amz-copy-source-if-match',
    'x-amz-tagging', 'x-amz-acl', 'x-amz-decoded-content-length', 'x-amz-trailer', 'x-amz-expected-bucket-owner',
    'if-none-match', 'if-match', 'expect', 'x-amz-meta-a',
  ),
  fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,20}$/).map((name) => `x-amz-meta-${name}`),
);
const copySource = fc.oneof(
  fc.constantFrom(`/${BUCKET}/h/source`, `${BUCKET}/h/source`, `/${BUCKET}/h/source?versionId=null`, '/other-bucket/x', `/${BUCKET}/`),
  hostileText(30).map((text) => `/${BUCKET}/${percentEncodeBytes(Buffer.from(text, 'utf8'))}`),
);
const headerPairs = fc.array(
  fc.oneof(
    fc.tuple(headerName, headerText()),
    fc.tuple(fc.constant('x-amz-copy-source'), copySource),
  ),
  { minLength: 1, maxLength: 5 },
);

describe('header values', () => {
  it('every value of every header gets a catalogued answer, and whatever was stored stays readable', async () => {
    await sendSigned(target, { method: 'PUT', rawPath: `/${BUCKET}/h/source`, body: Buffer.from('copy source') });
    await fuzz(
      'header values',
      [fc.constantFrom('PUT', 'POST-uploads'), headerPairs, fc.uint8Array({ maxLength: 32 })],
      async (operation, pairs, body) => {
        const headers = Object.fromEntries(pairs);
        const rawPath = `/${BUCKET}/h/target`;
        if (operation === 'PUT') {
          await sendSigned(target, { method: 'PUT', rawPath, headers, body: Buffer.from(body) });
        } else {
          const created = await sendSigned(target, { method: 'POST', rawPath, rawQuery: 'uploads', headers });
          const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body.toString())?.[1];
          if (uploadId) await sendSigned(target, { method: 'DELETE', rawPath, rawQuery: `uploadId=${uploadId}` });
        }
        await sendSigned(target, { method: 'GET', rawPath });
        await sendSigned(target, { method: 'HEAD', rawPath });
        await assertStillServing(target);
      },
    );
  });
});
