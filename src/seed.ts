import { createHash } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { createChecksum, DEFAULT_CHECKSUM_ALGORITHM } from './auth/checksums.js';
import { MAX_KEY_BYTES } from './s3/limits.js';
import type { ObjectRecord, Store } from './store/types.js';

/** What seeding one directory into a bucket left there. */
export interface SeedSummary {
  /** Files under the directory, each now an object of the bucket. */
  objects: number;
  /** Their bytes in all. */
  bytes: number;
  /** How many of them this start wrote (the others the bucket already held as seeded). */
  written: number;
}

/**
 * Uploads every file under `dir` into `bucket`, key = path relative to `dir` with `/`
 * separators, content type from the file name. Each file streams through the store like a
 * PutObject (temp file, rename, one transaction), its MD5 taken on the way for the ETag.
 * A file the bucket already holds as is (same size, ETag and content type, no user metadata:
 * what an earlier start seeded) is not written again, so a restart writes nothing it need not,
 * and comes up on a full disk. Returns what the bucket now holds from `dir` (`objects`, `bytes`)
 * and how many of those objects this call wrote (`written`; the rest were already there).
 */
export async function seedBucket(store: Store, bucket: string, dir: string): Promise<SeedSummary> {
  if (!(await store.getBucket(bucket))) {
    throw new Error(`seed: no bucket "${bucket}" to seed: provision it too (--bucket ${bucket}, or "buckets" in the config file).`);
  }
  const root = resolve(dir);
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new Error(`seed: ${root} (for bucket "${bucket}") is not a directory.`);

  // Loaded here: only seeding needs a MIME table.
  const { lookup: contentTypeOf } = await import('mime-types');
  const summary: SeedSummary = { objects: 0, bytes: 0, written: 0 };
  for await (const file of filesUnder(root)) {
    const key = relative(root, file).split(sep).join('/');
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new Error(`seed: ${file} makes a key longer than ${MAX_KEY_BYTES} bytes.`);
    const contentType = contentTypeOf(file) || 'application/octet-stream';
    summary.objects++;
    const size = (await stat(file)).size;
    summary.bytes += size;
    if (await isSeeded(await store.getObject(bucket, key), file, contentType)) continue;
    const md5 = createHash('md5');
    // S3's default checksum, as every new object gets it (put-object.ts), in the same pass as the MD5.
    const crc = createChecksum(DEFAULT_CHECKSUM_ALGORITHM);
    const body = Readable.from(
      (async function* hashed() {
        for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
          md5.update(chunk);
          crc.update(chunk);
          yield chunk;
        }
      })(),
    );
    await store.putObject(bucket, key, {
      body,
      size,
      describe: async () => ({
        contentType,
        userMetadata: {},
        etag: `"${md5.digest('hex')}"`,
        checksum: { algorithm: DEFAULT_CHECKSUM_ALGORITHM, value: await crc.digestBase64(), type: 'FULL_OBJECT' },
      }),
    });
    summary.written++;
  }
  return summary;
}

/** Whether `existing` is what seeding `file` would write (the file is read only when its size matches). */
async function isSeeded(existing: ObjectRecord | undefined, file: string, contentType: string): Promise<boolean> {
  if (!existing || existing.contentType !== contentType || !hasOnlyContentType(existing)) return false;
  if ((await stat(file)).size !== existing.size) return false;
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) md5.update(chunk);
  return existing.etag === `"${md5.digest('hex')}"`;
}

/** Whether the object carries nothing seeding does not write (no other content header, user metadata or parts; any checksum is of the same bytes). */
function hasOnlyContentType(record: ObjectRecord): boolean {
  const { cacheControl, contentDisposition, contentEncoding, contentLanguage, expires, partsCount, userMetadata } = record;
  return [cacheControl, contentDisposition, contentEncoding, contentLanguage, expires, partsCount].every((value) => value === undefined) && Object.keys(userMetadata).length === 0;
}

/** Regular files (and symlinks to files) under `dir`, depth first in name order; symlinked directories are not followed. */
async function* filesUnder(dir: string): AsyncGenerator<string> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
    else if (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile()) yield path;
  }
}
