import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import type { BucketDefinition } from '../emulator.js';
import { parseCorsRules, type CorsRule } from '../http/cors.js';

/**
 * `--cors BUCKET=FILE` (repeatable): the bucket's CORS rules from a JSON file holding a list of
 * S3 CORSRule objects or `{ "CORSRules": [...] }` (what `aws s3api get-bucket-cors` prints).
 * Read and checked while the flags are parsed, so a bad file stops the CLI before it starts.
 */
export function parseCorsFlag(value: string, previous: Record<string, CorsRule[]> = {}): Record<string, CorsRule[]> {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new InvalidArgumentError(`expected BUCKET=FILE, got "${value}"`);
  const bucket = value.slice(0, eq);
  const file = value.slice(eq + 1);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`cannot read CORS rules for ${bucket} from ${file}: ${(err as Error).message}`);
  }
  try {
    return { ...previous, [bucket]: parseCorsRules(json, file) };
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Adds the --cors rules to the bucket definitions; a bucket named only by --cors is served too (keeping its keys). */
export function withCors(buckets: BucketDefinition[], cors: Record<string, CorsRule[]>): BucketDefinition[] {
  const definitions = buckets.map((b) => ({ ...b }));
  for (const [bucket, rules] of Object.entries(cors)) {
    const definition = definitions.find((d) => d.name === bucket);
    if (definition) definition.cors = rules;
    else definitions.push({ name: bucket, cors: rules });
  }
  return definitions;
}
