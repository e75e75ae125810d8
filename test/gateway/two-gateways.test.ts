/**
 * N gateways started alike are interchangeable (issue 15, "Stateless replicas"): what one writes
 * the other reads and lists at once; a conditional write stays atomic across them; a gateway
 * killed (SIGKILL) in the middle of uploads leaves nothing visible, and the other keeps serving.
 * Both are the CLI, spawned, over the run's MinIO (global-setup.ts).
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, stopCli, type RunningCli } from '../cli-process.js';
import { clientFor, s3ErrorOf, testBackend } from '../helpers.js';

const minio = testBackend()!;
const Bucket = 'shared-bucket';
const MiB = 1024 * 1024;
const bucketPrefix = `tg${Math.random().toString(16).slice(2, 10)}-`;

/** The same configuration for every gateway: what makes them interchangeable. */
const gatewayArgs = [
  '--port', '0',
  '--backend', 's3',
  '--backend-endpoint', minio.endpoint,
  '--backend-region', minio.region,
  '--backend-bucket-prefix', bucketPrefix,
  '--bucket', `${Bucket}=SHAREDBUCKETKEY1:shared-bucket-secret`,
  // To look at (and clean up) the upload a killed gateway left open.
  '--allow', 's3:ListBucketMultipartUploads',
  '--allow', 's3:AbortMultipartUpload',
];
const backendEnv = { SMLL_BACKEND_ACCESS_KEY: minio.accessKeyId, SMLL_BACKEND_SECRET_KEY: minio.secretAccessKey };

const root = new S3Client({
  endpoint: minio.endpoint,
  region: minio.region,
  credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  forcePathStyle: true,
});

let one: RunningCli;
let two: RunningCli;
let s3One: S3Client;
let s3Two: S3Client;

beforeAll(async () => {
  [one, two] = await Promise.all([startCli(gatewayArgs, undefined, backendEnv), startCli(gatewayArgs, undefined, backendEnv)]);
  // A gateway prints no secret keys: the bucket's is the one its configuration gave.
  s3One = clientFor({ ...one.env[Bucket], S3_SECRET_KEY: 'shared-bucket-secret' });
  s3Two = clientFor({ ...two.env[Bucket], S3_SECRET_KEY: 'shared-bucket-secret' });
});
afterAll(async () => {
  for (const cli of [one, two]) if (cli && cli.child.exitCode === null && cli.child.signalCode === null) await stopCli(cli);
});

const text = async (s3: S3Client, Key: string) => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();

describe('two gateways over one backend', () => {
  it('what one writes, the other reads, heads and lists', async () => {
    const put = await s3One.send(new PutObjectCommand({ Bucket, Key: 'docs/a.txt', Body: 'from one', ContentType: 'text/plain', Metadata: { author: 'one' } }));
    const head = await s3Two.send(new HeadObjectCommand({ Bucket, Key: 'docs/a.txt' }));
    expect(head).toMatchObject({ ETag: put.ETag, ContentType: 'text/plain', Metadata: { author: 'one' }, ContentLength: 8 });
    expect(await text(s3Two, 'docs/a.txt')).toBe('from one');

    // A multipart object made through one, read by part number through the other.
    const key = 'docs/big.bin';
    const { UploadId } = await s3One.send(new CreateMultipartUploadCommand({ Bucket, Key: key }));
    const parts = [Buffer.alloc(5 * MiB, 'p'), Buffer.from('tail')];
    const etags = [];
    for (const [i, Body] of parts.entries()) etags.push((await s3One.send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber: i + 1, Body }))).ETag!);
    const done = await s3One.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    );
    const part2 = await s3Two.send(new GetObjectCommand({ Bucket, Key: key, PartNumber: 2 }));
    expect(part2.PartsCount).toBe(2);
    expect(await part2.Body!.transformToString()).toBe('tail');

    const listed = await s3Two.send(new ListObjectsV2Command({ Bucket, Prefix: 'docs/' }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size, o.ETag])).toEqual([
      ['docs/a.txt', 8, put.ETag],
      ['docs/big.bin', 5 * MiB + 4, done.ETag],
    ]);

    // And the other way round: a delete through two is seen by one.
    await s3Two.send(new DeleteObjectCommand({ Bucket, Key: 'docs/a.txt' }));
    expect(await s3ErrorOf(s3One.send(new GetObjectCommand({ Bucket, Key: 'docs/a.txt' })))).toMatchObject({ code: 'NoSuchKey', status: 404 });
  });

  it('If-None-Match: * through both at once creates the key exactly once', async () => {
    const attempts = Array.from({ length: 8 }, (_, i) =>
      (i % 2 ? s3Two : s3One).send(new PutObjectCommand({ Bucket, Key: 'race/once', Body: `writer ${i}`, IfNoneMatch: '*' })).then(
        () => 'written',
        (err: { name: string }) => err.name,
      ),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((o) => o === 'written')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'written').every((o) => o === 'PreconditionFailed' || o === 'ConditionalRequestConflict')).toBe(true);
    const winner = outcomes.indexOf('written');
    expect(await text(s3One, 'race/once')).toBe(`writer ${winner}`);
  });
});

/** A body that sends `sent` bytes of `total`, then waits (until the gateway receiving it dies). */
function stalledBody(sent: number): Readable {
  let pushed = false;
  return new Readable({
    read() {
      if (pushed) return;
      pushed = true;
      this.push(Buffer.alloc(sent, 'k'));
    },
  });
}

describe('a gateway killed during uploads', () => {
  it('leaves nothing visible, and the other gateway keeps serving', async () => {
    const key = 'killed/upload.bin';
    const { UploadId } = await s3One.send(new CreateMultipartUploadCommand({ Bucket, Key: key }));
    await s3One.send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MiB, '1') }));
    // Part 2 and a PutObject, each half sent when the gateway dies.
    const size = 8 * MiB;
    const inFlight = [
      s3One.send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber: 2, Body: stalledBody(size / 2), ContentLength: size })),
      s3One.send(new PutObjectCommand({ Bucket, Key: 'killed/put.bin', Body: stalledBody(size / 2), ContentLength: size })),
    ].map((request) => request.then(() => 'answered', () => 'failed'));
    // Long enough for both half bodies to reach the gateway and stream on to the backend.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    one.child.kill('SIGKILL');
    expect((await one.exited).signal).toBe('SIGKILL');
    expect(await Promise.all(inFlight)).toEqual(['failed', 'failed']);

    // Nothing of either write is visible through the other gateway.
    for (const Key of [key, 'killed/put.bin']) {
      expect(await s3ErrorOf(s3Two.send(new GetObjectCommand({ Bucket, Key })))).toMatchObject({ code: 'NoSuchKey', status: 404 });
    }
    expect((await s3Two.send(new ListObjectsV2Command({ Bucket, Prefix: 'killed/' }))).KeyCount).toBe(0);

    // The upload is still open (a client may resume it through any gateway), and can be aborted through the other.
    const open = await s3Two.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'killed/' }));
    expect(open.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[key, UploadId]]);
    await s3Two.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId }));
    expect((await s3Two.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'killed/' }))).Uploads ?? []).toEqual([]);
    // In the backend itself: no upload left open under the key, no object at it.
    const backendBucket = `${bucketPrefix}${Bucket}`;
    expect((await root.send(new ListMultipartUploadsCommand({ Bucket: backendBucket, Prefix: 'killed/' }))).Uploads ?? []).toEqual([]);
    expect((await root.send(new ListObjectsV2Command({ Bucket: backendBucket, Prefix: 'killed/' }))).KeyCount).toBe(0);

    // The other gateway keeps serving.
    await s3Two.send(new PutObjectCommand({ Bucket, Key: 'after/kill.txt', Body: 'still here' }));
    expect(await text(s3Two, 'after/kill.txt')).toBe('still here');
  });
});
