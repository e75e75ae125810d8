import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore as Store, type PartRecord, type UploadRecord } from '../../src/store/index.js';

let dataDir: string;
let store: Store;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-store-multipart-'));
  store = Store.open({ dataDir });
  await store.upsertBucket({ name: 'b', accessKey: 'AKB', secretKey: 'secret', region: 'local' });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function blobFiles(): number {
  const blobs = path.join(dataDir, 'blobs');
  return fs.readdirSync(blobs).reduce((count, shard) => count + fs.readdirSync(path.join(blobs, shard)).length, 0);
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function part(upload: UploadRecord, partNumber: number, text: string): Promise<PartRecord> {
  const blob = await store.writeBlob(Readable.from([Buffer.from(text)]));
  const record = store.commitPart(upload.id, partNumber, blob, { etag: `"etag-${text}"` });
  if (!record) throw new Error('upload not open');
  return record;
}

const complete = (upload: UploadRecord, parts: PartRecord[]) =>
  store.completeUpload(upload, parts, { etag: '"done-2"' }, { parts: 'list', etag: '"done-2"' });

describe('Store multipart uploads', () => {
  it('keeps the number each part was uploaded with: completed from 1 and 3, the parts are 1 and 3 (also once reopened, and in a copy)', async () => {
    const upload = await store.createUpload('b', 'gapped', { userMetadata: {} });
    const one = await part(upload, 1, 'one ');
    await part(upload, 2, 'left out');
    const three = await part(upload, 3, 'three');
    const expected = [
      { partNumber: 1, size: 4 },
      { partNumber: 3, size: 5 },
    ];
    expect(await store.objectParts((await complete(upload, [one, three]))!)).toEqual(expected);
    await store.copyObject({ bucket: 'b', key: 'gapped' }, { bucket: 'b', key: 'gapped-copy' }, () => ({ userMetadata: {}, etag: '"done-2"' }));
    await store.close();
    store = Store.open({ dataDir });
    expect(await store.objectParts((await store.getObject('b', 'gapped'))!)).toEqual(expected);
    expect(await store.objectParts((await store.getObject('b', 'gapped-copy'))!)).toEqual(expected);
    expect(await readAll(store.openObjectStream((await store.getObject('b', 'gapped'))!))).toBe('one three');
  });

  it('opens a data directory of schema 3 (no part numbers kept): numbers come back from a kept completion, else parts read by position', async () => {
    const gapped = async (key: string) => {
      const upload = await store.createUpload('b', key, { userMetadata: {} });
      const one = await part(upload, 1, 'one ');
      const three = await part(upload, 3, 'three');
      await store.completeUpload(upload, [one, three], { etag: `"${key}-2"` }, { parts: '1:"etag-one "\n3:"etag-three"', etag: `"${key}-2"` });
      return upload;
    };
    await gapped('kept');
    const expired = await gapped('expired');
    await part((await store.createUpload('b', 'open', { userMetadata: {} })), 1, 'open part');
    await store.writeBlob(Readable.from([Buffer.from('single')])).then((blob) => store.commitObject('b', 'single', blob, { userMetadata: {}, etag: '"s"' }));
    await store.close();
    // What schema 3 stored: object_blobs without part_number; one completion no longer kept.
    const db = new Database(path.join(dataDir, 'metadata.sqlite'));
    db.exec('ALTER TABLE object_blobs DROP COLUMN part_number');
    db.exec('ALTER TABLE upload_parts DROP COLUMN crc64nvme');
    db.prepare('DELETE FROM multipart_uploads WHERE id = ?').run(expired.id);
    db.pragma('user_version = 3');
    db.close();

    store = Store.open({ dataDir });
    expect(await store.objectParts((await store.getObject('b', 'kept'))!)).toEqual([
      { partNumber: 1, size: 4 },
      { partNumber: 3, size: 5 },
    ]);
    expect(await store.objectParts((await store.getObject('b', 'expired'))!)).toEqual([
      { partNumber: 1, size: 4 },
      { partNumber: 2, size: 5 },
    ]);
    expect(await store.objectParts((await store.getObject('b', 'single'))!)).toEqual([{ partNumber: 1, size: 6 }]);
    for (const key of ['kept', 'expired']) expect(await readAll(store.openObjectStream((await store.getObject('b', key))!))).toBe('one three');
    // New completions keep their numbers in the migrated database.
    const next = await store.createUpload('b', 'new', { userMetadata: {} });
    const two = await part(next, 2, 'two');
    expect(await store.objectParts((await complete(next, [two]))!)).toEqual([{ partNumber: 2, size: 3 }]);
  });

  it('makes upload ids that no command-line client can mistake for an option (never a leading "-")', async () => {
    const ids = await Promise.all(Array.from({ length: 200 }, async () => (await store.createUpload('b', 'ids', { userMetadata: {} })).id));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('completes into an object made of the part files, dropping unnamed parts and keeping the result for retries', async () => {
    const upload = await store.createUpload('b', 'k', { userMetadata: { a: '1' }, contentType: 'text/plain' });
    const one = await part(upload, 1, 'one ');
    const two = await part(upload, 2, 'two');
    await part(upload, 3, 'unused');
    expect(blobFiles()).toBe(3);
    const record = (await complete(upload, [one, two]))!;
    expect(record).toMatchObject({ size: 7, etag: '"done-2"', partsCount: 2, contentType: 'text/plain', userMetadata: { a: '1' } });
    expect(blobFiles()).toBe(2);
    expect(await readAll(store.openObjectStream((await store.getObject('b', 'k'))!))).toBe('one two');
    expect((await store.objectParts((await store.getObject('b', 'k'))!)).map((p) => p.size)).toEqual([4, 3]);
    expect((await store.getUpload(upload.id))?.completion).toEqual({ parts: 'list', etag: '"done-2"' });
    // A completed upload takes no more parts, no second completion and no abort.
    const late = await store.writeBlob(Readable.from([Buffer.from('late')]));
    expect(store.commitPart(upload.id, 4, late, { etag: '"x"' })).toBeUndefined();
    expect(await complete(upload, [one])).toBeUndefined();
    expect(await store.abortUpload(upload.id)).toBe(false);
    expect(blobFiles()).toBe(2);
  });

  it('refuses to complete with a part that was replaced meanwhile, and unlinks a replaced part', async () => {
    const upload = await store.createUpload('b', 'k', { userMetadata: {} });
    const first = await part(upload, 1, 'first');
    await part(upload, 1, 'second');
    expect(blobFiles()).toBe(1);
    expect(await complete(upload, [first])).toBeUndefined();
    expect(await store.getObject('b', 'k')).toBeUndefined();
    expect((await store.listParts(upload.id)).map((p) => p.etag)).toEqual(['"etag-second"']);
  });

  it('a copy shares the blobs: the file goes only with the last object that uses it', async () => {
    const upload = await store.createUpload('b', 'src', { userMetadata: {} });
    await complete(upload, [await part(upload, 1, 'shared')]);
    await store.copyObject({ bucket: 'b', key: 'src' }, { bucket: 'b', key: 'dst' }, (source) => ({ userMetadata: {}, etag: source!.etag }));
    await store.deleteObject('b', 'src');
    expect(blobFiles()).toBe(1);
    expect(await readAll(store.openObjectStream((await store.getObject('b', 'dst'))!))).toBe('shared');
    expect((await store.getObject('b', 'dst'))?.partsCount).toBe(1);
    await store.deleteObject('b', 'dst');
    expect(blobFiles()).toBe(0);
  });

  it('expires uploads older than the cutoff, open or completed, with their parts; emptyBucket drops uploads too', async () => {
    const open = await store.createUpload('b', 'open', { userMetadata: {} });
    await part(open, 1, 'abandoned');
    const done = await store.createUpload('b', 'done', { userMetadata: {} });
    await complete(done, [await part(done, 1, 'kept as object')]);
    expect(await store.expireUploads(new Date(Date.now() - 60_000))).toBe(0);
    expect(await store.expireUploads(new Date(Date.now() + 1))).toBe(2);
    expect(await store.getUpload(open.id)).toBeUndefined();
    expect(await store.getUpload(done.id)).toBeUndefined();
    // The completed upload's object keeps its data.
    expect(blobFiles()).toBe(1);
    expect(await readAll(store.openObjectStream((await store.getObject('b', 'done'))!))).toBe('kept as object');

    const another = await store.createUpload('b', 'another', { userMetadata: {} });
    await part(another, 1, 'gone with reset');
    await store.emptyBucket('b');
    expect(await store.getUpload(another.id)).toBeUndefined();
    expect(blobFiles()).toBe(0);
  });

  it.runIf(fs.existsSync('/proc/self/fd'))('reads an object of many parts with one of its files open at a time', async () => {
    const upload = await store.createUpload('b', 'many', { userMetadata: {} });
    const parts: PartRecord[] = [];
    for (let partNumber = 1; partNumber <= 300; partNumber++) parts.push(await part(upload, partNumber, `${partNumber};`));
    await complete(upload, parts);
    const openFds = () => fs.readdirSync('/proc/self/fd').length;
    const before = openFds();
    const stream = store.openObjectStream((await store.getObject('b', 'many'))!);
    // Deleting the object while it is read takes nothing from the reader; its files go afterwards.
    await store.deleteObject('b', 'many');
    let mostOpen = openFds() - before;
    let text = '';
    for await (const chunk of stream) {
      mostOpen = Math.max(mostOpen, openFds() - before);
      text += (chunk as Buffer).toString();
    }
    expect(text).toBe(Array.from({ length: 300 }, (_, i) => `${i + 1};`).join(''));
    expect(mostOpen).toBeLessThanOrEqual(2);
    await vi.waitFor(() => expect(blobFiles()).toBe(0));
  });

  it('part files are not orphans: a reopened store keeps them', async () => {
    const upload = await store.createUpload('b', 'k', { userMetadata: {} });
    await part(upload, 1, 'survives');
    await store.close();
    store = Store.open({ dataDir });
    expect(blobFiles()).toBe(1);
    const [survivor] = await store.listParts(upload.id);
    expect(await readAll(store.openPartsStream([survivor]))).toBe('survives');
  });
});
