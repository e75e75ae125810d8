import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BucketCredentials } from '../emulator.js';

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

export function writeCredentialsFile(dataDir: string, buckets: string[], credentialsOf: (bucket: string) => BucketCredentials): void {
  const file: CredentialsFile = { buckets: Object.fromEntries(buckets.map((bucket) => [bucket, credentialsOf(bucket)])) };
  writePrivateFile(join(dataDir, CREDENTIALS_FILE), `${JSON.stringify(file, null, 2)}\n`);
}

/** The credentials serve persisted for `bucket`; throws a message saying what is missing. */
export function readBucketCredentials(dataDir: string, bucket: string): BucketCredentials {
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
  const credentials = file.buckets?.[bucket];
  if (!credentials) {
    const known = Object.keys(file.buckets ?? {});
    throw new Error(`no bucket "${bucket}" in ${dataDir} (${known.length ? `buckets: ${known.join(', ')}` : 'no buckets yet'}).`);
  }
  return credentials;
}
