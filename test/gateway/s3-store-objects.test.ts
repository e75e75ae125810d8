/**
 * The S3 backend store's objects against a real MinIO: every object method, what the backend
 * holds after a write that fails a check (nothing), conditional writes as compare-and-swaps
 * (including a race between two stores), and two stores over one backend seeing each other's writes.
 */
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Error } from '../../src/s3/s3-error.js';
import { RESERVED_PREFIX, isReservedKey, openS3Store } from '../../src/store/s3-backend/index.js';
import type { ObjectRecord, Precondition } from '../../src/store/types.js';
import { backendContents, backendOptions, bodyOf, freshBucket, heldBody, md5Etag, random, rawClient, readAll, storeWith, runBackend, until } from './store-helpers.js';

const minio = runBackend();
let raw: S3Client;

beforeAll(async () => {
  raw = rawClient(minio);
});

afterAll(async () => {
  raw?.destroy();
});

const mustNotExist: Precondition = (existing) => {
  if (existing) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
};
const mustMatch =
  (etag: string): Precondition =>
  (existing) => {
    if (!existing) throw new S3Error('NoSuchKey');
    if (existing.etag !== etag) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  };

async function rejection(promise: Promise<unknown>): Promise<S3Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(S3Error);
  return err as S3Error;
}

describe('openS3Store', () => {
  it('refuses wrong backend credentials and an endpoint that does not answer, saying what to fix', async () => {
    await expect(openS3Store(backendOptions(minio, { secretAccessKey: 'wrong-secret' }))).rejects.toThrow(/refused the backend credentials.*SMLL_BACKEND_SECRET_KEY/);
    await expect(openS3Store(backendOptions(minio, { endpoint: 'http://127.0.0.1:9' }))).rejects.toThrow(/did not answer.*--backend-endpoint/);
  });

  it('exports the reserved prefix and its test', () => {
    expect(RESERVED_PREFIX).toBe('.smll-gateway/');
    expect(isReservedKey('.smll-gateway/meta/x')).toBe(true);
    expect(isReservedKey('.smll-gatewayx')).toBe(false);
    expect(isReservedKey('a/.smll-gateway/')).toBe(false);
  });
});

describe('buckets: configuration only, backend buckets created', () => {
  it('creates the backend bucket (with the prefix), keeps records in memory, refuses a taken access key', async () => {
    const bucket = freshBucket();
    const store = await openS3Store(backendOptions(minio, { bucketPrefix: 'pre-' }));
    try {
      const record = await store.upsertBucket({ name: bucket, accessKey: 'AK1', secretKey: 's1', region: 'us-east-1' });
      expect(await backendContents(raw, `pre-${bucket}`)).toEqual({ keys: [], uploads: [] });
      const again = await store.upsertBucket({ name: bucket, accessKey: 'AK2', secretKey: 's2', region: 'us-east-1' });
      expect(again.createdAt).toEqual(record.createdAt);
      expect(await store.findBucketByAccessKey('AK1')).toBeUndefined();
      expect((await store.findBucketByAccessKey('AK2'))?.name).toBe(bucket);
      expect((await store.getBucket(bucket))?.secretKey).toBe('s2');
      await expect(store.upsertBucket({ name: `${bucket}-b`, accessKey: 'AK2', secretKey: 's', region: 'us-east-1' })).rejects.toThrow(/already belongs/);
      expect((await store.listBuckets()).map((b) => b.name)).toEqual([bucket]);
    } finally {
      await store.close();
    }
  });
});

describe('objects', () => {
  it('puts, reads (whole, ranges), heads, lists parts and deletes; the backend ETag is the MD5', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const bytes = random(300_000);
      const checksum = { algorithm: 'CRC64NVME', value: 'abcdefghijk=', type: 'FULL_OBJECT' as const };
      const put = await store.putObject(bucket, 'dir/ü ключ.bin', {
        ...bodyOf(bytes, { contentType: 'application/x-test', contentDisposition: 'attachment; filename="é.bin"', userMetadata: { colour: 'grün', a: 'b' }, checksum }),
      });
      expect(put.etag).toBe(md5Etag(bytes));
      const head = await store.headObject(bucket, 'dir/ü ключ.bin');
      expect(head).toMatchObject({
        bucket,
        key: 'dir/ü ключ.bin',
        size: bytes.length,
        etag: md5Etag(bytes),
        contentType: 'application/x-test',
        contentDisposition: 'attachment; filename="é.bin"',
        userMetadata: { colour: 'grün', a: 'b' },
        checksum,
      });
      expect(head!.partsCount).toBeUndefined();
      const backendHead = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dir/ü ключ.bin' }));
      expect(backendHead.ETag).toBe(md5Etag(bytes));
      const record = (await store.getObject(bucket, 'dir/ü ключ.bin'))!;
      expect(await readAll(await store.readObject(record))).toEqual(bytes);
      expect(await readAll(await store.readObject(record, { start: 10, end: 19 }))).toEqual(bytes.subarray(10, 20));
      await expect(store.readObject(record, { start: 0, end: bytes.length })).rejects.toThrow(/not within/);
      expect(await store.objectParts(record)).toEqual([{ partNumber: 1, size: bytes.length }]);
      await expect(store.readObject({ ...record })).rejects.toThrow(/must come from this store/);

      expect(await store.deleteObject(bucket, 'dir/ü ключ.bin')).toBe(true);
      expect(await store.deleteObject(bucket, 'dir/ü ключ.bin')).toBe(false);
      expect(await store.getObject(bucket, 'dir/ü ключ.bin')).toBeUndefined();
      // The metadata object went with it.
      expect(await backendContents(raw, bucket)).toEqual({ keys: [], uploads: [] });
    } finally {
      await store.close();
    }
  });

  it('stores an empty body, and a body of unknown length (spooled first)', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const empty = await store.putObject(bucket, 'empty', bodyOf(Buffer.alloc(0)));
      expect(empty.size).toBe(0);
      expect(await readAll(await store.readObject((await store.getObject(bucket, 'empty'))!))).toEqual(Buffer.alloc(0));
      const bytes = random(200_000);
      const { body, describe } = bodyOf(bytes);
      await store.putObject(bucket, 'unknown-length', { body, describe });
      const record = (await store.getObject(bucket, 'unknown-length'))!;
      expect(record.size).toBe(bytes.length);
      expect(await readAll(await store.readObject(record))).toEqual(bytes);
    } finally {
      await store.close();
    }
  });

  it('answers undefined for reserved keys, and keeps them out of the way of deletes', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      await store.putObject(bucket, 'k', bodyOf(Buffer.from('x')));
      const { keys } = await backendContents(raw, bucket);
      const metaKey = keys.find((key) => key.startsWith(`${RESERVED_PREFIX}meta/`))!;
      expect(metaKey).toBeDefined();
      expect(await store.getObject(bucket, metaKey)).toBeUndefined();
      expect(await store.headObject(bucket, metaKey)).toBeUndefined();
      expect(await store.deleteObject(bucket, metaKey)).toBe(false);
      expect((await backendContents(raw, bucket)).keys).toContain(metaKey);
    } finally {
      await store.close();
    }
  });

  it('shows an object another tool wrote (no smll-gen) from the backend headers', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'foreign', Body: 'hello', ContentType: 'text/plain', Metadata: { who: 'mc' } }));
      const record = (await store.getObject(bucket, 'foreign'))!;
      expect(record).toMatchObject({ size: 5, etag: md5Etag(Buffer.from('hello')), contentType: 'text/plain', userMetadata: { who: 'mc' } });
      expect((await readAll(await store.readObject(record))).toString()).toBe('hello');
    } finally {
      await store.close();
    }
  });

  it('a record whose object was replaced since cannot be read: 503, retryable', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      await store.putObject(bucket, 'k', bodyOf(Buffer.from('one')));
      const old = (await store.getObject(bucket, 'k'))!;
      await store.putObject(bucket, 'k', bodyOf(Buffer.from('two')));
      expect((await rejection(store.readObject(old))).status).toBe(503);
    } finally {
      await store.close();
    }
  });
});

describe('a write that fails a check leaves nothing in the backend', () => {
  it('describe() throwing after the whole body streamed: no data object, no metadata object, the old object kept', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      await store.putObject(bucket, 'k', bodyOf(Buffer.from('old')));
      const before = await backendContents(raw, bucket);
      const bytes = random(3 * 1024 * 1024);
      const bad = new S3Error('BadDigest');
      await expect(store.putObject(bucket, 'k', { ...bodyOf(bytes), describe: () => Promise.reject(bad) })).rejects.toBe(bad);
      await expect(store.putObject(bucket, 'new', { ...bodyOf(bytes), describe: () => Promise.reject(bad) })).rejects.toBe(bad);
      expect(await backendContents(raw, bucket)).toEqual(before);
      const kept = (await store.getObject(bucket, 'k'))!;
      expect((await readAll(await store.readObject(kept))).toString()).toBe('old');
    } finally {
      await store.close();
    }
  });

  it('the body failing midway (a bad chunk signature): rejected with that error, nothing stored', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const bytes = random(1024 * 1024);
      const held = heldBody(bytes);
      const err = new S3Error('SignatureDoesNotMatch');
      const putting = store.putObject(bucket, 'k', { body: held.body, size: held.size, describe: () => ({ userMetadata: {}, etag: md5Etag(bytes) }) });
      setTimeout(() => held.fail(err), 200);
      await expect(putting).rejects.toBe(err);
      expect(await backendContents(raw, bucket)).toEqual({ keys: [], uploads: [] });
    } finally {
      await store.close();
    }
  });

  it('the object is not visible before its last byte, and is after', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const bytes = random(512 * 1024);
      const held = heldBody(bytes);
      let described = false;
      const putting = store.putObject(bucket, 'k', {
        body: held.body,
        size: held.size,
        describe: () => {
          described = true;
          return { userMetadata: {}, etag: md5Etag(bytes) };
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(described).toBe(false);
      expect(await store.getObject(bucket, 'k')).toBeUndefined();
      held.release();
      await putting;
      expect((await store.getObject(bucket, 'k'))?.etag).toBe(md5Etag(bytes));
    } finally {
      await store.close();
    }
  });

  it('a precondition that fails leaves nothing and rejects with its error', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      await store.putObject(bucket, 'k', bodyOf(Buffer.from('old')));
      const before = await backendContents(raw, bucket);
      const err = await rejection(store.putObject(bucket, 'k', { ...bodyOf(random(100_000)), precondition: mustNotExist }));
      expect(err.code).toBe('PreconditionFailed');
      expect((await rejection(store.putObject(bucket, 'absent', { ...bodyOf(random(10)), precondition: mustMatch('"x"') }))).code).toBe('NoSuchKey');
      expect(await backendContents(raw, bucket)).toEqual(before);
    } finally {
      await store.close();
    }
  });
});

describe('conditional writes: compare-and-swap at the backend', () => {
  it('If-None-Match and If-Match pass and fail as the precondition says', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const first = await store.putObject(bucket, 'k', { ...bodyOf(Buffer.from('1')), precondition: mustNotExist });
      const second = await store.putObject(bucket, 'k', { ...bodyOf(Buffer.from('2')), precondition: mustMatch(first.etag) });
      expect((await rejection(store.putObject(bucket, 'k', { ...bodyOf(Buffer.from('3')), precondition: mustMatch(first.etag) }))).code).toBe('PreconditionFailed');
      expect((await store.getObject(bucket, 'k'))?.etag).toBe(second.etag);
    } finally {
      await store.close();
    }
  });

  it('two stores racing If-None-Match on one key: exactly one wins, the other gets 412 from the re-run precondition', async () => {
    const bucket = freshBucket();
    const a = await storeWith(minio, bucket);
    const b = await storeWith(minio, bucket);
    try {
      for (let round = 0; round < 3; round++) {
        const key = `race-${round}`;
        const bytesA = random(256 * 1024);
        const bytesB = random(256 * 1024);
        const heldA = heldBody(bytesA);
        const heldB = heldBody(bytesB);
        let seen = 0;
        const describeOf = (bytes: Buffer) => () => ({ userMetadata: {}, etag: md5Etag(bytes) });
        const counting: Precondition = (existing) => {
          seen++;
          mustNotExist(existing);
        };
        // Both read "no object" before either publishes.
        const putA = a.putObject(bucket, key, { body: heldA.body, size: heldA.size, describe: describeOf(bytesA), precondition: counting });
        const putB = b.putObject(bucket, key, { body: heldB.body, size: heldB.size, describe: describeOf(bytesB), precondition: counting });
        // Both have read "no object" once each has taken its body (up to the held byte).
        await until(() => [heldA.body, heldB.body].every((body) => body.readableLength === 0 && body.writableLength === 0));
        heldA.release();
        heldB.release();
        const results = await Promise.allSettled([putA, putB]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0].reason as S3Error).code).toBe('PreconditionFailed');
        expect(seen).toBeGreaterThanOrEqual(3); // both ran it once, the loser again after the backend's 412
        const winner = (won[0] as PromiseFulfilledResult<ObjectRecord>).value;
        expect((await a.getObject(bucket, key))?.etag).toBe(winner.etag);
        // The loser's metadata object is gone: one data object, one metadata object.
        const keys = (await backendContents(raw, bucket)).keys.filter((k) => k === key || k.startsWith(`${RESERVED_PREFIX}meta/`));
        expect(keys.filter((k) => k === key)).toHaveLength(1);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  // MinIO holds the key's lock from the moment a conditional PutObject's headers arrive until it
  // commits (a plain write of the key waits for it), so the race it can lose is a write between
  // the store's HeadObject and its PutObject's headers: the body here sends no byte until then.
  it('If-Match racing a plain overwrite: the backend refuses, the precondition re-runs and fails', async () => {
    const bucket = freshBucket();
    const a = await storeWith(minio, bucket);
    const b = await storeWith(minio, bucket);
    try {
      const first = await a.putObject(bucket, 'k', bodyOf(Buffer.from('first')));
      const bytes = random(128 * 1024);
      const held = heldBody(bytes, { nothingYet: true });
      const conditional = a.putObject(bucket, 'k', { body: held.body, size: held.size, describe: () => ({ userMetadata: {}, etag: md5Etag(bytes) }), precondition: mustMatch(first.etag) });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await b.putObject(bucket, 'k', bodyOf(Buffer.from('between')));
      held.release();
      expect((await rejection(conditional)).code).toBe('PreconditionFailed');
      expect((await readAll(await b.readObject((await b.getObject(bucket, 'k'))!))).toString()).toBe('between');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a precondition that would pass after the backend refused: 409 ConditionalRequestConflict', async () => {
    const bucket = freshBucket();
    const a = await storeWith(minio, bucket);
    const b = await storeWith(minio, bucket);
    try {
      // The other write must land between a's HeadObject and its PutObject: on a loaded machine
      // a's HeadObject may come after it (then a rightly overwrites), so a few rounds are allowed.
      let conflicts = 0;
      for (let round = 0; round < 5 && conflicts === 0; round++) {
        const key = `k${round}`;
        const bytes = random(64 * 1024);
        const held = heldBody(bytes, { nothingYet: true });
        // Refuses nothing: only the backend's condition (If-None-Match: *, as nothing was there) can fail.
        const putting = a.putObject(bucket, key, { body: held.body, size: held.size, describe: () => ({ userMetadata: {}, etag: md5Etag(bytes) }), precondition: () => undefined });
        await new Promise((resolve) => setTimeout(resolve, 200));
        await b.putObject(bucket, key, bodyOf(Buffer.from('between')));
        held.release();
        const outcome = await putting.then(
          () => undefined,
          (err: unknown) => err,
        );
        if (outcome === undefined) {
          expect((await a.getObject(bucket, key))?.etag).toBe(md5Etag(bytes));
          continue;
        }
        expect(outcome).toBeInstanceOf(S3Error);
        expect([(outcome as S3Error).code, (outcome as S3Error).status]).toEqual(['ConditionalRequestConflict', 409]);
        expect((await readAll(await a.readObject((await a.getObject(bucket, key))!))).toString()).toBe('between');
        conflicts++;
      }
      expect(conflicts).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("with conditional writes 'off', a write with a precondition is refused with 501", async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket, { conditionalWrites: 'off' });
    try {
      expect((await rejection(store.putObject(bucket, 'k', { ...bodyOf(Buffer.from('x')), precondition: mustNotExist }))).status).toBe(501);
      await store.putObject(bucket, 'k', bodyOf(Buffer.from('x')));
      expect((await store.getObject(bucket, 'k'))?.size).toBe(1);
    } finally {
      await store.close();
    }
  });
});

describe('copies', () => {
  it('copies a single-part object server-side: same ETag, new metadata; with a precondition too', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      const bytes = random(100_000);
      const source = await store.putObject(bucket, 'src', bodyOf(bytes, { contentType: 'a/b' }));
      const copy = await store.copyObject({ bucket, key: 'src' }, { bucket, key: 'dst' }, (s) => ({ userMetadata: { copied: 'yes' }, contentType: 'c/d', etag: s!.etag }));
      expect(copy.etag).toBe(source.etag);
      const read = (await store.getObject(bucket, 'dst'))!;
      expect(read).toMatchObject({ etag: source.etag, contentType: 'c/d', userMetadata: { copied: 'yes' }, size: bytes.length });
      expect((await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dst' }))).ETag).toBe(source.etag);
      expect(await readAll(await store.readObject(read))).toEqual(bytes);
      await store.copyObject({ bucket, key: 'src' }, { bucket, key: 'guarded' }, (s) => ({ userMetadata: {}, etag: s!.etag }), mustNotExist);
      expect((await rejection(store.copyObject({ bucket, key: 'src' }, { bucket, key: 'guarded' }, (s) => ({ userMetadata: {}, etag: s!.etag }), mustNotExist))).code).toBe(
        'PreconditionFailed',
      );
      expect(await readAll(await store.readObject((await store.getObject(bucket, 'guarded'))!))).toEqual(bytes);
      const missing = new S3Error('NoSuchKey');
      await expect(
        store.copyObject({ bucket, key: 'absent' }, { bucket, key: 'x' }, (s) => {
          if (!s) throw missing;
          return { userMetadata: {}, etag: s.etag };
        }),
      ).rejects.toBe(missing);
    } finally {
      await store.close();
    }
  });
});

describe('statelessness: two stores over one backend', () => {
  it('each sees, reads, lists and deletes what the other wrote', async () => {
    const bucket = freshBucket();
    const a = await storeWith(minio, bucket);
    const b = await storeWith(minio, bucket);
    try {
      const bytes = random(50_000);
      await a.putObject(bucket, 'shared', bodyOf(bytes, { userMetadata: { by: 'a' } }));
      const seen = (await b.getObject(bucket, 'shared'))!;
      expect(seen.userMetadata).toEqual({ by: 'a' });
      expect(await readAll(await b.readObject(seen))).toEqual(bytes);
      expect((await b.listObjects(bucket, { maxKeys: 10 })).entries.map((e) => (e.kind === 'object' ? e.record.key : e.prefix))).toEqual(['shared']);
      await b.putObject(bucket, 'shared', bodyOf(Buffer.from('b'), { userMetadata: { by: 'b' } }));
      expect((await a.getObject(bucket, 'shared'))?.userMetadata).toEqual({ by: 'b' });
      expect(await b.deleteObject(bucket, 'shared')).toBe(true);
      expect(await a.getObject(bucket, 'shared')).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('emptyBucket', () => {
  it('deletes every backend object (reserved ones too) and aborts backend uploads', async () => {
    const bucket = freshBucket();
    const store = await storeWith(minio, bucket);
    try {
      await store.putObject(bucket, 'a', bodyOf(Buffer.from('a')));
      await store.createUpload(bucket, 'u', { userMetadata: {} });
      await store.emptyBucket(bucket);
      expect(await backendContents(raw, bucket)).toEqual({ keys: [], uploads: [] });
      expect(await store.getBucket(bucket)).toBeDefined();
    } finally {
      await store.close();
    }
  });
});
