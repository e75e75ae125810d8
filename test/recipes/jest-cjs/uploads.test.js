const { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } = require('@aws-sdk/client-s3');
const { testPrefix } = require('smll-storage/jest');

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

test('writes, reads back and lists under its own prefix', async () => {
  await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: `${prefix}photo.jpg`, Body: 'jpeg bytes' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: `${prefix}photo.jpg` }));
  expect(await got.Body.transformToString()).toBe('jpeg bytes');
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'uploads', Prefix: prefix }));
  expect(listed.Contents.map((o) => o.Key)).toEqual([`${prefix}photo.jpg`]);
});

test('is refused what SMLL credentials may not do', async () => {
  await expect(s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: `${prefix}x`, Body: 'x', ACL: 'public-read' }))).rejects.toMatchObject({
    name: 'AccessDenied',
  });
});
