/**
 * The four conditional headers and their x-amz-copy-source-if-* forms with past, present,
 * future and unparsable dates (issue 10, point 5).
 *
 * Sources followed:
 * - LocalStack's S3 snapshots, recorded against AWS (tests/aws/services/s3/test_s3.py
 *   `test_s3_get_object_preconditions`, validated 2026-02-21; test_s3_preconditions.py
 *   `test_s3_copy_object_preconditions`, validated 2026-02-23; test_s3_api.py
 *   `test_upload_part_copy_with_copy_source_if_modified_since_in_future_success`): S3 ignores an
 *   If-Modified-Since (and x-amz-copy-source-if-modified-since) later than now; an
 *   If-Modified-Since equal to Last-Modified is 304 (412 for a copy); an If-Unmodified-Since
 *   equal to Last-Modified holds.
 * - ceph s3-tests `test_get_object_ifunmodifiedsince_failed`: If-Unmodified-Since in 2100 is
 *   evaluated and holds (200); `test_get_object_ifmodifiedsince_failed` sleeps so that its date
 *   is not in the future when sent.
 * - jchristn/S3Server CompatibilityScenarios.cs (recorded from Amazon S3): a non-matching
 *   If-None-Match beside a future If-Modified-Since is 200.
 * - RFC 9110 §13.1.3 / §13.1.4: a value that is not an HTTP-date (§5.6.7), or a list of dates, is
 *   ignored; RFC 2616 §14.25 (a): a date later than the server's time is invalid.
 */
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHttpDate } from '../../src/operations/conditions.js';
import { s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields, signedFetch } from '../raw-request.js';

const Bucket = 'test-bucket';
const Key = 'dates/source';
let t: TestEmulator;
let etag: string;
let lastModified: Date;

beforeAll(async () => {
  t = await startTestEmulator();
  etag = (await t.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'dated' }))).ETag!;
  lastModified = (await t.s3.send(new HeadObjectCommand({ Bucket, Key }))).LastModified!;
});
afterAll(async () => {
  await t.emulator.stop();
});

const hourBefore = () => new Date(lastModified.getTime() - 3600_000);
/** A day after now: later than the server's clock whatever the test's timing. */
const tomorrow = () => new Date(Date.now() + 86_400_000);

/** Values that are not one HTTP-date, each ignored as if the header were absent. */
const UNPARSABLE = [
  'not a date',
  '',
  '2020-01-01T00:00:00Z', // ISO 8601 is not an HTTP-date
  '1', // Date.parse reads it as the year 2001
  'Sun, 31 Feb 2021 00:00:00 GMT', // no such day (Date.parse rolls it into March)
  'Sun, 06 Nov 1994 25:00:00 GMT',
  'Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT', // a list of dates
];

/** The other two forms RFC 9110 §5.6.7 requires a recipient to read, both long before the object. */
const OBSOLETE_FORMS_PAST = ['Sunday, 06-Nov-94 08:49:37 GMT', 'Sun Nov  6 08:49:37 1994'];

const rawGet = (method: 'GET' | 'HEAD', headers: Record<string, string>) =>
  signedFetch(t.emulator.env(Bucket), { method, path: `/${Bucket}/${Key}`, headers });

describe('GetObject and HeadObject', () => {
  for (const Command of [GetObjectCommand, HeadObjectCommand]) {
    const name = Command === GetObjectCommand ? 'GET' : 'HEAD';
    const send = (input: Partial<ConstructorParameters<typeof GetObjectCommand>[0]>) => t.s3.send(new Command({ Bucket, Key, ...input }));

    it(`${name} If-Modified-Since: past → 200, Last-Modified itself → 304, future → ignored (200)`, async () => {
      expect((await send({ IfModifiedSince: hourBefore() })).$metadata.httpStatusCode).toBe(200);
      expect((await s3ErrorOf(send({ IfModifiedSince: lastModified }))).status).toBe(304);
      expect((await send({ IfModifiedSince: tomorrow() })).$metadata.httpStatusCode).toBe(200);
      expect((await send({ IfModifiedSince: new Date('2100-01-01T00:00:00Z') })).$metadata.httpStatusCode).toBe(200);
    });

    it(`${name} If-Unmodified-Since: past → 412, Last-Modified itself → 200, future → evaluated, holds (200)`, async () => {
      expect(await s3ErrorOf(send({ IfUnmodifiedSince: hourBefore() }))).toMatchObject({ status: 412 });
      expect((await send({ IfUnmodifiedSince: lastModified })).$metadata.httpStatusCode).toBe(200);
      expect((await send({ IfUnmodifiedSince: tomorrow() })).$metadata.httpStatusCode).toBe(200);
      expect((await send({ IfUnmodifiedSince: new Date('2100-10-29T19:43:31Z') })).$metadata.httpStatusCode).toBe(200);
    });

    it(`${name} If-None-Match / If-Match decide before the dates, future or not`, async () => {
      // A non-matching If-None-Match beside a future If-Modified-Since: 200 (jchristn/S3Server, recorded from S3).
      expect((await send({ IfNoneMatch: '"other"', IfModifiedSince: tomorrow() })).$metadata.httpStatusCode).toBe(200);
      // A matching If-None-Match is 304 whatever If-Modified-Since says.
      expect((await s3ErrorOf(send({ IfNoneMatch: etag, IfModifiedSince: tomorrow() }))).status).toBe(304);
      // A matching If-Match overrides a false If-Unmodified-Since; a failing one is 412 even with a future one.
      expect((await send({ IfMatch: etag, IfUnmodifiedSince: hourBefore() })).$metadata.httpStatusCode).toBe(200);
      expect(await s3ErrorOf(send({ IfMatch: '"other"', IfUnmodifiedSince: tomorrow() }))).toMatchObject({ status: 412 });
    });
  }

  it('an unparsable If-Modified-Since or If-Unmodified-Since is ignored (200, the whole object)', async () => {
    for (const value of UNPARSABLE) {
      for (const header of ['if-modified-since', 'if-unmodified-since']) {
        const got = await rawGet('GET', { [header]: value });
        expect({ header, value, status: got.status, text: got.text }).toEqual({ header, value, status: 200, text: 'dated' });
        expect((await rawGet('HEAD', { [header]: value })).status).toBe(200);
      }
    }
  });

  it('the obsolete RFC 850 and asctime forms are read: a date before the object is evaluated', async () => {
    for (const value of OBSOLETE_FORMS_PAST) {
      expect((await rawGet('GET', { 'if-modified-since': value })).status).toBe(200);
      const refused = await rawGet('GET', { 'if-unmodified-since': value });
      expect(refused.status).toBe(412);
      expect(errorFields(refused.text)).toMatchObject({ Code: 'PreconditionFailed', Condition: 'If-Unmodified-Since' });
    }
  });

  it('a future date in the raw header is ignored the same way (IMF-fixdate sent by hand)', async () => {
    const got = await rawGet('GET', { 'if-modified-since': tomorrow().toUTCString() });
    expect(got.status).toBe(200);
    expect((await rawGet('GET', { 'if-modified-since': lastModified.toUTCString() })).status).toBe(304);
  });
});

describe('x-amz-copy-source-if-* on CopyObject and UploadPartCopy', () => {
  const CopySource = `${Bucket}/${Key}`;
  let uploadId: string;
  beforeAll(async () => {
    uploadId = (await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'dates/part-target' }))).UploadId!;
  });

  type Conditions = Pick<
    ConstructorParameters<typeof CopyObjectCommand>[0],
    'CopySourceIfModifiedSince' | 'CopySourceIfUnmodifiedSince' | 'CopySourceIfMatch' | 'CopySourceIfNoneMatch'
  >;
  const copies: Array<[string, (conditions: Conditions) => Promise<unknown>]> = [
    ['CopyObject', (conditions) => t.s3.send(new CopyObjectCommand({ Bucket, Key: 'dates/copy', CopySource, ...conditions }))],
    [
      'UploadPartCopy',
      (conditions) => t.s3.send(new UploadPartCopyCommand({ Bucket, Key: 'dates/part-target', UploadId: uploadId, PartNumber: 1, CopySource, ...conditions })),
    ],
  ];
  const refused = async (promise: Promise<unknown>, condition: string) => {
    const err = await s3ErrorOf(promise);
    expect(err).toMatchObject({ code: 'PreconditionFailed', status: 412, message: 'At least one of the pre-conditions you specified did not hold' });
    expect(err.raw).toMatchObject({ Condition: condition });
  };

  for (const [operation, copy] of copies) {
    it(`${operation} x-amz-copy-source-if-modified-since: past → copied, Last-Modified → 412, future → ignored (copied)`, async () => {
      await copy({ CopySourceIfModifiedSince: hourBefore() });
      await refused(copy({ CopySourceIfModifiedSince: lastModified }), 'x-amz-copy-source-If-Modified-Since');
      await copy({ CopySourceIfModifiedSince: tomorrow() });
    });

    it(`${operation} x-amz-copy-source-if-unmodified-since: past → 412, Last-Modified → copied, future → copied`, async () => {
      await refused(copy({ CopySourceIfUnmodifiedSince: hourBefore() }), 'x-amz-copy-source-If-Unmodified-Since');
      await copy({ CopySourceIfUnmodifiedSince: lastModified });
      await copy({ CopySourceIfUnmodifiedSince: tomorrow() });
    });

    it(`${operation}: the ETag conditions decide before the dates`, async () => {
      await copy({ CopySourceIfNoneMatch: '"other"', CopySourceIfModifiedSince: tomorrow() });
      await refused(copy({ CopySourceIfNoneMatch: etag, CopySourceIfModifiedSince: tomorrow() }), 'x-amz-copy-source-If-None-Match');
      await copy({ CopySourceIfMatch: etag, CopySourceIfUnmodifiedSince: hourBefore() });
    });
  }

  it('an unparsable x-amz-copy-source-if-(un)modified-since is ignored by both copies', async () => {
    const env = t.emulator.env(Bucket);
    for (const value of UNPARSABLE) {
      for (const header of ['x-amz-copy-source-if-modified-since', 'x-amz-copy-source-if-unmodified-since']) {
        const headers = { 'x-amz-copy-source': `/${CopySource}`, [header]: value };
        const copied = await signedFetch(env, { method: 'PUT', path: `/${Bucket}/dates/raw-copy`, headers });
        expect({ header, value, status: copied.status }).toEqual({ header, value, status: 200 });
        const part = await signedFetch(env, {
          method: 'PUT',
          path: `/${Bucket}/dates/part-target`,
          query: { partNumber: '2', uploadId },
          headers,
        });
        expect({ header, value, status: part.status }).toEqual({ header, value, status: 200 });
      }
    }
  });
});

describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
  it('reads the three forms as the same instant, in UTC', () => {
    const instant = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(instant);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(instant);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(instant);
  });

  it('refuses everything else', () => {
    for (const value of [...UNPARSABLE, undefined, 'sun, 06 nov 1994 08:49:37 gmt', 'Sun, 06 Nov 1994 08:49:37 UTC', ' Sun, 06 Nov 1994 08:49:37 GMT']) {
      expect(parseHttpDate(value)).toBeUndefined();
    }
  });
});
