/**
 * ListObjects over the backend's ListObjectsV2
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html), re-rendered to the
 * SQLite store's ListPage for the same keys: the backend rolls keys up under the delimiter and
 * starts after `after`; this module merges objects and common prefixes in UTF-8 order, drops
 * what is at or before `after` (S3 may answer again the common prefix that contains it), hides
 * the reserved prefix, pages the backend until maxKeys + 1 entries are known, and takes each
 * object's record (checksum, ETag) from its metadata object.
 */
import { ListObjectsV2Command, type _Object, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { compareUtf8 } from '../../s3/key-order.js';
import type { ListEntry, ListPage, ListQuery, ObjectRecord } from '../types.js';
import { backendError, type Backend } from './client.js';
import { RESERVED_PREFIX } from './layout.js';
import type { BackendObjects } from './objects.js';

/** HeadObject requests in flight for one page's records. */
const RECORD_CONCURRENCY = 32;
/** The largest page S3 returns. */
const BACKEND_PAGE = 1000;

type Listed = { kind: 'object'; object: _Object } | { kind: 'prefix'; prefix: string };

const nameOf = (entry: Listed): string => (entry.kind === 'object' ? entry.object.Key! : entry.prefix);

export async function listObjects(backend: Backend, objects: BackendObjects, bucket: string, query: ListQuery): Promise<ListPage> {
  if (!Number.isSafeInteger(query.maxKeys) || query.maxKeys < 0) throw new Error(`maxKeys must be a non-negative integer, got ${query.maxKeys}`);
  // An empty page is complete (as the SQLite store answers: store/listing.ts).
  if (query.maxKeys === 0) return { entries: [], isTruncated: false };
  const prefix = query.prefix ?? '';
  const delimiter = query.delimiter || undefined;
  const backendBucket = backend.bucketOf(bucket);
  const wanted = query.maxKeys + 1;
  const listed: Listed[] = [];
  let token: string | undefined;
  for (;;) {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await backend.client.send(
        new ListObjectsV2Command({
          Bucket: backendBucket,
          Prefix: prefix || undefined,
          Delimiter: delimiter,
          StartAfter: token === undefined ? query.after : undefined,
          ContinuationToken: token,
          MaxKeys: BACKEND_PAGE,
        }),
      );
    } catch (err) {
      throw backendError(err, 'list objects');
    }
    const entries: Listed[] = [
      ...(page.Contents ?? []).map((object): Listed => ({ kind: 'object', object })),
      ...(page.CommonPrefixes ?? []).map((common): Listed => ({ kind: 'prefix', prefix: common.Prefix! })),
    ].sort((a, b) => compareUtf8(nameOf(a), nameOf(b)));
    for (const entry of entries) {
      const name = nameOf(entry);
      if (query.after !== undefined && compareUtf8(name, query.after) <= 0) continue;
      if (name.startsWith(RESERVED_PREFIX)) continue;
      if (entry.kind === 'prefix' && RESERVED_PREFIX.startsWith(entry.prefix) && !(await hasClientKeys(backend, backendBucket, entry.prefix))) continue;
      listed.push(entry);
    }
    if (listed.length >= wanted || !page.IsTruncated || !page.NextContinuationToken) break;
    token = page.NextContinuationToken;
  }
  const isTruncated = listed.length > query.maxKeys;
  if (isTruncated) listed.length = query.maxKeys;
  const entries = await withRecords(objects, bucket, listed);
  const last = listed.at(-1);
  return { entries, isTruncated, ...(last === undefined ? {} : { lastReturned: nameOf(last) }) };
}

/**
 * Whether a common prefix that the reserved prefix starts with (".", ".smll-" …) holds any key
 * of the client's: keys before the reserved prefix, or after everything under it.
 */
async function hasClientKeys(backend: Backend, backendBucket: string, commonPrefix: string): Promise<boolean> {
  const any = async (startAfter: string | undefined, below?: string) => {
    const page = await backend.client.send(new ListObjectsV2Command({ Bucket: backendBucket, Prefix: commonPrefix, StartAfter: startAfter, MaxKeys: 1 }));
    const key = page.Contents?.[0]?.Key;
    return key !== undefined && (below === undefined || compareUtf8(key, below) < 0);
  };
  try {
    return (await any(undefined, RESERVED_PREFIX)) || (await any(`${RESERVED_PREFIX}\u{10FFFF}`));
  } catch (err) {
    throw backendError(err, 'list objects');
  }
}

/**
 * The entries with each object's record as the store answers it (the metadata object gives its
 * checksum, which ListObjectsV2 cannot). An object gone since it was listed keeps what the
 * listing said.
 */
async function withRecords(objects: BackendObjects, bucket: string, listed: Listed[]): Promise<ListEntry[]> {
  const entries: ListEntry[] = new Array(listed.length);
  let next = 0;
  const worker = async () => {
    while (next < listed.length) {
      const at = next++;
      const entry = listed[at];
      if (entry.kind === 'prefix') {
        entries[at] = { kind: 'prefix', prefix: entry.prefix };
        continue;
      }
      const object = entry.object;
      const current = await objects.current(bucket, object.Key!);
      const record: ObjectRecord = current
        ? { ...current.record, lastModified: object.LastModified ?? current.record.lastModified }
        : { bucket, key: object.Key!, size: object.Size ?? 0, etag: object.ETag ?? '""', lastModified: object.LastModified ?? new Date(0), userMetadata: {} };
      entries[at] = { kind: 'object', record };
    }
  };
  await Promise.all(Array.from({ length: Math.min(RECORD_CONCURRENCY, listed.length) }, worker));
  return entries;
}
