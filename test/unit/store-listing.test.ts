import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore as Store, type ListPage, type ListQuery } from '../../src/store/index.js';
import { keySuccessor } from '../../src/store/listing.js';
import { compareUtf8 } from '../../src/s3/key-order.js';

let dataDir: string;
let store: Store;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-store-listing-'));
  store = Store.open({ dataDir });
  await store.upsertBucket({ name: 'b', accessKey: 'AKB', secretKey: 'secret', region: 'local' });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function putKeys(keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    const blob = await store.writeBlob(Readable.from([Buffer.from(key)]));
    store.commitObject('b', key, blob, { userMetadata: {}, etag: '"e"' });
  }
}

/** Entries as plain strings: keys as they are, common prefixes marked with a trailing ' (prefix)'. */
function names(page: ListPage): string[] {
  return page.entries.map((entry) => (entry.kind === 'object' ? entry.record.key : `${entry.prefix} (prefix)`));
}

async function list(query: Omit<ListQuery, 'maxKeys'> & { maxKeys?: number }): Promise<ListPage> {
  return store.listObjects('b', { maxKeys: 1000, ...query });
}

/** Follows lastReturned page by page, as NextMarker / continuation tokens do. */
async function listInPages(query: Omit<ListQuery, 'maxKeys' | 'after'>, maxKeys: number): Promise<{ names: string[]; pages: number }> {
  const all: string[] = [];
  let after: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await store.listObjects('b', { ...query, maxKeys, ...(after === undefined ? {} : { after }) });
    expect(page.entries.length).toBeLessThanOrEqual(maxKeys);
    all.push(...names(page));
    if (!page.isTruncated) return { names: all, pages };
    expect(page.entries).toHaveLength(maxKeys);
    after = page.lastReturned;
  }
}

const tree = [
  'a.txt',
  'docs-old/x.md', // '-' sorts before '/'
  'docs/',
  'docs/guide/intro.md',
  'docs/guide/setup.md',
  'docs/readme.md',
  'docs/reference/api.md',
  'docs0',
  'photos/2024/01/a.jpg',
  'photos/2024/01/b.jpg',
  'photos/2024/02/c.jpg',
  'photos/2025/01/d.jpg',
  'photos/cover.jpg',
  'z',
];

describe('listObjects', () => {
  beforeEach(() => putKeys(tree));

  it('maxKeys 0 is an empty, complete page that reads no row (ceph s3-tests test_bucket_list_maxkeys_zero)', async () => {
    const before = store.listingRowsVisited;
    for (const query of [{}, { delimiter: '/', prefix: 'photos/' }, { prefix: 'docs/', after: 'docs/guide/' }, { prefix: 'nothing' }, { after: 'z' }]) {
      expect(await list({ ...query, maxKeys: 0 })).toEqual({ entries: [], isTruncated: false });
    }
    expect(store.listingRowsVisited).toBe(before);
  });

  it('lists every key in order with the fields a listing shows', async () => {
    const page = await list({});
    expect(names(page)).toEqual(tree);
    expect(page.isTruncated).toBe(false);
    expect(page.lastReturned).toBe('z');
    const first = page.entries[0]!;
    expect(first.kind === 'object' && first.record).toEqual({ key: 'a.txt', size: 5, etag: '"e"', lastModified: expect.any(Date) });
  });

  it('prefix selects a key range, not a pattern', async () => {
    expect(names(await list({ prefix: 'docs/' }))).toEqual(['docs/', 'docs/guide/intro.md', 'docs/guide/setup.md', 'docs/readme.md', 'docs/reference/api.md']);
    expect(names(await list({ prefix: 'docs' }))).toEqual(tree.filter((key) => key.startsWith('docs')));
    expect(names(await list({ prefix: 'photos/2024/0' }))).toEqual(['photos/2024/01/a.jpg', 'photos/2024/01/b.jpg', 'photos/2024/02/c.jpg']);
    expect(names(await list({ prefix: '%' }))).toEqual([]);
    expect(names(await list({ prefix: 'nothing' }))).toEqual([]);
  });

  it('delimiter rolls keys up into common prefixes, interleaved in key order', async () => {
    expect(names(await list({ delimiter: '/' }))).toEqual(['a.txt', 'docs-old/ (prefix)', 'docs/ (prefix)', 'docs0', 'photos/ (prefix)', 'z']);
  });

  it('a delimiter that also occurs in the prefix only counts after the prefix', async () => {
    expect(names(await list({ prefix: 'docs/', delimiter: '/' }))).toEqual(['docs/', 'docs/guide/ (prefix)', 'docs/readme.md', 'docs/reference/ (prefix)']);
    expect(names(await list({ prefix: 'photos/2024/', delimiter: '/' }))).toEqual(['photos/2024/01/ (prefix)', 'photos/2024/02/ (prefix)']);
    // A prefix that is not a "folder": the delimiter is searched from where the prefix ends.
    expect(names(await list({ prefix: 'docs', delimiter: '/' }))).toEqual(['docs-old/ (prefix)', 'docs/ (prefix)', 'docs0']);
  });

  it('supports multi-character delimiters', async () => {
    expect(names(await list({ delimiter: '/0' }))).toEqual([
      'a.txt',
      ...tree.slice(1, 8),
      'photos/2024/0 (prefix)',
      'photos/2025/0 (prefix)',
      'photos/cover.jpg',
      'z',
    ]);
    expect(names(await list({ prefix: 'photos/', delimiter: '.jpg' }))).toEqual([
      'photos/2024/01/a.jpg (prefix)',
      'photos/2024/01/b.jpg (prefix)',
      'photos/2024/02/c.jpg (prefix)',
      'photos/2025/01/d.jpg (prefix)',
      'photos/cover.jpg (prefix)',
    ]);
  });

  it('treats an empty delimiter as none', async () => {
    expect(names(await list({ delimiter: '' }))).toEqual(tree);
  });

  it('continuing from lastReturned, page by page, gives exactly the one-shot listing', async () => {
    const queries: Array<Omit<ListQuery, 'maxKeys' | 'after'>> = [
      {},
      { delimiter: '/' },
      { prefix: 'docs/', delimiter: '/' },
      { prefix: 'photos/', delimiter: '/' },
      { prefix: 'photos/' },
      { delimiter: '/0' },
    ];
    for (const query of queries) {
      const oneShot = names(await list(query));
      for (const maxKeys of [1, 2, 3, 5, oneShot.length, oneShot.length + 1]) {
        const paged = await listInPages(query, maxKeys);
        expect(paged.names, JSON.stringify({ query, maxKeys })).toEqual(oneShot);
        expect(paged.pages).toBe(Math.max(1, Math.ceil(oneShot.length / maxKeys)));
      }
    }
  });

  it('isTruncated is exact: false when the page ends exactly at the last entry', async () => {
    const all = await list({ delimiter: '/' });
    const exact = await list({ delimiter: '/', maxKeys: all.entries.length });
    expect(exact.isTruncated).toBe(false);
    const short = await list({ delimiter: '/', maxKeys: all.entries.length - 1 });
    expect(short.isTruncated).toBe(true);
    expect(short.lastReturned).toBe('photos/');
  });

  it('after a common prefix (or a key under it) continues past every key under it', async () => {
    expect(names(await list({ delimiter: '/', after: 'docs/' }))).toEqual(['docs0', 'photos/ (prefix)', 'z']);
    expect(names(await list({ delimiter: '/', after: 'docs/guide/intro.md' }))).toEqual(['docs0', 'photos/ (prefix)', 'z']);
    expect(names(await list({ delimiter: '/', after: 'docs-old/' }))).toEqual(['docs/ (prefix)', 'docs0', 'photos/ (prefix)', 'z']);
    expect(names(await list({ prefix: 'photos/', delimiter: '/', after: 'photos/2024/' }))).toEqual(['photos/2025/ (prefix)', 'photos/cover.jpg']);
    // Without a delimiter the same marker is just a key bound.
    expect(names(await list({ after: 'docs/' }))).toEqual(tree.slice(3));
  });

  it('after before the prefix starts at the prefix; after past the prefix lists nothing', async () => {
    expect(names(await list({ prefix: 'photos/2024/', after: 'a' }))).toEqual(['photos/2024/01/a.jpg', 'photos/2024/01/b.jpg', 'photos/2024/02/c.jpg']);
    expect(names(await list({ prefix: 'photos/2024/', after: 'photos/2024' }))).toHaveLength(3);
    expect(await list({ prefix: 'docs/', after: 'photos' })).toEqual({ entries: [], isTruncated: false });
    expect(names(await list({ after: 'zz' }))).toEqual([]);
  });

  it('lists nothing in an unknown bucket and rejects a negative maxKeys', async () => {
    expect(await store.listObjects('nope', { maxKeys: 10 })).toEqual({ entries: [], isTruncated: false });
    await expect(store.listObjects('b', { maxKeys: -1 })).rejects.toThrow(/maxKeys/);
  });
});

describe('key order', () => {
  // UTF-8 byte order, which is code point order; JS `<` would put the emoji (a surrogate pair) before U+FFFD.
  const keysInByteOrder = ['a', 'a/b', 'z', '\u007f', 'ä', 'äb', '\u0800', '\uFFFD', '😀', '😀/x', '😁', '\u{10FFFF}'];

  it('sorts keys as UTF-8 bytes, also across pages and prefixes', async () => {
    await putKeys([...keysInByteOrder].reverse());
    expect(names(await list({}))).toEqual(keysInByteOrder);
    expect((await listInPages({}, 1)).names).toEqual(keysInByteOrder);
    expect(names(await list({ prefix: '😀' }))).toEqual(['😀', '😀/x']);
    expect(names(await list({ prefix: 'ä' }))).toEqual(['ä', 'äb']);
    expect(names(await list({ delimiter: '/' }))).toEqual(['a', 'a/ (prefix)', 'z', '\u007f', 'ä', 'äb', '\u0800', '\uFFFD', '😀', '😀/ (prefix)', '😁', '\u{10FFFF}']);
    expect(names(await list({ after: '\uFFFD' }))).toEqual(['😀', '😀/x', '😁', '\u{10FFFF}']);
    expect(names(await list({ prefix: '\u{10FFFF}' }))).toEqual(['\u{10FFFF}']);
  });

  it('compareUtf8 orders by bytes', () => {
    const shuffled = [...keysInByteOrder].sort();
    expect(shuffled).not.toEqual(keysInByteOrder); // JS's own order differs...
    expect(shuffled.sort(compareUtf8)).toEqual(keysInByteOrder); // ...bytes agree
  });

  it('keySuccessor is the smallest string above every key with the prefix', () => {
    expect(keySuccessor('a')).toBe('b');
    expect(keySuccessor('docs/')).toBe('docs0');
    expect(keySuccessor('ÿ')).toBe('Ā');
    expect(keySuccessor('\uD7FF')).toBe('\uE000'); // steps over the surrogate range
    expect(keySuccessor('😀')).toBe('😁');
    expect(keySuccessor('\uFFFF')).toBe('\u{10000}');
    expect(keySuccessor('a\u{10FFFF}\u{10FFFF}')).toBe('b');
    expect(keySuccessor('\u{10FFFF}')).toBeUndefined();
    expect(keySuccessor('')).toBeUndefined();
  });
});

describe('listing cost', () => {
  it('a page costs about maxKeys rows in a 100,000-key bucket, even when a prefix holds 50,000 keys', async () => {
    // Fill through SQL (the store must be closed: it holds the database exclusively); listing reads rows only.
    await store.close();
    const db = new Database(path.join(dataDir, 'metadata.sqlite'));
    const insert = db.prepare("INSERT INTO objects (bucket, key, size, etag, last_modified) VALUES ('b', ?, 0, '\"e\"', 0)");
    db.transaction(() => {
      for (let i = 0; i < 50_000; i++) insert.run(`big/${String(i % 100).padStart(3, '0')}/${String(i).padStart(6, '0')}`);
      for (let i = 0; i < 50_000; i++) insert.run(`small-${String(i).padStart(6, '0')}`);
    })();
    db.close();
    store = Store.open({ dataDir });

    const rowsVisitedBy = async (query: ListQuery) => {
      const before = store.listingRowsVisited;
      const page = await store.listObjects('b', query);
      return { page, rowsVisited: store.listingRowsVisited - before };
    };

    // The 50,000 keys under big/ are one common prefix: one row, one seek past them.
    const root = await rowsVisitedBy({ delimiter: '/', maxKeys: 3 });
    expect(names(root.page)).toEqual(['big/ (prefix)', 'small-000000', 'small-000001']);
    expect(root.rowsVisited).toBe(4);

    // 100 common prefixes of 500 keys each: one row per prefix, plus none for the look-ahead at the end.
    const folders = await rowsVisitedBy({ prefix: 'big/', delimiter: '/', maxKeys: 1000 });
    expect(folders.page.entries).toHaveLength(100);
    expect(folders.page.isTruncated).toBe(false);
    expect(folders.rowsVisited).toBe(100);

    const firstPage = await rowsVisitedBy({ prefix: 'big/', delimiter: '/', maxKeys: 10 });
    expect(firstPage.page.lastReturned).toBe('big/009/');
    const middlePage = await rowsVisitedBy({ prefix: 'big/', delimiter: '/', maxKeys: 10, after: 'big/049/' });
    expect(names(middlePage.page)[0]).toBe('big/050/ (prefix)');
    expect(middlePage.rowsVisited).toBe(11);

    // Without a delimiter a page is a range scan of maxKeys + 1 rows, wherever it starts.
    const deep = await rowsVisitedBy({ prefix: 'big/', maxKeys: 1000, after: 'big/077/' });
    expect(deep.page.entries).toHaveLength(1000);
    expect(deep.rowsVisited).toBe(1001);
  });
});
