import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect, inject, test } from 'vitest';
import { s3Env, testPrefix } from 'smll-storage/vitest';

const s3 = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: process.env.S3_REGION,
  credentials: { accessKeyId: process.env.S3_ACCESS_KEY, secretAccessKey: process.env.S3_SECRET_KEY },
  forcePathStyle: true,
});

test('the installed package starts an emulator for the run: a put reads back', async () => {
  const key = `${testPrefix()}a.txt`;
  await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'from the packed tarball' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: key }));
  expect(await got.Body.transformToString()).toBe('from the packed tarball');
});

test('every bucket has its variables, in process.env and through inject()', () => {
  expect(inject('smllStorage').buckets.reports).toEqual(s3Env('reports'));
});
