/** `smll-storage/jest`: helpers for test files (CommonJS projects get the same from test-env.cjs). */
export { s3ClientConfig, s3Env, testPrefix, type BucketEnv, type S3ClientSettings, type S3Env } from './test-env.cjs';
export type { HarnessContext, HarnessOptions } from './harness.js';
