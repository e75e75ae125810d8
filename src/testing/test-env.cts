/**
 * Helpers for test files, whatever runs them (vitest, jest, node:test): CommonJS so that a
 * CommonJS jest project can `require('smll-storage/jest')` them too; the ESM entries re-export them.
 */
import { randomUUID } from 'node:crypto';
import { bucketVariablePrefix, envOfCredentials, type BucketEnv } from '../bucket-credentials.cjs';

export type { BucketEnv } from '../bucket-credentials.cjs';

/** @deprecated The same type as `BucketEnv` (a bucket's S3_* variables), under its former name. */
export type S3Env = BucketEnv;

/**
 * The S3_* variables the global setup (or `smll-storage exec`) gave this process: the first
 * bucket's (`S3_ENDPOINT` …), or the named bucket's (`S3_<BUCKET>_ENDPOINT` …).
 */
export function s3Env(bucket?: string): BucketEnv {
  const prefix = bucket === undefined ? 'S3_' : bucketVariablePrefix(bucket);
  const read = (name: string): string => {
    const value = process.env[prefix + name];
    if (!value) {
      throw new Error(
        `${prefix}${name} is not set: is smll-storage's global setup configured${bucket === undefined ? '' : `, and bucket "${bucket}" one of its buckets`}?`,
      );
    }
    return value;
  };
  return envOfCredentials({ ENDPOINT: read('ENDPOINT'), REGION: read('REGION'), ACCESS_KEY: read('ACCESS_KEY'), SECRET_KEY: read('SECRET_KEY') });
}

/**
 * A key prefix no other test uses (`<label>-<uuid>/`): with one emulator for the whole run and
 * test files running in parallel, each test writes and lists under its own prefix instead of
 * emptying buckets that other files are using.
 */
export function testPrefix(label = 'test'): string {
  const safe = label.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 64);
  return `${safe}-${randomUUID()}/`;
}
