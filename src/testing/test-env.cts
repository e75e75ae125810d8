/**
 * Helpers for test files, whatever runs them (vitest, jest, node:test): CommonJS so that a
 * CommonJS jest project can `require('smll-storage/jest')` them too; the ESM entries re-export them.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
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
 * What `new S3Client(…)` (the AWS SDK for JavaScript v3) needs to reach a bucket of the global
 * setup: its endpoint, region and keys, path-style addressing, and, when the endpoint is https,
 * a request handler whose agent trusts the emulator's CA.
 */
export interface S3ClientSettings {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: true;
  /**
   * With `tls: true`: an https agent trusting the CA file the setup named in `AWS_CA_BUNDLE`.
   * Worker processes (vitest's default `forks` pool, jest's workers) trust it anyway through
   * `NODE_EXTRA_CA_CERTS`, which the setup sets before they start; worker threads (vitest's
   * `threads` and `vmThreads` pools) and jest running in band (`-i`, or a single test file) run
   * in a process that started before the setup, where Node no longer reads that variable.
   */
  requestHandler?: { httpsAgent: Agent };
}

const agents = new Map<string, Agent>();

/** `new S3Client(s3ClientConfig())`: the first bucket's, or the named bucket's (see S3ClientSettings). */
export function s3ClientConfig(bucket?: string): S3ClientSettings {
  const env = s3Env(bucket);
  const caFile = env.S3_ENDPOINT.startsWith('https:') ? process.env.AWS_CA_BUNDLE : undefined;
  let agent = caFile === undefined ? undefined : agents.get(caFile);
  if (caFile !== undefined && agent === undefined) agents.set(caFile, (agent = new Agent({ ca: readFileSync(caFile, 'utf8'), keepAlive: true })));
  return {
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    credentials: { accessKeyId: env.S3_ACCESS_KEY, secretAccessKey: env.S3_SECRET_KEY },
    forcePathStyle: true,
    ...(agent === undefined ? {} : { requestHandler: { httpsAgent: agent } }),
  };
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
