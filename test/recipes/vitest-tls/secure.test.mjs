import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect, test } from 'vitest';
import { testPrefix } from 'smll-storage/vitest';

// The production client, unchanged: no certificate option. The worker trusts the CA because it
// started with NODE_EXTRA_CA_CERTS set by the global setup.
const s3 = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: process.env.S3_REGION,
  credentials: { accessKeyId: process.env.S3_ACCESS_KEY, secretAccessKey: process.env.S3_SECRET_KEY },
  forcePathStyle: true,
});

test('an https endpoint that the unchanged SDK client trusts', async () => {
  expect(process.env.S3_ENDPOINT).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const key = `${testPrefix()}over-tls.txt`;
  await s3.send(new PutObjectCommand({ Bucket: 'secure', Key: key, Body: 'encrypted in transit' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'secure', Key: key }));
  expect(await got.Body.transformToString()).toBe('encrypted in transit');
});

test('every trust variable names the local CA', () => {
  const caFile = process.env.AWS_CA_BUNDLE;
  expect(caFile).toMatch(/\/tls\/ca\.pem$/);
  for (const name of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']) expect(process.env[name]).toBe(caFile);
  expect(new X509Certificate(readFileSync(caFile)).ca).toBe(true);
});
