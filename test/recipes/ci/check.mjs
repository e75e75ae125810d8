// Stands for the project's test command: reads the seeded fixtures with the S3_* variables.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: process.env.S3_REGION,
  credentials: { accessKeyId: process.env.S3_ACCESS_KEY, secretAccessKey: process.env.S3_SECRET_KEY },
  forcePathStyle: true,
});
const got = await s3.send(new GetObjectCommand({ Bucket: 'ci-bucket', Key: 'reports/summary.json' }));
const summary = JSON.parse(await got.Body.transformToString());
if (summary.status !== 'ok') throw new Error(`unexpected summary ${JSON.stringify(summary)}`);
console.log('ci check passed');
