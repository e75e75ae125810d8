import { bucketVariablePrefix, type BucketEnv } from './bucket-credentials.cjs';

/** One bucket's share of the variables: the names `bucketEnvironmentBlocks` gives it. */
export interface BucketVariables {
  bucket: string;
  variables: Record<string, string>;
}

/**
 * The variables of a process run against these buckets, bucket by bucket in the given order:
 * the first bucket's block holds the plain `S3_ENDPOINT`, `S3_REGION`, `S3_ACCESS_KEY`,
 * `S3_SECRET_KEY` (what a service linked to one bucket reads), and every block its bucket's
 * `S3_<BUCKET>_ENDPOINT` …. No name appears in two blocks, so the blocks can be exported one
 * after the other (serve's output, pasted whole) without a later one overwriting an earlier one.
 * Throws when two bucket names make the same prefix (`a-b` and `a.b`).
 */
export function bucketEnvironmentBlocks(buckets: string[], envOf: (bucket: string) => BucketEnv): BucketVariables[] {
  const owners = new Map<string, string>();
  return buckets.map((bucket, i) => {
    const prefix = bucketVariablePrefix(bucket);
    const clash = owners.get(prefix);
    if (clash) throw new Error(`buckets "${clash}" and "${bucket}" would both set ${prefix}* variables: rename one.`);
    owners.set(prefix, bucket);
    const env = envOf(bucket);
    const variables: Record<string, string> = i === 0 ? { ...env } : {};
    for (const [name, value] of Object.entries(env)) variables[prefix + name.slice('S3_'.length)] = value;
    return { bucket, variables };
  });
}

/** All of `bucketEnvironmentBlocks` in one map: what exec, the test setups and `--dotenv` set. */
export function bucketEnvironment(buckets: string[], envOf: (bucket: string) => BucketEnv): Record<string, string> {
  return Object.assign({}, ...bucketEnvironmentBlocks(buckets, envOf).map((block) => block.variables)) as Record<string, string>;
}

/** The buckets named at start in their given order (the first one gets the plain S3_* names), then any others the data dir holds. */
export function bucketsInOrder(named: ReadonlyArray<string | { name: string }> | undefined, served: readonly string[]): string[] {
  const first = (named ?? []).map((b) => (typeof b === 'string' ? b : b.name));
  return [...first, ...served.filter((bucket) => !first.includes(bucket))];
}
