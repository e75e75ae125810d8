/**
 * ListObjects over the backend's ListObjectsV2
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html), re-rendered to the
 * SQLite store's ListPage for the same keys: the backend rolls keys up under the delimiter and
 * starts after `after`; this module merges objects and common prefixes in UTF-8 order, drops
 * what is at or before `after` (S3 may answer again the common prefix that contains it), hides
 * the reserved prefix (seeking past its keys in one request), and pages the backend until
 * maxKeys + 1 entries are known. Each object is rendered from what the backend's listing says of
 * it, with no request per key: its ETag is ours by construction (GATEWAY.md, "ETags match by
 * construction") and so is its size; its checksum algorithm and type only where the backend's
 * listing gives them (MinIO's never does), as the metadata object that holds them would cost a
 * HeadObject and a GetObject per key.
 */
import { ListObjectsV2Command, type _Object, type ListObjectsV2CommandInput, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { compareUtf8 } from '../../s3/key-order.js';
import { S3Error } from '../../s3/s3-error.js';
import type { ListEntry, ListPage, ListQuery, ListedObject } from '../types.js';
import { backendError, statusOf, type Backend } from './client.js';
import { RESERVED_PREFIX } from './layout.js';

/** A backend that keeps answering pages without progress must not hold a listing forever. */
const MAX_BACKEND_REQUESTS = 10_000;
/** The largest page S3 returns. */
const BACKEND_PAGE = 1000;
/** Greater than every key that starts with `prefix` (but one continuing with U+10FFFF, the last code point, which no key of ours does). */
const pastEverythingUnder = (prefix: string): string => `${prefix}\u{10FFFF}`;

/**
 * One ListObjectsV2 page. MinIO refuses a StartAfter that is not a name it could store (`.` or
 * `..` segments, `//`: XMinioInvalidResourceName); no key under it exists there, so the
 * listing starts after its longest '/'-ended prefix instead (the caller drops what lies before
 * `after`).
 */
async function listPage(backend: Backend, backendBucket: string, request: Omit<ListObjectsV2CommandInput, 'Bucket'>): Promise<ListObjectsV2CommandOutput> {
  let startAfter = request.StartAfter;
  for (;;) {
    try {
      return await backend.client.send(new ListObjectsV2Command({ ...request, Bucket: backendBucket, StartAfter: startAfter }));
    } catch (err) {
      if (statusOf(err) !== 400 || !startAfter) throw backendError(err, 'list objects');
      const slash = startAfter.lastIndexOf('/', startAfter.endsWith('/') ? startAfter.length - 2 : startAfter.length - 1);
      startAfter = slash < 0 ? undefined : startAfter.slice(0, slash + 1);
    }
  }
}

type Listed = { kind: 'object'; object: _Object } | { kind: 'prefix'; prefix: string };

const nameOf = (entry: Listed): string => (entry.kind === 'object' ? entry.object.Key! : entry.prefix);

/** An object listed without the backend's delimiter, rolled up here as the SQLite store does (store/listing.ts). */
function rolledUp(object: _Object, prefix: string, delimiter: string | undefined): Listed {
  const at = delimiter === undefined ? -1 : object.Key!.indexOf(delimiter, prefix.length);
  return at < 0 ? { kind: 'object', object } : { kind: 'prefix', prefix: object.Key!.slice(0, at + delimiter!.length) };
}

export async function listObjects(backend: Backend, bucket: string, query: ListQuery): Promise<ListPage> {
  if (!Number.isSafeInteger(query.maxKeys) || query.maxKeys < 0) throw new Error(`maxKeys must be a non-negative integer, got ${query.maxKeys}`);
  // An empty page is complete (as the SQLite store answers: store/listing.ts).
  if (query.maxKeys === 0) return { entries: [], isTruncated: false };
  const prefix = query.prefix ?? '';
  const delimiter = query.delimiter || undefined;
  const backendBucket = backend.bucketOf(bucket);
  const wanted = query.maxKeys + 1;
  const listed: Listed[] = [];
  /** Entries at or before it were seen (or are before `after`): MinIO repeats a common prefix of a delimiter other than '/' on every page. */
  let floor = query.after;
  let startAfter = query.after;
  let token: string | undefined;
  // MinIO refuses a Prefix with `.` or `..` segments (XMinioInvalidResourceName) although keys
  // may start with it (".env" under "."): such a listing asks from the longest '/'-ended part
  // of the prefix that MinIO takes, without a delimiter, and filters and rolls up here.
  let backendPrefix = prefix;
  let rollUpHere = false;
  const sought = new Set<string>();
  for (let requests = 1; ; requests++) {
    if (requests > MAX_BACKEND_REQUESTS) throw new S3Error('ServiceUnavailable', `The storage backend did not finish a listing page in ${MAX_BACKEND_REQUESTS} requests.`);
    let page: ListObjectsV2CommandOutput;
    try {
      page = await listPage(backend, backendBucket, {
        Prefix: backendPrefix || undefined,
        Delimiter: rollUpHere ? undefined : delimiter,
        StartAfter: token === undefined ? startAfter : undefined,
        ContinuationToken: token,
        MaxKeys: Math.min(BACKEND_PAGE, wanted - listed.length + 1),
      });
    } catch (err) {
      if (!(err instanceof S3Error) || err.code !== 'InvalidArgument' || backendPrefix === '') throw err;
      const slash = backendPrefix.lastIndexOf('/', backendPrefix.endsWith('/') ? backendPrefix.length - 2 : backendPrefix.length - 1);
      backendPrefix = slash < 0 ? '' : backendPrefix.slice(0, slash + 1);
      rollUpHere = true;
      token = undefined;
      continue;
    }
    const entries: Listed[] = rollUpHere
      ? (page.Contents ?? []).filter((object) => object.Key!.startsWith(prefix)).map((object) => rolledUp(object, prefix, delimiter))
      : [
          ...(page.Contents ?? []).map((object): Listed => ({ kind: 'object', object })),
          ...(page.CommonPrefixes ?? []).map((common): Listed => ({ kind: 'prefix', prefix: common.Prefix! })),
        ].sort((a, b) => compareUtf8(nameOf(a), nameOf(b)));
    let seekPast: string | undefined;
    for (const entry of entries) {
      const name = nameOf(entry);
      if (floor !== undefined && compareUtf8(name, floor) <= 0) {
        // A common prefix answered again (or the one `after` lies in): seek past its keys instead
        // of paging through them (once: a seek MinIO refuses starts earlier, and paging on is
        // then the way past).
        if (entry.kind === 'prefix' && floor.startsWith(name) && !rollUpHere && !sought.has(name)) {
          seekPast = name;
          break;
        }
        continue;
      }
      floor = name;
      if (name.startsWith(RESERVED_PREFIX)) {
        // One request past all of the gateway's own keys instead of paging through them.
        if (entry.kind === 'object') {
          seekPast = RESERVED_PREFIX;
          break;
        }
        continue;
      }
      if (entry.kind === 'prefix' && RESERVED_PREFIX.startsWith(entry.prefix) && !(await hasClientKeys(backend, backendBucket, entry.prefix))) continue;
      listed.push(entry);
    }
    if (listed.length >= wanted) break;
    if (seekPast !== undefined && !sought.has(seekPast)) {
      sought.add(seekPast);
      startAfter = pastEverythingUnder(seekPast);
      token = undefined;
      continue;
    }
    if (!page.IsTruncated || !page.NextContinuationToken) break;
    token = page.NextContinuationToken;
  }
  const isTruncated = listed.length > query.maxKeys;
  if (isTruncated) listed.length = query.maxKeys;
  const entries = listed.map(rendered);
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
    return (await any(undefined, RESERVED_PREFIX)) || (await any(pastEverythingUnder(RESERVED_PREFIX)));
  } catch (err) {
    throw backendError(err, 'list objects');
  }
}

/** An entry as the store answers it, from the backend's listing alone. */
function rendered(entry: Listed): ListEntry {
  if (entry.kind === 'prefix') return { kind: 'prefix', prefix: entry.prefix };
  const object = entry.object;
  const algorithm = object.ChecksumAlgorithm?.[0];
  const type = object.ChecksumType;
  const record: ListedObject = {
    key: object.Key!,
    size: object.Size ?? 0,
    etag: object.ETag ?? '""',
    lastModified: object.LastModified ?? new Date(0),
    ...(algorithm !== undefined && (type === 'FULL_OBJECT' || type === 'COMPOSITE') ? { checksum: { algorithm, type } } : {}),
  };
  return { kind: 'object', record };
}
