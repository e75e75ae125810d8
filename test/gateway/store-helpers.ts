/** What the store-level gateway tests share: the run's MinIO, stores over it, bodies, and a raw look into the backend. */
import { ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { openS3Store, type S3BackendOptions, type S3Store } from '../../src/store/s3-backend/index.js';
import type { ObjectDescription, ObjectMetadata, PartDescription } from '../../src/store/types.js';
import { testBackend } from '../helpers.js';

/** The run's MinIO and its root credentials (test/gateway/global-setup.ts starts it). */
export type Backend = NonNullable<ReturnType<typeof testBackend>>;

/** The run's MinIO; only `npm run test:gateway` starts one. */
export function runBackend(): Backend {
  const backend = testBackend();
  if (!backend) throw new Error('These tests need the MinIO of npm run test:gateway (test/gateway/vitest.gateway.config.ts).');
  return backend;
}

export function backendOptions(minio: Backend, extra: Partial<S3BackendOptions> = {}): S3BackendOptions {
  return { endpoint: minio.endpoint, region: 'us-east-1', accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey, ...extra };
}

let bucketCount = 0;
/** A fresh bucket name per test, so tests share one MinIO without seeing each other. */
export function freshBucket(): string {
  return `t${process.pid}-${Date.now().toString(36)}-${bucketCount++}`;
}

/** A store with `bucket` configured. */
export async function storeWith(minio: Backend, bucket: string, extra: Partial<S3BackendOptions> = {}): Promise<S3Store> {
  const store = await openS3Store(backendOptions(minio, extra));
  await store.upsertBucket({ name: bucket, accessKey: `AK${bucket}`, secretKey: 'secret', region: 'us-east-1' });
  return store;
}

export function rawClient(minio: Backend): S3Client {
  return new S3Client({
    endpoint: minio.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  });
}

/** Every key in the backend bucket, reserved ones included, and its open multipart uploads. */
export async function backendContents(client: S3Client, bucket: string): Promise<{ keys: string[]; uploads: string[] }> {
  const keys: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const answer = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(answer.Contents ?? []).map((object) => object.Key!));
    if (!answer.IsTruncated) break;
    token = answer.NextContinuationToken;
  }
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return { keys, uploads: (uploads.Uploads ?? []).map((upload) => upload.Key!) };
}

export const md5Etag = (bytes: Buffer): string => `"${createHash('md5').update(bytes).digest('hex')}"`;

/** A body in chunks of `chunk` bytes, and a describe() that gives its MD5 ETag with `metadata`. */
export function bodyOf(bytes: Buffer, metadata: Partial<ObjectMetadata> = {}, chunk = 64 * 1024): { body: Readable; size: number; describe: () => ObjectDescription } {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) chunks.push(bytes.subarray(at, at + chunk));
  return { body: Readable.from(chunks), size: bytes.length, describe: () => ({ userMetadata: {}, ...metadata, etag: md5Etag(bytes) }) };
}

export function partOf(bytes: Buffer, crc = 'AAAAAAAAAAA='): { body: Readable; size: number; describe: () => PartDescription } {
  return { body: Readable.from([bytes]), size: bytes.length, describe: () => ({ etag: md5Etag(bytes), crc64nvme: crc }) };
}

/**
 * A body whose bytes the test feeds itself: everything but the last byte until `release()`, or
 * (`nothingYet`) no byte at all, so that the backend request has not even sent its headers.
 */
export function heldBody(bytes: Buffer, options: { nothingYet?: boolean } = {}): { body: PassThrough; size: number; release(): void; fail(err: Error): void } {
  const body = new PassThrough();
  const first = options.nothingYet ? 0 : bytes.length - 1;
  body.write(bytes.subarray(0, first));
  return { body, size: bytes.length, release: () => body.end(bytes.subarray(first)), fail: (err) => body.destroy(err) };
}

export const random = (bytes: number): Buffer => randomBytes(bytes);

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Waits until `condition` holds (polling every 20 ms, at most `ms`). */
export async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
