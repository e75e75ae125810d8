import { InvalidArgumentError, type Command } from 'commander';
import type { SmllStorageConfig } from '../config-file.js';
import type { BucketDefinition, EmulatorOptions } from '../emulator.js';
import type { CorsRule } from '../http/cors.js';
import { withCors } from './cors-flag.js';

/** `--allow ACTION` grants to every bucket; `--allow BUCKET=ACTION` to one (bucket names never contain `=`). */
export interface AllowFlags {
  everyBucket: string[];
  byBucket: Array<{ bucket: string; action: string }>;
}

export function parseAllowFlag(value: string, previous: AllowFlags = { everyBucket: [], byBucket: [] }): AllowFlags {
  const eq = value.indexOf('=');
  if (eq === -1) return { ...previous, everyBucket: [...previous.everyBucket, value] };
  const bucket = value.slice(0, eq);
  const action = value.slice(eq + 1);
  if (!bucket || !action) throw new InvalidArgumentError(`expected ACTION or BUCKET=ACTION, got "${value}"`);
  return { ...previous, byBucket: [...previous.byBucket, { bucket, action }] };
}

/** Adds per-bucket grants to the bucket definitions; a bucket named only by --allow is served too (keeping its keys). */
export function withGrants(buckets: BucketDefinition[], allow: AllowFlags): BucketDefinition[] {
  const definitions = buckets.map((b) => ({ ...b }));
  for (const { bucket, action } of allow.byBucket) {
    let definition = definitions.find((d) => d.name === bucket);
    if (!definition) definitions.push((definition = { name: bucket }));
    definition.allow = [...(definition.allow ?? []), action];
  }
  return definitions;
}

/** Undefined when not typed (no defaults: `--help` would print them). */
export interface BucketFlags {
  bucket?: BucketDefinition[];
  allow?: AllowFlags;
  cors?: Record<string, CorsRule[]>;
}

/**
 * The bucket options that typed `--bucket`, `--allow` and `--cors` flags give: a typed bucket
 * list replaces the config file's, and per-bucket grants and rules apply to whichever list is
 * in effect. Empty when none of them was typed, so the config file's values stand.
 */
export function bucketOptionsFromFlags(command: Command, flags: BucketFlags, config: SmllStorageConfig | undefined): Pick<EmulatorOptions, 'buckets' | 'allow'> {
  const bucketsTyped = command.getOptionValueSource('bucket') === 'cli';
  const buckets = bucketsTyped ? (flags.bucket ?? []) : (config?.buckets ?? []).map((b) => (typeof b === 'string' ? { name: b } : b));
  const allow = flags.allow ?? { everyBucket: [], byBucket: [] };
  const cors = flags.cors ?? {};
  return {
    ...(bucketsTyped || allow.byBucket.length || Object.keys(cors).length ? { buckets: withCors(withGrants(buckets, allow), cors) } : {}),
    ...(allow.everyBucket.length ? { allow: allow.everyBucket } : {}),
  };
}
