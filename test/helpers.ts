import { request } from 'node:http';
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

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({ buckets: ['test-bucket', 'other-bucket'], ...options });
  return {
    emulator,
    s3: clientFor(emulator.env('test-bucket')),
    bucket: 'test-bucket',
    other: clientFor(emulator.env('other-bucket')),
    otherBucket: 'other-bucket',
  };
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
