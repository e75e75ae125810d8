import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, expect, inject, test } from 'vitest';
import { s3Env, testPrefix } from 'smll-storage/vitest';

// Exactly how the service builds its client in production, from the S3_* variables.
const s3 = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: process.env.S3_REGION,
  credentials: { accessKeyId: process.env.S3_ACCESS_KEY, secretAccessKey: process.env.S3_SECRET_KEY },
  forcePathStyle: true,
});

let prefix;
beforeEach(() => {
  prefix = testPrefix();
});

test('writes and reads back under its own prefix', async () => {
  await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: `${prefix}photo.jpg`, Body: 'jpeg bytes' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: `${prefix}photo.jpg` }));
  expect(await got.Body.transformToString()).toBe('jpeg bytes');
});

test('sees only its own keys', async () => {
  await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: `${prefix}a.txt`, Body: 'a' }));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'uploads', Prefix: prefix }));
  expect(listed.Contents.map((o) => o.Key)).toEqual([`${prefix}a.txt`]);
});

test('every bucket of the config file has its variables, and inject() has them too', () => {
  const reports = s3Env('reports');
  expect(reports.S3_ACCESS_KEY).not.toBe(process.env.S3_ACCESS_KEY);
  expect(inject('smllStorage').buckets.reports).toEqual(reports);
  expect(inject('smllStorage').endpoint).toBe(process.env.S3_ENDPOINT);
});

test('the seeded fixtures are there', async () => {
  const reports = s3Env('reports');
  const client = new S3Client({
    endpoint: reports.S3_ENDPOINT,
    region: reports.S3_REGION,
    credentials: { accessKeyId: reports.S3_ACCESS_KEY, secretAccessKey: reports.S3_SECRET_KEY },
    forcePathStyle: true,
  });
  const got = await client.send(new GetObjectCommand({ Bucket: 'reports', Key: 'hello.txt' }));
  expect(got.ContentType).toBe('text/plain');
  expect(await got.Body.transformToString()).toBe('hello from the seed\n');
});

test('takes options from the vitest config (test.provide.smllStorageOptions)', () => {
  expect(process.env.S3_REGION).toBe('eu-central-1');
});
