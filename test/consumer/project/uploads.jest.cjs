const { GetObjectCommand, PutObjectCommand, S3Client } = require('@aws-sdk/client-s3');
const { s3Env, testPrefix } = require('smll-storage/jest');

const env = s3Env('uploads');
const s3 = new S3Client({
  endpoint: env.S3_ENDPOINT,
  region: env.S3_REGION,
  credentials: { accessKeyId: env.S3_ACCESS_KEY, secretAccessKey: env.S3_SECRET_KEY },
  forcePathStyle: true,
});

test('the installed package starts an emulator for the run: a put reads back, an ACL is refused', async () => {
  const key = `${testPrefix()}a.txt`;
  await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'from the packed tarball' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: key }));
  expect(await got.Body.transformToString()).toBe('from the packed tarball');
  await expect(s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'x', ACL: 'public-read' }))).rejects.toMatchObject({ name: 'AccessDenied' });
});
