import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startEmulator } from 'smll-storage';

let emulator;
let s3;

before(async () => {
  emulator = await startEmulator({ buckets: ['uploads'] });
  const env = emulator.env('uploads'); // S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY
  s3 = new S3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    credentials: { accessKeyId: env.S3_ACCESS_KEY, secretAccessKey: env.S3_SECRET_KEY },
    forcePathStyle: true,
  });
});
beforeEach(() => emulator.reset()); // every test starts with empty buckets
after(() => emulator.stop());

test('writes and reads back', async () => {
  await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'a.txt', Body: 'first' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'a.txt' }));
  assert.equal(await got.Body.transformToString(), 'first');
});

test('starts from an empty bucket', async () => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'uploads' }));
  assert.equal(listed.KeyCount, 0);
});
