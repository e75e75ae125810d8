import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { s3Env, testPrefix } from 'smll-storage/jest';

const env = s3Env(); // the S3_* variables the global setup set: bucket test-bucket, the default
const s3 = new S3Client({
  endpoint: env.S3_ENDPOINT,
  region: env.S3_REGION,
  credentials: { accessKeyId: env.S3_ACCESS_KEY, secretAccessKey: env.S3_SECRET_KEY },
  forcePathStyle: true,
});

test('writes and reads back under its own prefix', async () => {
  const prefix = testPrefix('esm');
  await s3.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: `${prefix}a.txt`, Body: 'from an ESM jest project' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'test-bucket', Key: `${prefix}a.txt` }));
  expect(await got.Body.transformToString()).toBe('from an ESM jest project');
});
