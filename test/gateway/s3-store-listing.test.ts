/**
 * Differential: the S3 backend store's listings against the SQLite store's over the same keys
 * (every field the ListPage gives but lastModified and the checksum: see `comparable`): prefixes, delimiters other than '/', `after`
 * equal to a key, a common prefix or outside the prefix, non-ASCII keys, keys around the
 * reserved prefix, maxKeys 0/1/3/1000 walked page by page, and a bucket needing several backend
 * pages (1,000 keys a page) both for its own keys and for the metadata objects before them.
 * Keys avoid what MinIO cannot store side by side (an object `a` and a key `a/b`; `//`, `.` and
 * `..` segments). And a page costs backend ListObjectsV2 requests only, none per key.
 */
import fs from 'node:fs';
import http from 'node:http';
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

/**
 * A page with what must match: everything but lastModified (the backend's) and the checksum
 * algorithm and type, which the gateway shows only where the backend's own listing gives them
 * (MinIO's never does; README, "What it does not do, and what differs"): the SQLite store lists
 * the checksum every object here was stored with.
 */
function comparable(page: ListPage) {
  return {
    entries: page.entries.map((entry) =>
      entry.kind === 'prefix' ? { prefix: entry.prefix } : { key: entry.record.key, size: entry.record.size, etag: entry.record.etag },
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

  it('a 1,000-key page costs backend ListObjectsV2 requests only, no request per key', async () => {
    const { proxy, requests } = await countingProxy(minio.endpoint);
    const counted = await storeWith({ ...minio, endpoint: proxy.endpoint }, bulkBucket);
    /** The backend requests of one listing. */
    const requestsOf = async (query: ListQuery) => {
      requests.length = 0;
      expect((await counted.listObjects(bulkBucket, query)).entries).toHaveLength(1000);
      return [...requests];
    };
    /** Requests that are not a ListObjectsV2 of the bucket. */
    const others = (requests: string[]) =>
      requests.filter((request) => {
        const [method, target] = request.split(' ');
        const url = new URL(target, 'http://backend');
        return !(method === 'GET' && url.pathname.replace(/\/$/, '') === `/${bulkBucket}` && url.searchParams.get('list-type') === '2');
      });
    try {
      // One backend page of 1,000, and one of 2 to learn whether the page is truncated.
      const underPrefix = await requestsOf({ prefix: 'bulk/', maxKeys: 1000 });
      expect(underPrefix).toHaveLength(2);
      expect(others(underPrefix)).toEqual([]);
      // From the root: the 1,050 metadata objects come first and are skipped with one seek, then as above.
      const fromRoot = await requestsOf({ maxKeys: 1000 });
      expect(fromRoot).toHaveLength(3);
      expect(others(fromRoot)).toEqual([]);
    } finally {
      await counted.close();
      await proxy.close();
    }
  });

  it('rejects a maxKeys that is not a non-negative integer, as the SQLite store does', async () => {
    await expect(gateway.listObjects(bucket, { maxKeys: -1 })).rejects.toThrow(/maxKeys/);
    await expect(gateway.listObjects(bucket, { maxKeys: 1.5 })).rejects.toThrow(/maxKeys/);
  });
});

/**
 * An HTTP proxy in front of the backend that records each request's method and path: a store
 * opened through it shows what it asks the backend. SigV4 signs the Host header, which passes
 * through unchanged.
 */
async function countingProxy(target: string): Promise<{ proxy: { endpoint: string; close(): Promise<void> }; requests: string[] }> {
  const upstream = new URL(target);
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const forwarded = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { proxy: { endpoint: `http://127.0.0.1:${port}`, close }, requests };
}
