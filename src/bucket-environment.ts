import { bucketVariablePrefix, type BucketEnv } from './bucket-credentials.cjs';

/**
 * The variables a process run against these buckets gets: the first bucket's as plain
 * `S3_ENDPOINT`, `S3_REGION`, `S3_ACCESS_KEY`, `S3_SECRET_KEY` (what a service linked to one
 * bucket reads), and every bucket's as `S3_<BUCKET>_ENDPOINT` … too.
 */
export function bucketEnvironment(buckets: string[], envOf: (bucket: string) => BucketEnv): Record<string, string> {
  const variables: Record<string, string> = buckets.length ? { ...envOf(buckets[0]) } : {};
  const owners = new Map<string, string>();
  for (const bucket of buckets) {
    const prefix = bucketVariablePrefix(bucket);
    const clash = owners.get(prefix);
    if (clash) throw new Error(`buckets "${clash}" and "${bucket}" would both set ${prefix}* variables: rename one.`);
    owners.set(prefix, bucket);
    for (const [name, value] of Object.entries(envOf(bucket))) variables[prefix + name.slice('S3_'.length)] = value;
  }
  return variables;
}

/** The buckets named at start in their given order (the first one gets the plain S3_* names), then any others the data dir holds. */
export function bucketsInOrder(named: ReadonlyArray<string | { name: string }> | undefined, served: readonly string[]): string[] {
  const first = (named ?? []).map((b) => (typeof b === 'string' ? b : b.name));
  return [...first, ...served.filter((bucket) => !first.includes(bucket))];
}
