import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore as Store, type ObjectRecord } from '../../src/store/index.js';
import { INLINE_MAX_BYTES } from '../../src/store/data-dir.js';

let dataDir: string;
let store: Store;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-store-inline-'));
  store = Store.open({ dataDir });
  await store.upsertBucket({ name: 'photos', accessKey: 'AKPHOTOS', secretKey: 'photos-secret', region: 'local' });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A body that arrives in 16 KiB chunks, like a request body. */
function bodyOf(bytes: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16_384) chunks.push(bytes.subarray(offset, offset + 16_384));
  return Readable.from(chunks);
}

async function put(key: string, bytes: Buffer, target: Store = store): Promise<ObjectRecord> {
  const blob = await target.writeBlob(bodyOf(bytes), { mayInline: true });
  return target.commitObject('photos', key, blob, { userMetadata: {}, etag: `"${createHash('md5').update(bytes).digest('hex')}"` });
}

async function bytesOf(record: ObjectRecord, range?: { start: number; end: number }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of store.openObjectStream(record, range)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function blobFiles(): string[] {
  return fs.readdirSync(path.join(dataDir, 'blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

describe('objects kept inline (writeBlob with mayInline)', () => {
  it('keeps a body of up to INLINE_MAX_BYTES in SQLite, with no blob file, and reads it back whole and by range', async () => {
    const bytes = randomBytes(INLINE_MAX_BYTES);
    await put('small', bytes);
    expect(blobFiles()).toHaveLength(0);
    const record = (await store.getObject('photos', 'small'))!;
    expect(record.size).toBe(INLINE_MAX_BYTES);
    expect(await bytesOf(record)).toEqual(bytes);
    expect(await bytesOf(record, { start: 100, end: 20_000 })).toEqual(bytes.subarray(100, 20_001));
    expect(await store.objectParts(record)).toEqual([{ partNumber: 1, size: INLINE_MAX_BYTES }]);
    expect(store.inlineBytes(record)).toEqual(bytes);
    expect(store.inlineBytes(record, { start: 5, end: 9 })).toEqual(bytes.subarray(5, 10));
    expect(() => store.inlineBytes(record, { start: 9, end: 5 })).toThrow(/not within an object/);
    expect(() => store.openObjectStream(record, { start: 0, end: INLINE_MAX_BYTES })).toThrow(/not within an object/);
  });

  it('writes a body one byte over the limit to a blob file, byte-exact across the chunk where it turned', async () => {
    const bytes = randomBytes(INLINE_MAX_BYTES + 1);
    await put('large', bytes);
    expect(blobFiles()).toHaveLength(1);
    expect(await bytesOf((await store.getObject('photos', 'large'))!)).toEqual(bytes);
    expect(store.inlineBytes((await store.getObject('photos', 'large'))!)).toBeUndefined();
  });

  it('keeps an empty body inline', async () => {
    await put('empty', Buffer.alloc(0));
    const record = (await store.getObject('photos', 'empty'))!;
    expect(record.size).toBe(0);
    expect(await bytesOf(record)).toEqual(Buffer.alloc(0));
    expect(blobFiles()).toHaveLength(0);
  });

  it('replaces inline by file and file by inline, unlinking the replaced file', async () => {
    const large = randomBytes(INLINE_MAX_BYTES * 2);
    await put('k', Buffer.from('small one'));
    await put('k', large);
    expect(blobFiles()).toHaveLength(1);
    expect(await bytesOf((await store.getObject('photos', 'k'))!)).toEqual(large);
    await put('k', Buffer.from('small again'));
    expect(blobFiles()).toHaveLength(0);
    expect((await bytesOf((await store.getObject('photos', 'k'))!)).toString()).toBe('small again');
  });

  it('gives a reader the bytes of the record it read, even after an overwrite or delete', async () => {
    await put('k', Buffer.from('first'));
    const first = (await store.getObject('photos', 'k'))!;
    await put('k', Buffer.from('second'));
    await store.deleteObject('photos', 'k');
    expect(await text(store.openObjectStream(first))).toBe('first');
    expect(await store.getObject('photos', 'k')).toBeUndefined();
  });

  it('deletes inline bytes with the object and with emptyBucket', async () => {
    await put('a', Buffer.from('a'));
    await put('b', Buffer.from('b'));
    expect(await store.deleteObject('photos', 'a')).toBe(true);
    expect(await store.deleteObject('photos', 'a')).toBe(false);
    await store.emptyBucket('photos');
    expect(await store.getObject('photos', 'b')).toBeUndefined();
    // Nothing of them is left behind: a new object of the same key starts clean.
    await put('b', Buffer.from('new b'));
    expect(await text(store.openObjectStream((await store.getObject('photos', 'b'))!))).toBe('new b');
  });

  it('changes nothing when the precondition refuses the write', async () => {
    await put('k', Buffer.from('kept'));
    const blob = await store.writeBlob(bodyOf(Buffer.from('refused')), { mayInline: true });
    expect(() =>
      store.commitObject('photos', 'k', blob, { userMetadata: {}, etag: '"x"' }, () => {
        throw new Error('refused by precondition');
      }),
    ).toThrow('refused by precondition');
    expect(await text(store.openObjectStream((await store.getObject('photos', 'k'))!))).toBe('kept');
  });

  it('forgets a discarded inline blob: it can no longer be committed', async () => {
    const blob = await store.writeBlob(bodyOf(Buffer.from('x')), { mayInline: true });
    await store.discardBlob(blob);
    expect(() => store.commitObject('photos', 'k', blob, { userMetadata: {}, etag: '"x"' })).toThrow(/not staged/);
  });

  it('rethrows a body stream error unchanged and stages nothing', async () => {
    const failure = new Error('client went away');
    const body = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(failure);
      },
    });
    await expect(store.writeBlob(body, { mayInline: true })).rejects.toBe(failure);
    expect(fs.readdirSync(path.join(dataDir, 'tmp'))).toHaveLength(0);
  });

  it('copies inline bytes with CopyObject; the copy outlives its source', async () => {
    await put('src', Buffer.from('copied bytes'));
    const copy = await store.copyObject({ bucket: 'photos', key: 'src' }, { bucket: 'photos', key: 'dst' }, (source) => ({
      userMetadata: {},
      etag: source!.etag,
    }));
    expect(await text(store.openObjectStream(copy))).toBe('copied bytes');
    await store.deleteObject('photos', 'src');
    expect(await text(store.openObjectStream((await store.getObject('photos', 'dst'))!))).toBe('copied bytes');
  });

  it('headObject gives the record of an inline or file object without its bytes: objectParts takes it, reading refuses it', async () => {
    await put('small', Buffer.from('inline bytes'));
    await put('large', randomBytes(INLINE_MAX_BYTES + 1));
    const small = (await store.headObject('photos', 'small'))!;
    expect(small).toEqual(await store.getObject('photos', 'small'));
    expect(await store.objectParts(small)).toEqual([{ partNumber: 1, size: 12 }]);
    expect(() => store.openObjectStream(small)).toThrow(/headObject, which reads no bytes/);
    await expect(store.readObject(small)).rejects.toThrow(/headObject, which reads no bytes/);
    const large = (await store.headObject('photos', 'large'))!;
    expect(await store.objectParts(large)).toEqual([{ partNumber: 1, size: INLINE_MAX_BYTES + 1 }]);
    expect(await store.headObject('photos', 'missing')).toBeUndefined();
  });

  it('keeps inline objects across close and reopen', async () => {
    await put('k', Buffer.from('persisted'));
    await store.close();
    store = Store.open({ dataDir });
    expect(await text(store.openObjectStream((await store.getObject('photos', 'k'))!))).toBe('persisted');
  });
});
