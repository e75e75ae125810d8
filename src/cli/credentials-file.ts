import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BucketCredentials } from '../bucket-credentials.cjs';
import { isOutOfSpace } from '../store/storage-fault.js';

/** Where `serve` keeps its data, and where `credentials` reads it, unless told another dir. */
export const DEFAULT_DATA_DIR = '.smll-storage';

/**
 * `<dataDir>/credentials.json`: every bucket's credentials with the endpoint the last `serve`
 * (or `exec`) listened on, written at start. `credentials` reads this file rather than the
 * metadata database, which a running server holds with an exclusive lock.
 */
export const CREDENTIALS_FILE = 'credentials.json';

interface CredentialsFile {
  buckets: Record<string, BucketCredentials>;
}

/** Writes `text` to `path` readable by its owner only, atomically (temp file, then rename). */
export function writePrivateFile(path: string, text: string): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/**
 * Writes `<dataDir>/credentials.json`, unless it already holds exactly this text, readable by its
 * owner only: a restart with the same buckets and endpoint writes nothing. On a full disk the file keeps its previous text
 * and this returns a warning saying so, rather than throwing: a server that cannot start cannot
 * be used to delete objects and free the space.
 */
export function writeCredentialsFile(dataDir: string, buckets: string[], credentialsOf: (bucket: string) => BucketCredentials): string | undefined {
  const file: CredentialsFile = { buckets: Object.fromEntries(buckets.map((bucket) => [bucket, credentialsOf(bucket)])) };
  const path = join(dataDir, CREDENTIALS_FILE);
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (holdsPrivately(path, text)) return undefined;
  try {
    writePrivateFile(path, text);
  } catch (err) {
    if (!isOutOfSpace(err)) throw err;
    return `cannot update ${path}, the data dir is full (${(err as NodeJS.ErrnoException).code}): \`smll-storage credentials\` shows what the previous start wrote.`;
  }
  return undefined;
}

/** Whether `path` holds exactly `text` with mode 600 (what writePrivateFile would leave). */
function holdsPrivately(path: string, text: string): boolean {
  try {
    return (statSync(path).mode & 0o777) === 0o600 && readFileSync(path, 'utf8') === text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * The credentials serve persisted for `bucket`, or for the data dir's only bucket when `bucket`
 * is undefined; throws a message saying what is missing (with the buckets there are).
 */
export function readBucketCredentials(dataDir: string, bucket: string | undefined): { bucket: string; credentials: BucketCredentials } {
  const path = join(dataDir, CREDENTIALS_FILE);
  let file: CredentialsFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as CredentialsFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`no ${CREDENTIALS_FILE} in ${dataDir}: run \`smll-storage serve --data-dir ${dataDir}\` once, it writes the credentials there when it starts.`);
    }
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  const known = Object.keys(file.buckets ?? {});
  if (bucket === undefined) {
    if (known.length === 1) return { bucket: known[0], credentials: file.buckets[known[0]] };
    throw new Error(known.length ? `${dataDir} has ${known.length} buckets: name one (${known.join(', ')}).` : `no buckets in ${dataDir} yet.`);
  }
  const credentials = file.buckets?.[bucket];
  if (!credentials) {
    throw new Error(`no bucket "${bucket}" in ${dataDir} (${known.length ? `buckets: ${known.join(', ')}` : 'no buckets yet'}).`);
  }
  return { bucket, credentials };
}
