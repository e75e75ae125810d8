/**
 * The S3 backend store's multipart uploads and the sweep against a real MinIO: parts 1:1 on
 * backend parts (so the ETag is the backend's), sidecars, completion with and without a
 * precondition, multipart copies mirroring the source's layout, and abort/expiry/leftover
 * collection leaving nothing in the backend.
 */
import { CreateMultipartUploadCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Error } from '../../src/s3/s3-error.js';
import type { S3Store } from '../../src/store/s3-backend/index.js';
import type { PartRecord, UploadRecord } from '../../src/store/types.js';
import { backendContents, bodyOf, freshBucket, heldBody, md5Etag, partOf, random, rawClient, readAll, storeWith, runBackend } from './store-helpers.js';

const minio = runBackend();
let raw: S3Client;

beforeAll(async () => {
  raw = rawClient(minio);
});

afterAll(async () => {
  raw?.destroy();
});

const MiB = 1024 * 1024;

function multipartEtag(parts: readonly PartRecord[]): string {
  const md5 = createHash('md5');
  for (const part of parts) md5.update(Buffer.from(part.etag.replace(/"/g, ''), 'hex'));
  return `"${md5.digest('hex')}-${parts.length}"`;
}

/** An upload of `key` with parts numbered 2 and 5 (5 MiB and 1 KiB), completed. */
async function uploadTwoParts(store: S3Store, bucket: string, key: string): Promise<{ upload: UploadRecord; parts: PartRecord[]; bytes: Buffer }> {
  const upload = await store.createUpload(bucket, key, { contentType: 'x/y', userMetadata: { m: 'v' } }, { algorithm: 'CRC32', type: 'COMPOSITE' });
  const first = random(5 * MiB);
  const second = random(1024);
  const p2 = await store.uploadPart(upload.id, 2, { ...partOf(first), describe: () => ({ etag: md5Etag(first), checksum: 'AAAAAA==' }) });
  const p5 = await store.uploadPart(upload.id, 5, { ...partOf(second), describe: () => ({ etag: md5Etag(second), checksum: 'BBBBBB==' }) });
  return { upload, parts: [p2!, p5!], bytes: Buffer.concat([first, second]) };
}

describe('multipart uploads', () => {
  it('creates, uploads parts, lists them, completes: the ETag is the backend one, the layout kept for part reads', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const { upload, parts, bytes } = await uploadTwoParts(store, bucket, 'big/object');
      expect(upload.id.startsWith('-')).toBe(false);
      expect(upload.id).toMatch(/^[0-9a-f]{32}/);
      expect(await store.getUpload(upload.id)).toEqual(upload);
      expect(await store.getUpload(`${'0'.repeat(32)}${bucket}`)).toBeUndefined();
      expect(await store.getUpload('nonsense')).toBeUndefined();
      const listed = await store.listParts(upload.id);
      expect(listed.map(({ partNumber, size, etag, checksum }) => ({ partNumber, size, etag, checksum }))).toEqual(
        parts.map(({ partNumber, size, etag, checksum }) => ({ partNumber, size, etag, checksum })),
      );
      const uploads: UploadRecord[] = [];
      for await (const open of store.listUploads(bucket, '')) uploads.push(open);
      expect(uploads.map((u) => u.id)).toEqual([upload.id]);

      const etag = multipartEtag(parts);
      const checksum = { algorithm: 'CRC32', value: 'CCCCCC==-2', type: 'COMPOSITE' as const };
      const completion = { parts: '2:x\n5:y', etag, checksum: checksum.value };
      const record = await store.completeUpload(upload, listed, { etag, checksum }, completion);
      expect(record).toMatchObject({ key: 'big/object', etag, size: bytes.length, partsCount: 2, contentType: 'x/y', userMetadata: { m: 'v' }, checksum });
      expect((await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/object' }))).ETag).toBe(etag);
      const read = (await store.getObject(bucket, 'big/object'))!;
      expect(read).toMatchObject({ etag, partsCount: 2, checksum });
      expect(await store.objectParts(read)).toEqual([
        { partNumber: 2, size: 5 * MiB, checksum: 'AAAAAA==' },
        { partNumber: 5, size: 1024, checksum: 'BBBBBB==' },
      ]);
      expect(await readAll(await store.readObject(read, { start: 5 * MiB - 2, end: 5 * MiB + 1 }))).toEqual(bytes.subarray(5 * MiB - 2, 5 * MiB + 2));
      // Completed: kept with its completion for retries, no longer open.
      expect((await store.getUpload(upload.id))?.completion).toEqual(completion);
      expect(await store.completeUpload(upload, listed, { etag, checksum }, completion)).toBeUndefined();
      expect(await store.uploadPart(upload.id, 1, partOf(Buffer.from('late')))).toBeUndefined();
      expect(await store.abortUpload(upload.id)).toBe(false);
      const after: UploadRecord[] = [];
      for await (const open of store.listUploads(bucket, '')) after.push(open);
      expect(after).toEqual([]);
      await expect(store.readParts()).rejects.toThrow(/cannot read the parts/);
    } finally {
      await store.close();
    }
  });

  it('a part whose describe() fails is not stored (not listed, nothing in the backend upload)', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const upload = await store.createUpload(bucket, 'k', { userMetadata: {} });
      const bytes = random(2 * MiB);
      const bad = new S3Error('BadDigest');
      await expect(store.uploadPart(upload.id, 1, { ...partOf(bytes), describe: () => Promise.reject(bad) })).rejects.toBe(bad);
      expect(await store.listParts(upload.id)).toEqual([]);
      const held = heldBody(bytes);
      const err = new S3Error('IncompleteBody');
      const putting = store.uploadPart(upload.id, 1, { body: held.body, size: held.size, describe: () => ({ etag: md5Etag(bytes) }) });
      setTimeout(() => held.fail(err), 100);
      await expect(putting).rejects.toBe(err);
      expect(await store.listParts(upload.id)).toEqual([]);
      // A replaced part lists with its own sidecar.
      await store.uploadPart(upload.id, 1, partOf(Buffer.from('first')));
      await store.uploadPart(upload.id, 1, partOf(Buffer.from('second!')));
      expect((await store.listParts(upload.id)).map((p) => [p.partNumber, p.size, p.etag])).toEqual([[1, 7, md5Etag(Buffer.from('second!'))]]);
    } finally {
      await store.close();
    }
  });

  it('completion with a precondition: If-None-Match refuses an existing object, atomically against another store', async () => {
    const bucket = freshBucket();
    const a = await storeWith(minio, bucket);
    const b = await storeWith(minio, bucket);
    try {
      const upload = await a.createUpload(bucket, 'k', { userMetadata: {} });
      const part = (await a.uploadPart(upload.id, 1, partOf(Buffer.from('data'))))!;
      const etag = multipartEtag([part]);
      const mustNotExist = (existing: unknown) => {
        if (existing) throw new S3Error('PreconditionFailed');
      };
      await b.putObject(bucket, 'k', bodyOf(Buffer.from('there first')));
      await expect(a.completeUpload(upload, [part], { etag }, { parts: '1:x', etag }, mustNotExist)).rejects.toMatchObject({ code: 'PreconditionFailed' });
      expect((await b.getUpload(upload.id))?.completion).toBeUndefined();
      await b.deleteObject(bucket, 'k');
      // Completed through the other store: stateless.
      const record = await b.completeUpload((await b.getUpload(upload.id))!, await b.listParts(upload.id), { etag }, { parts: '1:x', etag }, mustNotExist);
      expect(record?.etag).toBe(etag);
      expect((await a.getObject(bucket, 'k'))?.etag).toBe(etag);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('copies a multipart object by mirroring its layout: same ETag, same parts', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const { upload, parts, bytes } = await uploadTwoParts(store, bucket, 'src');
      const etag = multipartEtag(parts);
      await store.completeUpload(upload, parts, { etag }, { parts: '', etag });
      const copy = await store.copyObject({ bucket, key: 'src' }, { bucket, key: 'dst' }, (s) => ({ userMetadata: { c: '1' }, etag: s!.etag }));
      expect(copy).toMatchObject({ etag, partsCount: 2 });
      expect((await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dst' }))).ETag).toBe(etag);
      const read = (await store.getObject(bucket, 'dst'))!;
      expect(await store.objectParts(read)).toEqual(await store.objectParts((await store.getObject(bucket, 'src'))!));
      expect((await readAll(await store.readObject(read))).equals(bytes)).toBe(true);
      // With a precondition the mirror completes conditionally.
      await expect(
        store.copyObject({ bucket, key: 'src' }, { bucket, key: 'dst' }, (s) => ({ userMetadata: {}, etag: s!.etag }), (existing) => {
          if (existing) throw new S3Error('PreconditionFailed');
        }),
      ).rejects.toMatchObject({ code: 'PreconditionFailed' });
      expect((await backendContents(raw, bucket)).uploads).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('abort, expiry and leftovers leave nothing', () => {
  it('abortUpload removes the backend upload, the record and the sidecars', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const upload = await store.createUpload(bucket, 'k', { userMetadata: {} });
      await store.uploadPart(upload.id, 1, partOf(random(1000)));
      expect(await store.abortUpload(upload.id)).toBe(true);
      expect(await store.abortUpload(upload.id)).toBe(false);
      expect(await store.getUpload(upload.id)).toBeUndefined();
      expect(await backendContents(raw, bucket)).toEqual({ keys: [], uploads: [] });
    } finally {
      await store.close();
    }
  });

  it('expireUploads aborts stale uploads (open and completed) and keeps fresh ones and objects', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const open = await store.createUpload(bucket, 'open', { userMetadata: {} });
      await store.uploadPart(open.id, 1, partOf(random(100)));
      const done = await store.createUpload(bucket, 'done', { userMetadata: {} });
      const part = (await store.uploadPart(done.id, 1, partOf(Buffer.from('d'))))!;
      await store.completeUpload(done, [part], { etag: multipartEtag([part]) }, { parts: '1:x', etag: multipartEtag([part]) });
      expect(await store.expireUploads(new Date(Date.now() - 60_000))).toBe(0);
      expect(await store.getUpload(open.id)).toBeDefined();
      expect(await store.expireUploads(new Date(Date.now() + 60_000))).toBe(2);
      expect(await store.getUpload(open.id)).toBeUndefined();
      expect(await store.getUpload(done.id)).toBeUndefined();
      const { keys, uploads } = await backendContents(raw, bucket);
      expect(uploads).toEqual([]);
      expect(keys.filter((key) => !key.startsWith('.smll-gateway/meta/'))).toEqual(['done']);
      expect((await store.getObject(bucket, 'done'))?.size).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("the sweep collects a crashed gateway's leftovers: orphan metadata, sidecars, backend uploads without a record", async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      await store.putObject(bucket, 'live', bodyOf(Buffer.from('live')));
      await store.putObject(bucket, 'overwritten', bodyOf(Buffer.from('one')));
      await store.putObject(bucket, 'overwritten', bodyOf(Buffer.from('two'))); // leaves the first metadata object
      const orphanGen = 'f'.repeat(32);
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: `.smll-gateway/meta/${orphanGen}`, Body: JSON.stringify({ v: 1, key: 'never-published', etag: '"x"', size: 1, metadata: { userMetadata: {} }, written: new Date().toISOString() }) }));
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: `.smll-gateway/parts/${'e'.repeat(32)}/part-1-abc`, Body: '{"v":1}' }));
      await raw.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'crashed-copy' }));
      const metaBefore = (await backendContents(raw, bucket)).keys.filter((key) => key.startsWith('.smll-gateway/meta/'));
      expect(metaBefore).toHaveLength(4);
      // Not yet an hour old: kept.
      await store.expireUploads(new Date(0));
      expect((await backendContents(raw, bucket)).keys).toHaveLength(7);
      await store.sweep(new Date(0), new Date(Date.now() + 60_000));
      const { keys, uploads } = await backendContents(raw, bucket);
      expect(uploads).toEqual([]);
      expect(keys.filter((key) => !key.startsWith('.smll-gateway/'))).toEqual(['live', 'overwritten']);
      expect(keys.filter((key) => key.startsWith('.smll-gateway/'))).toHaveLength(2);
      expect((await readAll(await store.readObject((await store.getObject(bucket, 'overwritten'))!))).toString()).toBe('two');
      expect((await store.getObject(bucket, 'live'))?.etag).toBe(md5Etag(Buffer.from('live')));
    } finally {
      await store.close();
    }
  });
});
