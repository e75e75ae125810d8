import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';
import { signedFetch } from '../raw-request.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.emulator.stop();
});

const Bucket = 'test-bucket';
const md5Hex = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
const md5Base64 = (data: Buffer | string) => createHash('md5').update(data).digest('base64');

async function getText(Key: string, extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {}) {
  const out = await t.s3.send(new GetObjectCommand({ Bucket, Key, ...extra }));
  return { out, text: await out.Body!.transformToString() };
}

describe('PutObject / GetObject / HeadObject / DeleteObject', () => {
  it('round-trips a Buffer, a string and a stream body with the ETag as the MD5 of the body', async () => {
    const buffer = Buffer.from('buffer body \u00e9');
    const put = await t.s3.send(new PutObjectCommand({ Bucket, Key: 'bodies/buffer', Body: buffer }));
    expect(put.ETag).toBe(`"${md5Hex(buffer)}"`);
    expect((await getText('bodies/buffer')).text).toBe('buffer body \u00e9');

    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'bodies/string', Body: 'a string body' }));
    expect((await getText('bodies/string')).text).toBe('a string body');

    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(16 * 1024, i));
    const whole = Buffer.concat(chunks);
    await t.s3.send(
      new PutObjectCommand({ Bucket, Key: 'bodies/stream', Body: Readable.from(chunks), ContentLength: whole.length }),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'bodies/stream' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(whole)).toBe(true);
    expect(got.ContentLength).toBe(whole.length);
    expect(got.ETag).toBe(`"${md5Hex(whole)}"`);
  });

  it('stores and returns content headers and user metadata; defaults the type to binary/octet-stream', async () => {
    const expires = new Date('2030-01-01T00:00:00Z');
    await t.s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 'headers/all',
        Body: 'x',
        ContentType: 'text/plain; charset=utf-8',
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment; filename="x.txt"',
        ContentEncoding: 'identity',
        ContentLanguage: 'fr',
        Expires: expires,
        Metadata: { colour: 'blue', 'two-words': 'hello world' },
      }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'headers/all' }));
    expect(head.ContentType).toBe('text/plain; charset=utf-8');
    expect(head.CacheControl).toBe('max-age=60');
    expect(head.ContentDisposition).toBe('attachment; filename="x.txt"');
    expect(head.ContentEncoding).toBe('identity');
    expect(head.ContentLanguage).toBe('fr');
    expect(head.ExpiresString ?? head.Expires?.toUTCString()).toBe(expires.toUTCString());
    expect(head.Metadata).toEqual({ colour: 'blue', 'two-words': 'hello world' });
    expect(head.ContentLength).toBe(1);
    expect(head.AcceptRanges).toBe('bytes');

    // The SDK always sends a Content-Type; a raw PUT shows S3's default.
    const raw = await signedFetch(t.emulator.env(Bucket), { method: 'PUT', path: '/test-bucket/headers/none', body: 'x' });
    expect(raw.status).toBe(200);
    expect((await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'headers/none' }))).ContentType).toBe('binary/octet-stream');
  });

  it('stores a zero-byte object', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'empty', Body: '' }));
    const { out, text } = await getText('empty');
    expect(text).toBe('');
    expect(out.ContentLength).toBe(0);
    expect(out.ETag).toBe(`"${md5Hex('')}"`);
  });

  it('keeps keys with spaces, +, %, unicode, // and a trailing /', async () => {
    const keys = ['with space', 'plus+sign', 'percent%20literal', 'ünïcödé/日本/😀', 'double//slash', 'trailing/', 'a?b#c&d=e', "quote'\"*!()"];
    for (const Key of keys) {
      await t.s3.send(new PutObjectCommand({ Bucket, Key: `keys/${Key}`, Body: Key }));
      expect((await getText(`keys/${Key}`)).text).toBe(Key);
    }
  });

  it('answers a missing key with NoSuchKey on GET and a bodiless 404 on HEAD', async () => {
    const get = await s3ErrorOf(t.s3.send(new GetObjectCommand({ Bucket, Key: 'missing' })));
    expect(get).toMatchObject({ code: 'NoSuchKey', status: 404, message: 'The specified key does not exist.' });
    const head = await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: 'missing' })));
    expect(head).toMatchObject({ code: 'NotFound', status: 404 });
  });

  it('deletes an object, and answers 204 for a key that does not exist', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'doomed', Body: 'x' }));
    const first = await t.s3.send(new DeleteObjectCommand({ Bucket, Key: 'doomed' }));
    expect(first.$metadata.httpStatusCode).toBe(204);
    expect((await s3ErrorOf(t.s3.send(new GetObjectCommand({ Bucket, Key: 'doomed' })))).code).toBe('NoSuchKey');
    const again = await t.s3.send(new DeleteObjectCommand({ Bucket, Key: 'doomed' }));
    expect(again.$metadata.httpStatusCode).toBe(204);
  });
});

describe('Content-MD5', () => {
  it('accepts a matching digest', async () => {
    const put = await t.s3.send(new PutObjectCommand({ Bucket, Key: 'md5/ok', Body: 'abc', ContentMD5: md5Base64('abc') }));
    expect(put.ETag).toBe(`"${md5Hex('abc')}"`);
  });
  it('refuses a digest of other bytes with BadDigest and stores nothing', async () => {
    const err = await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket, Key: 'md5/bad', Body: 'abc', ContentMD5: md5Base64('abd') })));
    expect(err).toMatchObject({ code: 'BadDigest', status: 400 });
    expect((await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: 'md5/bad' })))).status).toBe(404);
  });
  it('refuses a digest that is not base64 of 16 bytes with InvalidDigest', async () => {
    const err = await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket, Key: 'md5/invalid', Body: 'abc', ContentMD5: 'not-md5' })));
    expect(err).toMatchObject({ code: 'InvalidDigest', status: 400 });
  });
});

describe('conditional PUT', () => {
  it('If-None-Match: * writes only a new key (412 PreconditionFailed otherwise)', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'cond/new', Body: 'first', IfNoneMatch: '*' }));
    const err = await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket, Key: 'cond/new', Body: 'second', IfNoneMatch: '*' })));
    expect(err).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect((await getText('cond/new')).text).toBe('first');
  });
  it('If-Match writes only over the named ETag; a missing key is NoSuchKey', async () => {
    const first = await t.s3.send(new PutObjectCommand({ Bucket, Key: 'cond/match', Body: 'v1' }));
    const wrong = await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket, Key: 'cond/match', Body: 'v2', IfMatch: '"0123"' })));
    expect(wrong).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'cond/match', Body: 'v2', IfMatch: first.ETag }));
    expect((await getText('cond/match')).text).toBe('v2');
    const missing = await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket, Key: 'cond/absent', Body: 'v', IfMatch: first.ETag })));
    expect(missing).toMatchObject({ code: 'NoSuchKey', status: 404 });
  });
  it('If-None-Match with an ETag is NotImplemented (501), as S3 answers', async () => {
    const err = await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket, Key: 'cond/etag', Body: 'v', IfNoneMatch: '"abc"' })));
    expect(err).toMatchObject({ code: 'NotImplemented', status: 501 });
  });
});

describe('ranged GET', () => {
  const body = '0123456789';
  beforeAll(async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'range', Body: body }));
  });
  it.each([
    ['bytes=2-5', '2345', 'bytes 2-5/10'],
    ['bytes=7-', '789', 'bytes 7-9/10'],
    ['bytes=-3', '789', 'bytes 7-9/10'],
    ['bytes=8-100', '89', 'bytes 8-9/10'],
    ['bytes=-100', body, 'bytes 0-9/10'],
  ])('%s → 206 with %s', async (Range, expected, contentRange) => {
    const { out, text } = await getText('range', { Range });
    expect(out.$metadata.httpStatusCode).toBe(206);
    expect(text).toBe(expected);
    expect(out.ContentRange).toBe(contentRange);
    expect(out.ContentLength).toBe(expected.length);
  });
  it('a range past the end is 416 InvalidRange', async () => {
    const err = await s3ErrorOf(t.s3.send(new GetObjectCommand({ Bucket, Key: 'range', Range: 'bytes=10-' })));
    expect(err).toMatchObject({ code: 'InvalidRange', status: 416 });
  });
  it('a Range header S3 cannot use is ignored (200, whole object)', async () => {
    const { out, text } = await getText('range', { Range: 'bytes=1-2,4-5' });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(text).toBe(body);
  });
});

describe('conditional GET', () => {
  let etag: string;
  let lastModified: Date;
  beforeAll(async () => {
    etag = (await t.s3.send(new PutObjectCommand({ Bucket, Key: 'conditional', Body: 'c' }))).ETag!;
    lastModified = (await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'conditional' }))).LastModified!;
  });
  const hourAgo = () => new Date(lastModified.getTime() - 3600_000);
  const hourAhead = () => new Date(lastModified.getTime() + 3600_000);

  it('If-Match with another ETag → 412; with the ETag → 200', async () => {
    expect(await s3ErrorOf(getText('conditional', { IfMatch: '"nope"' }))).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect((await getText('conditional', { IfMatch: etag })).text).toBe('c');
  });
  it('If-None-Match with the ETag → 304', async () => {
    expect((await s3ErrorOf(getText('conditional', { IfNoneMatch: etag }))).status).toBe(304);
  });
  it('If-Modified-Since at the write → 304; before it → 200 (a future one is ignored: conditional-dates.test.ts)', async () => {
    expect((await s3ErrorOf(getText('conditional', { IfModifiedSince: lastModified }))).status).toBe(304);
    expect((await getText('conditional', { IfModifiedSince: hourAgo() })).text).toBe('c');
    expect((await getText('conditional', { IfUnmodifiedSince: hourAhead() })).text).toBe('c');
  });
  it('If-Unmodified-Since before the write → 412', async () => {
    expect(await s3ErrorOf(getText('conditional', { IfUnmodifiedSince: hourAgo() }))).toMatchObject({ status: 412 });
  });
  it('S3 precedence: If-Match true wins over If-Unmodified-Since false (200)', async () => {
    expect((await getText('conditional', { IfMatch: etag, IfUnmodifiedSince: hourAgo() })).text).toBe('c');
  });
  it('S3 precedence: If-None-Match false wins over If-Modified-Since true (304)', async () => {
    expect((await s3ErrorOf(getText('conditional', { IfNoneMatch: etag, IfModifiedSince: hourAgo() }))).status).toBe(304);
  });
  it('HEAD applies the same conditions', async () => {
    expect((await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: 'conditional', IfMatch: '"x"' })))).status).toBe(412);
  });
});

describe('response-* overrides', () => {
  it('replaces the stored headers in the response only', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'override', Body: 'o', ContentType: 'text/plain' }));
    const { out } = await getText('override', {
      ResponseContentType: 'application/json',
      ResponseContentDisposition: 'attachment; filename="o.json"',
      ResponseCacheControl: 'no-store',
      ResponseContentLanguage: 'de',
      ResponseContentEncoding: 'identity',
      ResponseExpires: new Date('2031-01-01T00:00:00Z'),
    });
    expect(out.ContentType).toBe('application/json');
    expect(out.ContentDisposition).toBe('attachment; filename="o.json"');
    expect(out.CacheControl).toBe('no-store');
    expect(out.ContentLanguage).toBe('de');
    expect(out.ContentEncoding).toBe('identity');
    expect((await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'override' }))).ContentType).toBe('text/plain');
  });
});

describe('checksums (the SDK sends CRC32 by default)', () => {
  it('stores the CRC32 and returns it with x-amz-checksum-mode: ENABLED, but never on a range', async () => {
    const put = await t.s3.send(new PutObjectCommand({ Bucket, Key: 'crc', Body: 'hello world', ChecksumAlgorithm: 'CRC32' }));
    expect(put.ChecksumCRC32).toBe('DUoRhQ==');
    const whole = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'crc', ChecksumMode: 'ENABLED' }));
    expect(whole.ChecksumCRC32).toBe('DUoRhQ==');
    expect(await whole.Body!.transformToString()).toBe('hello world');
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'crc', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32).toBe('DUoRhQ==');
    const ranged = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'crc', ChecksumMode: 'ENABLED', Range: 'bytes=0-4' }));
    expect(ranged.ChecksumCRC32).toBeUndefined();
    expect(await ranged.Body!.transformToString()).toBe('hello');
  });
  it('refuses a wrong CRC32 with BadDigest and stores nothing', async () => {
    const err = await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket, Key: 'crc-bad', Body: 'hello world', ChecksumCRC32: 'AAAAAA==' })));
    expect(err).toMatchObject({ code: 'BadDigest', status: 400 });
    expect((await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: 'crc-bad' })))).status).toBe(404);
  });
});
