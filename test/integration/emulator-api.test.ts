import { existsSync } from 'node:fs';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/index.js';
import { clientFor } from '../helpers.js';
import { errorFields, signedFetch } from '../raw-request.js';

describe('startEmulator()', () => {
  it('serves on a free port with generated AWS-shaped keys, and hands them out as SMLL does', async () => {
    const s3 = await startEmulator({ buckets: ['a-bucket', { name: 'b-bucket', accessKey: 'AKIABBBBBBBBBBBBBBBB', secretKey: 'b'.repeat(40) }] });
    try {
      expect(s3.port).toBeGreaterThan(0);
      expect(s3.endpoint).toBe(`http://127.0.0.1:${s3.port}`);
      expect(s3.buckets.sort()).toEqual(['a-bucket', 'b-bucket']);
      const a = s3.credentials('a-bucket');
      expect(a.ACCESS_KEY).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(a.SECRET_KEY).toHaveLength(40);
      expect(a).toMatchObject({ ENDPOINT: s3.endpoint, REGION: 'us-east-1' });
      expect(s3.env('b-bucket')).toEqual({
        S3_ENDPOINT: s3.endpoint,
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY: 'AKIABBBBBBBBBBBBBBBB',
        S3_SECRET_KEY: 'b'.repeat(40),
      });
      expect(() => s3.env('nope')).toThrow('No bucket "nope"');
    } finally {
      await s3.stop();
    }
  });

  it('reset() empties every bucket and keeps buckets and credentials', async () => {
    const s3 = await startEmulator({ buckets: ['reset-me'] });
    try {
      const client = clientFor(s3.env('reset-me'));
      await client.send(new PutObjectCommand({ Bucket: 'reset-me', Key: 'k', Body: 'v' }));
      s3.reset();
      expect((await client.send(new ListObjectsV2Command({ Bucket: 'reset-me' }))).KeyCount).toBe(0);
      await client.send(new PutObjectCommand({ Bucket: 'reset-me', Key: 'k', Body: 'again' }));
      const got = await client.send(new GetObjectCommand({ Bucket: 'reset-me', Key: 'k' }));
      expect(await got.Body!.transformToString()).toBe('again');
    } finally {
      await s3.stop();
    }
  });

  it('removes its temporary data dir on stop()', async () => {
    const s3 = await startEmulator({ buckets: ['temp-bucket'] });
    expect(existsSync(s3.dataDir)).toBe(true);
    await s3.stop();
    expect(existsSync(s3.dataDir)).toBe(false);
  });

  it.each([
    ['Invalid_Name', 'may contain only lower-case letters'],
    ['ab', 'must be 3 to 63 characters long'],
    ['-leading', 'must begin and end with a letter or digit'],
    ['192.168.0.1', 'must not be formatted as an IP address'],
    ['double..dot', 'must not contain two adjacent dots'],
  ])('rejects the bucket name %s: %s', async (name, reason) => {
    await expect(startEmulator({ buckets: [name] })).rejects.toThrow(`Invalid bucket name "${name}": a bucket name ${reason}`);
  });

  it('rejects one access key for two buckets, and half a key pair', async () => {
    const keys = { accessKey: 'AKIASAMESAMESAMESAME', secretKey: 's'.repeat(40) };
    await expect(startEmulator({ buckets: [{ name: 'one-bucket', ...keys }, { name: 'two-bucket', ...keys }] })).rejects.toThrow(
      'already belongs to bucket "one-bucket"',
    );
    await expect(startEmulator({ buckets: [{ name: 'half-bucket', accessKey: 'AKIAHALFHALFHALFHALF' }] })).rejects.toThrow(
      'give both an access key and a secret key',
    );
  });

  it('reports a busy port as an error, not a crash', async () => {
    const first = await startEmulator({ buckets: ['port-bucket'] });
    try {
      await expect(startEmulator({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });
});

describe('DeleteObjects integrity header', () => {
  it('is required: without Content-MD5 or a checksum → 400 InvalidRequest', async () => {
    const s3 = await startEmulator({ buckets: ['del-bucket'] });
    try {
      const res = await signedFetch(s3.env('del-bucket'), {
        method: 'POST',
        path: '/del-bucket',
        query: { delete: '' },
        body: '<Delete><Object><Key>a</Key></Object></Delete>',
      });
      expect(res.status).toBe(400);
      expect(errorFields(res.text)).toMatchObject({
        Code: 'InvalidRequest',
        Message: 'Missing required header for this request: Content-MD5 or x-amz-checksum-*',
      });
    } finally {
      await s3.stop();
    }
  });
});
