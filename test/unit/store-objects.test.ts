import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { S3Error } from '../../src/s3/s3-error.js';
import { SqliteStore as Store, type ObjectMetadata, type ObjectRecord } from '../../src/store/index.js';

let dataDir: string;
let store: Store;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-store-objects-'));
  store = Store.open({ dataDir });
  await store.upsertBucket({ name: 'photos', accessKey: 'AKPHOTOS', secretKey: 'photos-secret', region: 'local' });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function md5Etag(bytes: Buffer): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

/** A body that arrives in several chunks, like a request body. */
function bodyOf(bytes: Buffer, chunkSize = 65_536): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) chunks.push(bytes.subarray(offset, offset + chunkSize));
  return Readable.from(chunks);
}

async function put(key: string, bytes: Buffer, meta: Partial<ObjectMetadata> = {}, target: Store = store): Promise<ObjectRecord> {
  const blob = await target.writeBlob(bodyOf(bytes));
  return target.commitObject('photos', key, blob, { userMetadata: {}, ...meta, etag: md5Etag(bytes) });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Buffer.equals: vitest's toEqual walks a Buffer element by element, far too slowly for megabytes. */
function expectSameBytes(actual: Buffer, expected: Buffer): void {
  expect({ size: actual.length, equal: actual.equals(expected) }).toEqual({ size: expected.length, equal: true });
}

function randomBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

function blobFiles(): string[] {
  const blobsDir = path.join(dataDir, 'blobs');
  return fs.readdirSync(blobsDir).flatMap((shard) => fs.readdirSync(path.join(blobsDir, shard)));
}

function tempFiles(): string[] {
  return fs.readdirSync(path.join(dataDir, 'tmp'));
}

describe('buckets', () => {
  it('inserts, looks up by name and access key, lists by name, and updates keys keeping createdAt', async () => {
    const archive = await store.upsertBucket({ name: 'archive', accessKey: 'AKARCHIVE', secretKey: 's1', region: 'eu-1' });
    expect(archive).toEqual({ name: 'archive', accessKey: 'AKARCHIVE', secretKey: 's1', region: 'eu-1', createdAt: expect.any(Date) });
    expect(await store.getBucket('archive')).toEqual(archive);
    expect(await store.findBucketByAccessKey('AKARCHIVE')).toEqual(archive);
    expect((await store.listBuckets()).map((bucket) => bucket.name)).toEqual(['archive', 'photos']);

    const rotated = await store.upsertBucket({ name: 'archive', accessKey: 'AKROTATED', secretKey: 's2', region: 'eu-2' });
    expect(rotated).toEqual({ ...archive, accessKey: 'AKROTATED', secretKey: 's2', region: 'eu-2' });
    expect(await store.findBucketByAccessKey('AKARCHIVE')).toBeUndefined();
    expect(await store.getBucket('missing')).toBeUndefined();
  });

  it('refuses an access key that another bucket already has', async () => {
    await expect(store.upsertBucket({ name: 'other', accessKey: 'AKPHOTOS', secretKey: 'x', region: 'local' })).rejects.toThrow(/UNIQUE/);
  });
});

describe('objects', () => {
  it('round-trips bytes and every metadata field, across a reopen', async () => {
    const bytes = randomBytes(300_000, 1);
    const meta: ObjectMetadata = {
      contentType: 'image/png',
      cacheControl: 'max-age=60',
      contentDisposition: 'attachment; filename="a.png"',
      contentEncoding: 'identity',
      contentLanguage: 'de',
      expires: 'Wed, 21 Oct 2035 07:28:00 GMT',
      userMetadata: { camera: 'x100', 'taken-at': 'dawn' },
      checksum: { algorithm: 'CRC32', value: 'AAAAAA==', type: 'FULL_OBJECT' },
    };
    const committed = await put('a/b.png', bytes, meta);
    expect(committed).toEqual({ ...meta, bucket: 'photos', key: 'a/b.png', size: bytes.length, etag: md5Etag(bytes), lastModified: expect.any(Date) });

    const read = (await store.getObject('photos', 'a/b.png'))!;
    expect(read).toEqual(committed);
    expectSameBytes(await readAll(store.openObjectStream(read)), bytes);
    expectSameBytes(await readAll(store.openObjectStream(committed)), bytes);

    await store.close();
    store = Store.open({ dataDir });
    const reopened = (await store.getObject('photos', 'a/b.png'))!;
    expect(reopened).toEqual(committed);
    expectSameBytes(await readAll(store.openObjectStream(reopened)), bytes);
  });

  it('leaves absent metadata absent rather than undefined', async () => {
    const record = await put('plain', Buffer.from('x'));
    expect(Object.keys(record).sort()).toEqual(['bucket', 'etag', 'key', 'lastModified', 'size', 'userMetadata']);
  });

  it('stores an empty object', async () => {
    const record = await put('empty', Buffer.alloc(0));
    expect(record.size).toBe(0);
    expect(await readAll(store.openObjectStream((await store.getObject('photos', 'empty'))!))).toEqual(Buffer.alloc(0));
  });

  it('keeps objects of different buckets apart', async () => {
    await store.upsertBucket({ name: 'other', accessKey: 'AKOTHER', secretKey: 'x', region: 'local' });
    await put('same-key', Buffer.from('photos'));
    expect(await store.getObject('other', 'same-key')).toBeUndefined();
  });

  it('overwriting replaces the data and removes the old blob file', async () => {
    await put('k', Buffer.from('old'));
    const [oldBlob] = blobFiles();
    await put('k', Buffer.from('new!'));
    const files = blobFiles();
    expect(files).toHaveLength(1);
    expect(files).not.toContain(oldBlob);
    const record = (await store.getObject('photos', 'k'))!;
    expect(record.size).toBe(4);
    expect((await readAll(store.openObjectStream(record))).toString()).toBe('new!');
  });

  it('runs the precondition on the current object, inside the commit', async () => {
    const seen: Array<ObjectRecord | undefined> = [];
    const blob = await store.writeBlob(bodyOf(Buffer.from('first')));
    store.commitObject('photos', 'k', blob, { userMetadata: {}, etag: '"1"' }, (existing) => seen.push(existing));
    const second = await store.writeBlob(bodyOf(Buffer.from('second')));
    store.commitObject('photos', 'k', second, { userMetadata: {}, etag: '"2"' }, (existing) => seen.push(existing));
    expect(seen).toEqual([undefined, expect.objectContaining({ key: 'k', etag: '"1"', size: 5 })]);
  });

  it('a throwing precondition leaves the old object, no new blob, and rethrows the same error', async () => {
    const original = await put('k', Buffer.from('original'));
    const blob = await store.writeBlob(bodyOf(Buffer.from('refused')));
    const refusal = new S3Error('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
    let thrown: unknown;
    try {
      store.commitObject('photos', 'k', blob, { userMetadata: {}, etag: '"x"' }, () => {
        throw refusal;
      });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBe(refusal);
    const current = (await store.getObject('photos', 'k'))!;
    expect(current).toEqual(original);
    expect((await readAll(store.openObjectStream(current))).toString()).toBe('original');
    expect(blobFiles()).toHaveLength(1);
    expect(tempFiles()).toEqual([]);
    expect(() => store.commitObject('photos', 'k', blob, { userMetadata: {}, etag: '"x"' })).toThrow(/already committed or discarded/);
  });

  it('a refused first write leaves no object', async () => {
    const blob = await store.writeBlob(bodyOf(Buffer.from('x')));
    expect(() =>
      store.commitObject('photos', 'new', blob, { userMetadata: {}, etag: '"x"' }, () => {
        throw new S3Error('PreconditionFailed');
      }),
    ).toThrow(S3Error);
    expect(await store.getObject('photos', 'new')).toBeUndefined();
    expect(blobFiles()).toEqual([]);
  });

  it('serves byte ranges, inclusive at both ends', async () => {
    const bytes = randomBytes(200_000, 2);
    const record = await put('ranged', bytes);
    for (const [start, end] of [
      [0, 0],
      [0, 99],
      [199_999, 199_999],
      [65_530, 131_080],
      [0, 199_999],
    ] as const) {
      expectSameBytes(await readAll(store.openObjectStream(record, { start, end })), bytes.subarray(start, end + 1));
    }
    expect(() => store.openObjectStream(record, { start: 10, end: 200_000 })).toThrow(/not within/);
    expect(() => store.openObjectStream(record, { start: 10, end: 9 })).toThrow(/not within/);
    expect(() => store.openObjectStream(record, { start: -1, end: 9 })).toThrow(/not within/);
  });

  it('a reader keeps the old bytes, whole, while the object is overwritten and then deleted', async () => {
    const oldBytes = randomBytes(4 * 1024 * 1024, 3);
    await put('busy', oldBytes);
    const record = (await store.getObject('photos', 'busy'))!;
    const unstarted = store.openObjectStream(record);
    const started = store.openObjectStream(record)[Symbol.asyncIterator]();
    const chunks = [(await started.next()).value as Buffer];

    await put('busy', randomBytes(4 * 1024 * 1024, 4));
    expect(await store.deleteObject('photos', 'busy')).toBe(true);
    // The new object's file is gone; the old one stays until its readers are done with it.
    expect(blobFiles()).toHaveLength(1);

    for (let next = await started.next(); !next.done; next = await started.next()) chunks.push(next.value as Buffer);
    expectSameBytes(Buffer.concat(chunks), oldBytes);
    expectSameBytes(await readAll(unstarted), oldBytes);
    await vi.waitFor(() => expect(blobFiles()).toEqual([]));
  });

  it('refuses a record it did not hand out (a copy carries no data reference)', async () => {
    const record = await put('k', Buffer.from('x'));
    expect(() => store.openObjectStream({ ...record })).toThrow(/must come from getObject or commitObject/);
  });

  it('deletes: row and blob gone, and reports whether the object existed', async () => {
    await put('doomed', Buffer.from('bye'));
    expect(await store.deleteObject('photos', 'doomed')).toBe(true);
    expect(await store.getObject('photos', 'doomed')).toBeUndefined();
    expect(blobFiles()).toEqual([]);
    expect(await store.deleteObject('photos', 'doomed')).toBe(false);
  });

  it('emptyBucket removes that bucket’s objects and blobs only', async () => {
    await store.upsertBucket({ name: 'keep', accessKey: 'AKKEEP', secretKey: 'x', region: 'local' });
    for (let i = 0; i < 20; i++) await put(`k${i}`, Buffer.from(String(i)));
    const kept = await store.writeBlob(bodyOf(Buffer.from('kept')));
    store.commitObject('keep', 'k0', kept, { userMetadata: {}, etag: '"k"' });

    await store.emptyBucket('photos');
    expect((await store.listObjects('photos', { maxKeys: 1000 })).entries).toEqual([]);
    expect(blobFiles()).toHaveLength(1);
    const survivor = (await store.getObject('keep', 'k0'))!;
    expect((await readAll(store.openObjectStream(survivor))).toString()).toBe('kept');
  });
});

describe('staged blobs', () => {
  it('tracks the size of a streamed body without buffering it whole', async () => {
    const body = new PassThrough();
    const staged = store.writeBlob(body);
    for (let i = 0; i < 64; i++) body.write(randomBytes(16_384, i));
    body.end();
    expect((await staged).size).toBe(64 * 16_384);
    expect(tempFiles()).toHaveLength(1);
  });

  it('on a stream error deletes the temp file and rethrows that very error', async () => {
    const failure = new Error('client went away');
    const body = new PassThrough();
    const staged = store.writeBlob(body);
    body.write(randomBytes(100_000, 5));
    setTimeout(() => body.destroy(failure), 20);
    await expect(staged).rejects.toBe(failure);
    expect(tempFiles()).toEqual([]);
  });

  it('a body that fails before its temp file is open rejects the write with that error (no uncaught error event)', async () => {
    const failure = new Error('client went away');
    const body = new PassThrough();
    const staged = store.writeBlob(body);
    body.destroy(failure);
    await expect(staged).rejects.toBe(failure);
    expect(tempFiles()).toEqual([]);
  });

  it('a write that completes after its data dir was removed fails instead of making the data dir again', async () => {
    await store.upsertBucket({ name: 'gone', accessKey: 'AKGONE', secretKey: 'x', region: 'local' });
    const blob = await store.writeBlob(bodyOf(randomBytes(100_000, 9)));
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(() => store.commitObject('gone', 'k', blob, { userMetadata: {}, etag: '"x"' })).toThrow(/ENOENT/);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('discardBlob removes the temp file; the blob can then not be committed; discarding twice is harmless', async () => {
    const blob = await store.writeBlob(bodyOf(Buffer.from('draft')));
    await store.discardBlob(blob);
    expect(tempFiles()).toEqual([]);
    expect(() => store.commitObject('photos', 'k', blob, { userMetadata: {}, etag: '"x"' })).toThrow(/already committed or discarded/);
    await store.discardBlob(blob);
  });

  it('a blob staged by one store cannot be committed by another', async () => {
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-store-other-'));
    const other = Store.open({ dataDir: otherDir });
    try {
      const blob = await other.writeBlob(bodyOf(Buffer.from('x')));
      expect(() => store.commitObject('photos', 'k', blob, { userMetadata: {}, etag: '"x"' })).toThrow(/not staged by this store/);
    } finally {
      await other.close();
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });
});

describe('data directory', () => {
  it('durable mode stores and reads back the same way', async () => {
    await store.close();
    store = Store.open({ dataDir, durable: true });
    const bytes = randomBytes(100_000, 6);
    await put('durable', bytes);
    await store.close();
    store = Store.open({ dataDir, durable: true });
    expectSameBytes(await readAll(store.openObjectStream((await store.getObject('photos', 'durable'))!)), bytes);
  });

  it('cannot be opened twice at once, also when the schema needed no migration', async () => {
    expect(() => Store.open({ dataDir })).toThrow(/in use by another store/);
    await store.close();
    store = Store.open({ dataDir });
    expect(() => Store.open({ dataDir })).toThrow(/in use by another store/);
    // The failed open touched nothing: this store still works.
    expect(await store.getBucket('photos')).toBeDefined();
  });

  it('refuses a schema newer than this code', async () => {
    await store.close();
    const schemaVersion = (version?: number) => {
      const db = new Database(path.join(dataDir, 'metadata.sqlite'));
      if (version !== undefined) db.pragma(`user_version = ${version}`);
      const current = db.pragma('user_version', { simple: true }) as number;
      db.close();
      return current;
    };
    const current = schemaVersion();
    schemaVersion(99);
    expect(() => Store.open({ dataDir })).toThrow(/schema version 99 is newer/);
    schemaVersion(current);
    store = Store.open({ dataDir });
  });
});
