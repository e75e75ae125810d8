/**
 * Range and conditional headers, fuzzed through the real server on one stored object: any
 * Range / If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since value and any
 * partNumber gets a success or a catalogued S3 error; a 206 carries exactly the bytes its
 * Content-Range names.
 * Range: RFC 9110 §14 as S3 reads it, https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, assertStillServing, fuzz, fuzzTarget, headerText, sendSigned } from './harness.js';

const target = fuzzTarget();
const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
const rawPath = `/${BUCKET}/range/target`;
let etag = '';

beforeAll(async () => {
  const put = await sendSigned(target, { method: 'PUT', rawPath, body: content });
  etag = put.headers.etag;
});

const position = fc.oneof(fc.integer({ min: 0, max: 1100 }), fc.constantFrom(-1, 999, 1000, 2 ** 53, 1e21));
const rangeValue = fc.oneof(
  fc.tuple(fc.option(position), fc.option(position)).map(([first, last]) => `bytes=${first ?? ''}-${last ?? ''}`),
  fc.array(fc.tuple(position, position), { minLength: 2, maxLength: 3 }).map((ranges) => `bytes=${ranges.map(([a, b]) => `${a}-${b}`).join(',')}`),
  fc.constantFrom('bytes=', 'bytes=-', 'bytes=-0', 'bytes=0-0', 'bytes = 0-1', 'items=0-1', 'bytes=1-0', 'bytes=00000000000000000000001-2', 'bytes=0x1-2'),
  headerText(30),
);
const dateValue = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('Thu, 01 Jan 1970 00:00:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', 'yesterday', '0', ''),
  headerText(30),
);
const etagValue = fc.oneof(fc.constant('*'), fc.constant('ETAG'), fc.constant('"x", ETAG'), fc.constant('W/ETAG'), headerText(40));
const conditions = fc.record(
  {
    range: rangeValue,
    'if-match': etagValue,
    'if-none-match': etagValue,
    'if-modified-since': dateValue,
    'if-unmodified-since': dateValue,
  },
  { requiredKeys: [] },
);

describe('Range and conditional headers', () => {
  it('every combination gets a catalogued answer; a 206 holds exactly its Content-Range', async () => {
    await fuzz(
      'range and conditions',
      [fc.constantFrom('GET', 'HEAD'), conditions, fc.option(fc.oneof(fc.integer({ min: -1, max: 3 }).map(String), headerText(8)))],
      async (method, headers, partNumber) => {
        const withEtag = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.replaceAll('ETAG', etag)]));
        const rawQuery = partNumber === null ? '' : `partNumber=${encodeURIComponent(partNumber)}`;
        const response = await sendSigned(target, { method, rawPath, headers: withEtag, rawQuery });
        if (response.status === 206 && method === 'GET') {
          const [, first, last, total] = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers['content-range']) ?? [];
          expect(Number(total)).toBe(content.length);
          expect(response.body.equals(content.subarray(Number(first), Number(last) + 1))).toBe(true);
        }
        if (response.status === 200 && method === 'GET') expect(response.body.equals(content)).toBe(true);
        await assertStillServing(target);
      },
    );
  });
});
