import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bucketNameProblem } from './buckets.js';

/** The files of a bucket's directory: the keys of the Kubernetes Secret SMLL delivers per bucket. */
export const SECRET_FILES = ['ACCESS_KEY', 'SECRET_KEY', 'ENDPOINT', 'REGION'] as const;

/** One bucket of a buckets dir, as its Secret gives it. */
export interface BucketSecret {
  name: string;
  accessKey: string;
  secretKey: string;
  /** Where SMLL tells clients to connect; the gateway does not use it. */
  endpoint: string;
  region: string;
  /** `DIR/NAME`, for messages. */
  dir: string;
}

/**
 * Reads a directory of mounted bucket Secrets: one subdirectory per bucket, named after it,
 * holding the files ACCESS_KEY, SECRET_KEY, ENDPOINT and REGION (SMLL's credential keys;
 * a value's surrounding whitespace, such as a final newline, is not part of it). Entries whose
 * names start with `.` are skipped: Kubernetes keeps a volume's versions in `..data` and
 * `..<timestamp>` entries beside the symlinks it mounts, and no bucket name starts with a dot.
 * Symlinks are followed, so a projected volume (`NAME -> ..data/NAME`) reads the same.
 * @throws Error naming the directory or file and what is wrong with it.
 */
export function readBucketsDir(dir: string): BucketSecret[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => !name.startsWith('.')).sort();
  } catch (err) {
    throw new Error(`bucketsDir ${dir}: cannot read it: ${(err as Error).message}`);
  }
  if (names.length === 0) {
    throw new Error(`bucketsDir ${dir}: no bucket directories in it (one per bucket, named after it, holding ${SECRET_FILES.join(', ')})`);
  }
  return names.map((name) => {
    const bucketDir = join(dir, name);
    if (!statSync(bucketDir).isDirectory()) {
      throw new Error(`bucketsDir ${dir}: ${name} is not a directory: it holds one directory per bucket, named after it, with the files ${SECRET_FILES.join(', ')}`);
    }
    const problem = bucketNameProblem(name);
    if (problem) throw new Error(`bucketsDir ${bucketDir}: "${name}" is not a bucket name: a bucket name ${problem}`);
    const [accessKey, secretKey, endpoint, region] = SECRET_FILES.map((file) => readSecretFile(bucketDir, file));
    return { name, accessKey, secretKey, endpoint, region, dir: bucketDir };
  });
}

function readSecretFile(bucketDir: string, file: string): string {
  const path = join(bucketDir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`bucketsDir: ${path} is missing: each bucket's directory holds ${SECRET_FILES.join(', ')} (the keys of its SMLL Secret)`);
    }
    throw new Error(`bucketsDir: cannot read ${path}: ${(err as Error).message}`);
  }
  const value = text.trim();
  if (value === '') throw new Error(`bucketsDir: ${path} is empty`);
  return value;
}
