/**
 * Differential: the S3 backend store's listings against the SQLite store's over the same keys
 * (every field the ListPage gives but lastModified): prefixes, delimiters other than '/', `after`
 * equal to a key, a common prefix or outside the prefix, non-ASCII keys, keys around the
 * reserved prefix, maxKeys 0/1/3/1000 walked page by page, and a bucket needing several backend
 * pages (1,000 keys a page) both for its own keys and for the metadata objects before them.
 * Keys avoid what MinIO cannot store side by side (an object `a` and a key `a/b`; `//`, `.` and
 * `..` segments).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/index.js';
import type { S3Store } from '../../src/store/s3-backend/index.js';
import type { ListPage, ListQuery, Store } from '../../src/store/types.js';
import { bodyOf, freshBucket, storeWith, runBackend } from './store-helpers.js';

const SMALL_KEYS = [
  'a',
  'a-b',
  'a-b-c',
  'a|b',
  'a|b|c',
  'ab|cd|ef',
  'b/',
  'b/c/d',
  'b/c/e',
  'b/d',
  'b-c/x',
  'dir/sub/1',
  'dir/sub/2',
  'dir/sub2/1',
  'dir/x',
  'dir-x',
  'dir.y',
  '.env',
  '.smll',
  '.smll-gateway-not-reserved',
  '.smll-gatewaz',
  '.smll-gateway.x',
  '.a/b',
  'é-1',
  'éa/1',
  'éé',
  '日本/語',
  '日本語',
  '😀/x',
  '😀x',
  '\uFFFD',
  'k=v',
  'sp ace',
  '~tilde',
  'A',
  'Z',
];
const BULK = Array.from({ length: 1050 }, (_, i) => `bulk/${String(i).padStart(4, '0')}`);

const minio = runBackend();
let dataDir: string;
let sqlite: SqliteStore;
let gateway: S3Store;
/** The small keys, for every query; the bulk keys in a bucket of their own, for paging. */
const bucket = freshBucket();
const bulkBucket = freshBucket();

async function fill(store: Store, bucket: string, keys: readonly string[]): Promise<void> {
  const queue = [...keys];
  const worker = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const checksum = { algorithm: 'CRC64NVME', value: Buffer.from(key).toString('base64').slice(0, 12), type: 'FULL_OBJECT' as const };
      await store.putObject(bucket, key, bodyOf(Buffer.from(`body of ${key}`), { checksum }));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-gateway-listing-'));
  sqlite = SqliteStore.open({ dataDir });
  gateway = await storeWith(minio, bucket);
  for (const [name, keys] of [[bucket, SMALL_KEYS], [bulkBucket, BULK]] as const) {
    await sqlite.upsertBucket({ name, accessKey: `AK${name}`, secretKey: 's', region: 'us-east-1' });
    if (name !== bucket) await gateway.upsertBucket({ name, accessKey: `AK${name}`, secretKey: 's', region: 'us-east-1' });
    await fill(sqlite, name, keys);
    await fill(gateway, name, keys);
  }
}, 300_000);

afterAll(async () => {
  await gateway?.close();
  await sqlite?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A page with what must match: everything but lastModified. */
function comparable(page: ListPage) {
  return {
    entries: page.entries.map((entry) =>
      entry.kind === 'prefix' ? { prefix: entry.prefix } : { key: entry.record.key, size: entry.record.size, etag: entry.record.etag, checksum: entry.record.checksum },
    ),
    isTruncated: page.isTruncated,
    lastReturned: page.lastReturned,
  };
}

async function both(query: ListQuery, inBucket = bucket): Promise<void> {
  const [expected, actual] = await Promise.all([sqlite.listObjects(inBucket, query), gateway.listObjects(inBucket, query)]);
  expect(comparable(actual), JSON.stringify(query)).toEqual(comparable(expected));
}

/** Walks every page (bounded) with both stores, comparing each. */
async function walk(query: Omit<ListQuery, 'after'>, inBucket = bucket): Promise<number> {
  let after: string | undefined;
  let pages = 0;
  for (; pages < 200; pages++) {
    const page = await sqlite.listObjects(inBucket, { ...query, ...(after === undefined ? {} : { after }) });
    await both({ ...query, ...(after === undefined ? {} : { after }) }, inBucket);
    if (!page.isTruncated) return pages + 1;
    after = page.lastReturned;
  }
  throw new Error('too many pages');
}

const PREFIXES = ['', 'b/', 'dir', '.', '.smll', 'é'];
const DELIMITERS = [undefined, '/', '-', '|', 'é', 'b/'];
const AFTERS = ['a-b', 'b/c/', 'dir/sub/', '.smll', '.smll-gateway/', 'zzz', '.', '😀'];

describe('listings match the SQLite store over the same keys', () => {
  it('every prefix × delimiter, one page of 1000 and walked 3 at a time; maxKeys 0', async () => {
    for (const prefix of PREFIXES) {
      for (const delimiter of DELIMITERS) {
        await both({ prefix, delimiter, maxKeys: 0 });
        await both({ prefix, delimiter, maxKeys: 1000 });
        await walk({ prefix, delimiter, maxKeys: 3 });
      }
    }
  });

  it('`after` a key, a common prefix, the reserved prefix, outside the prefix; maxKeys 1 and 1000', async () => {
    for (const prefix of PREFIXES) {
      for (const delimiter of DELIMITERS) {
        for (const after of AFTERS) {
          await both({ prefix, delimiter, after, maxKeys: 1 });
          await both({ prefix, delimiter, after, maxKeys: 1000 });
        }
      }
    }
  });

  it('a bucket over several backend pages: 1,050 keys under one prefix, and the root past their 1,050 metadata objects', async () => {
    expect(await walk({ prefix: 'bulk/', maxKeys: 1000 }, bulkBucket)).toBe(2);
    await both({ prefix: 'bulk/', after: 'bulk/0999', maxKeys: 1000 }, bulkBucket);
    expect(await walk({ maxKeys: 1000 }, bulkBucket)).toBe(2);
    await both({ maxKeys: 1 }, bulkBucket);
    await both({ delimiter: '/', maxKeys: 1000 }, bulkBucket);
    await walk({ prefix: 'bulk/0', delimiter: '9', maxKeys: 7 }, bulkBucket);
  });

  it('rejects a maxKeys that is not a non-negative integer, as the SQLite store does', async () => {
    await expect(gateway.listObjects(bucket, { maxKeys: -1 })).rejects.toThrow(/maxKeys/);
    await expect(gateway.listObjects(bucket, { maxKeys: 1.5 })).rejects.toThrow(/maxKeys/);
  });
});
