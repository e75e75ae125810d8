/**
 * A bucket's credentials in their two shapes (its Secret's keys, its S3_* variables), and the
 * prefix of the variables named after a bucket.
 * CommonJS because testing/test-env.cts (which CommonJS jest projects `require`) builds on it;
 * the ESM modules import it as well.
 */

/** A bucket's credentials as SMLL delivers them: the keys of its Kubernetes Secret. */
export interface BucketCredentials {
  ACCESS_KEY: string;
  SECRET_KEY: string;
  ENDPOINT: string;
  REGION: string;
}

/** The same, as a service linked to the bucket sees them: its environment variables (`S3_` + each key). */
export interface BucketEnv {
  S3_ENDPOINT: string;
  S3_REGION: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
}

/** The environment variables that carry `credentials` (the Secret's keys, each prefixed `S3_`). */
export function envOfCredentials(credentials: BucketCredentials): BucketEnv {
  return {
    S3_ENDPOINT: credentials.ENDPOINT,
    S3_REGION: credentials.REGION,
    S3_ACCESS_KEY: credentials.ACCESS_KEY,
    S3_SECRET_KEY: credentials.SECRET_KEY,
  };
}

/** `S3_<BUCKET>_`: the bucket name upper-cased, `-` and `.` turned into `_`. */
export function bucketVariablePrefix(bucket: string): string {
  return `S3_${bucket.toUpperCase().replace(/[-.]/g, '_')}_`;
}
