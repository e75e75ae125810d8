import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields, signedFetch } from '../raw-request.js';

// Wire shapes that particular stock SDKs produce, found by the conformance suite (test/conformance/),
// pinned here so the emulator keeps accepting them.
describe('wire shapes of particular SDKs', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(() => t.emulator.stop());

  test('Java SDK v2: a key with "//" sent as "/%2F" and signed as "//" is accepted and stored as "//"', async () => {
    const env = t.emulator.env(t.bucket);
    const put = await signedFetch(env, {
      method: 'PUT',
      path: `/${t.bucket}/a//b///c.txt`,
      wirePath: `/${t.bucket}/a/%2Fb/%2F/c.txt`,
      body: 'double slashes',
    });
    expect(put.status, put.text).toBe(200);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: 'a//b///c.txt' }));
    expect(await got.Body!.transformToString()).toBe('double slashes');
  });

  test('a client that signs the encoded slash as "%2F" gets 403 SignatureDoesNotMatch (S3 canonicalises it as "/")', async () => {
    const env = t.emulator.env(t.bucket);
    const put = await signedFetch(env, { method: 'PUT', path: `/${t.bucket}/a%2Fb`, body: 'x' });
    expect(put.status).toBe(403);
    expect(errorFields(put.text).Code).toBe('SignatureDoesNotMatch');
  });
});
