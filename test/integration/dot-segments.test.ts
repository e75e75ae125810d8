/**
 * Dot segments in object paths. boto3 and the AWS CLI send a key as its path verbatim, dot
 * segments included (boto/botocore#3244 pins `../key.txt` and `foo/../key.txt`); so does the JS SDK.
 * What S3 does with them, and the sources followed:
 * - a `..` that climbs above the bucket — `../x`, `..`, `a/../../x`, raw or percent-encoded —
 *   gets 400 with no error document: observed against AWS in floci-io/floci#1231 (the AWS CLI's
 *   `put-object --key ../…` → "An error occurred (400) when calling the PutObject operation: Bad
 *   Request", the form botocore gives a bodiless error) and floci-io/floci#1325 ("AWS returns HTTP
 *   400 with no response body" for raw and percent-encoded dot-dot paths, signed). Nothing is stored.
 * - every other path names its key verbatim: `a/../b`, `./x`, `.`, `a//b`, `//..` (S3 stores `.`
 *   and `//..`: tedder/requests-aws4auth#31). Levels are counted as RFC 3986 §5.2.4 counts them
 *   (an empty segment is a level, `.` is not), so only a path that would resolve outside the
 *   bucket is refused; no source shows S3 normalising a key it accepts.
 * Raw signed requests, path-style and virtual-host-style, since SDKs build paths differently.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';
import { signedFetch } from '../raw-request.js';

let t: TestEmulator;
const Bucket = 'test-bucket';
let vhost: string;
const requestLog: string[] = [];
beforeAll(async () => {
  t = await startTestEmulator({ log: (line) => requestLog.push(line) });
  vhost = `${Bucket}.localhost:${new URL(t.emulator.endpoint).port}`;
});
afterAll(async () => {
  await t.emulator.stop();
});
beforeEach(() => t.emulator.reset());

async function allKeys(): Promise<string[]> {
  const listed = await t.s3.send(new ListObjectsV2Command({ Bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

/** The path of `rawKey` (as sent on the wire) in each addressing style. */
const styles = [
  ['path-style', (rawKey: string) => ({ path: `/${Bucket}/${rawKey}` })],
  ['virtual-host-style', (rawKey: string) => ({ path: `/${rawKey}`, host: vhost })],
] as const;

const refused = ['../x', '..', '../', 'a/../../x', './../x', 'a/./../../x', '%2E%2E/x', '%2e%2e', '..%2Fx', 'a%2F..%2F..%2Fx'];

describe('a path whose .. climbs above the bucket: 400, no error document, nothing stored', () => {
  for (const [style, address] of styles) {
    describe(style, () => {
      it.each(refused)('%s', async (rawKey) => {
        for (const method of ['PUT', 'GET', 'HEAD', 'DELETE']) {
          const res = await signedFetch(t.emulator.env(Bucket), { method, ...address(rawKey), ...(method === 'PUT' ? { body: 'escaped' } : {}) });
          expect(res.status, `${method} ${rawKey}`).toBe(400);
          expect(res.text).toBe('');
          expect(res.headers['content-type']).toBeUndefined();
          expect(res.headers['x-amz-request-id']).toBeDefined();
        }
        expect(await allKeys()).toEqual([]);
      });
    });
  }

  it('the request log line says why', async () => {
    requestLog.length = 0;
    await signedFetch(t.emulator.env(Bucket), { method: 'GET', path: `/${Bucket}/../x` });
    expect(requestLog.at(-1)).toMatch(
      /^\S+Z [0-9A-F]{16} GET \/test-bucket\/\.\.\/x 400 BadRequest [\d.]+ms The path climbs above the bucket with a "\.\." segment: S3 answers 400 without an error document\.$/,
    );
  });

  it('the JS SDK sends Key "../x" as is and gets the bare 400', async () => {
    const err = await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket, Key: '../x', Body: 'escaped' })));
    expect(err.status).toBe(400);
    expect(await allKeys()).toEqual([]);
  });
});

const verbatim = ['a/../b', 'a/..', './x', '.', 'a/.', 'x/./y', 'a//b', '//..', '/../x', '...', '..x', '.../x', 'a/b/../../c'];

describe('every other dot or slash stays in the key, verbatim', () => {
  for (const [style, address] of styles) {
    describe(style, () => {
      it.each(verbatim)('%s', async (key) => {
        const put = await signedFetch(t.emulator.env(Bucket), { method: 'PUT', ...address(key), body: `body of ${key}` });
        expect(put.status).toBe(200);
        const get = await signedFetch(t.emulator.env(Bucket), { method: 'GET', ...address(key) });
        expect(get.status).toBe(200);
        expect(get.text).toBe(`body of ${key}`);
        expect(await allKeys()).toEqual([key]);
        const del = await signedFetch(t.emulator.env(Bucket), { method: 'DELETE', ...address(key) });
        expect(del.status).toBe(204);
        expect(await allKeys()).toEqual([]);
      });
    });
  }

  it('the JS SDK stores Key "a/../b" and "./x" under those keys', async () => {
    for (const Key of ['a/../b', './x']) {
      await t.s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
      const got = await t.s3.send(new GetObjectCommand({ Bucket, Key }));
      expect(await got.Body!.transformToString()).toBe(Key);
    }
    expect(await allKeys()).toEqual(['./x', 'a/../b']);
  });
});
