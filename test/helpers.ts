import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { startEmulator, type Emulator, type EmulatorOptions } from '../src/index.js';

/** An S3 client built exactly as SMLL's reference page shows, from a bucket's S3_* variables. */
export function clientFor(env: { S3_ENDPOINT: string; S3_REGION: string; S3_ACCESS_KEY: string; S3_SECRET_KEY: string }, extra: Partial<ConstructorParameters<typeof S3Client>[0]> = {}): S3Client {
  return new S3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    credentials: {
      accessKeyId: env.S3_ACCESS_KEY,
      secretAccessKey: env.S3_SECRET_KEY,
    },
    forcePathStyle: true,
    ...extra,
  });
}

export interface TestEmulator {
  emulator: Emulator;
  /** Client of `test-bucket`. */
  s3: S3Client;
  bucket: string;
  /** Client of `other-bucket`, to prove credentials reach their own bucket only. */
  other: S3Client;
  otherBucket: string;
}

/**
 * Set by the gateway target's global setup (test/gateway/global-setup.ts): the MinIO of the run
 * as JSON `{ endpoint, region, accessKeyId, secretAccessKey }`. With it, startTestEmulator starts
 * the emulator in gateway mode over that MinIO, so that the same integration tests run against both stores.
 */
export const TEST_BACKEND_VARIABLE = 'SMLL_TEST_BACKEND';

/** The run's MinIO, when the tests run against gateway mode (`npm run test:gateway`). */
export function testBackend(): { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string } | undefined {
  const json = process.env[TEST_BACKEND_VARIABLE];
  return json === undefined ? undefined : (JSON.parse(json) as ReturnType<typeof testBackend>);
}

/** A stable short hex name for `text`. */
function digest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * `options` as gateway mode takes them over the run's MinIO (unchanged without one). Each start
 * gets backend buckets of its own (a random bucket prefix), so test files running at once never
 * share one; a `dataDir` stands for a restart's identity instead: two starts with the same one
 * get the same prefix and, for buckets named without keys, the same derived keys, as a data dir
 * would have kept them.
 */
export function withTestBackend(options: EmulatorOptions): EmulatorOptions {
  const backend = testBackend();
  if (backend === undefined) return options;
  const { dataDir, ...rest } = options;
  const identity = dataDir === undefined ? randomBytes(8).toString('hex') : digest(resolve(dataDir), 16);
  const buckets = (options.buckets ?? []).map((bucket) => {
    const definition = typeof bucket === 'string' ? { name: bucket } : bucket;
    if (definition.accessKey !== undefined) return definition;
    const key = digest(`${identity}/${definition.name}`, 40);
    return { ...definition, accessKey: `GW${key.slice(0, 18).toUpperCase()}`, secretKey: key };
  });
  return { ...rest, buckets, backend: { type: 's3', ...backend, bucketPrefix: `t${digest(identity, 8)}-` } };
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await startEmulator(withTestBackend({ buckets: ['test-bucket', 'other-bucket'], ...options }));
  return {
    emulator,
    s3: clientFor(emulator.env('test-bucket')),
    bucket: 'test-bucket',
    other: clientFor(emulator.env('other-bucket')),
    otherBucket: 'other-bucket',
  };
}

/**
 * The SQLite store's data dir, for assertions on its files (blob files shared, temp files
 * removed); undefined in gateway mode, whose store keeps no local files: there those assertions,
 * the SQLite store's own, have nothing to look at, and the S3-visible ones around them stand alone.
 */
export function sqliteDataDir(emulator: Emulator): string | undefined {
  return emulator.backend === undefined ? emulator.dataDir : undefined;
}

/** The S3 error an SDK call rejected with: its code, HTTP status and message. */
export async function s3ErrorOf(promise: Promise<unknown>): Promise<{ code: string; status: number; message: string; raw: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { code: e.Code ?? e.name, status: e.$metadata?.httpStatusCode ?? 0, message: e.message, raw: err as Record<string, unknown> };
  }
  throw new Error('expected the call to fail');
}

/** Whether anything answers HTTP at `endpoint` (to prove an emulator was stopped). */
export function isListening(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(endpoint, { method: 'HEAD' }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}
