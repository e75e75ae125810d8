import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore as Store } from '../../src/store/index.js';

let dataDir: string;
let store: Store;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-store-buckets-'));
  store = Store.open({ dataDir });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('findBucketByAccessKey (cached)', () => {
  it('finds a bucket by its access key, and nothing for an unknown key', async () => {
    await store.upsertBucket({ name: 'photos', accessKey: 'AKPHOTOS', secretKey: 'secret-1', region: 'local' });
    expect(await store.findBucketByAccessKey('AKPHOTOS')).toMatchObject({ name: 'photos', secretKey: 'secret-1' });
    expect(await store.findBucketByAccessKey('AKPHOTOS')).toMatchObject({ name: 'photos', secretKey: 'secret-1' });
    expect(await store.findBucketByAccessKey('AKUNKNOWN')).toBeUndefined();
  });

  it('sees new keys at once after an upsert: the old access key no longer finds the bucket', async () => {
    await store.upsertBucket({ name: 'photos', accessKey: 'AKOLD', secretKey: 'secret-1', region: 'local' });
    expect((await store.findBucketByAccessKey('AKOLD'))?.name).toBe('photos');
    await store.upsertBucket({ name: 'photos', accessKey: 'AKNEW', secretKey: 'secret-2', region: 'local' });
    expect(await store.findBucketByAccessKey('AKOLD')).toBeUndefined();
    expect(await store.findBucketByAccessKey('AKNEW')).toMatchObject({ name: 'photos', secretKey: 'secret-2' });
  });

  it('sees a rotated secret at once', async () => {
    await store.upsertBucket({ name: 'photos', accessKey: 'AKPHOTOS', secretKey: 'secret-1', region: 'local' });
    expect((await store.findBucketByAccessKey('AKPHOTOS'))?.secretKey).toBe('secret-1');
    await store.upsertBucket({ name: 'photos', accessKey: 'AKPHOTOS', secretKey: 'secret-2', region: 'local' });
    expect((await store.findBucketByAccessKey('AKPHOTOS'))?.secretKey).toBe('secret-2');
  });

  it('hands out a record its caller cannot change for the next caller', async () => {
    await store.upsertBucket({ name: 'photos', accessKey: 'AKPHOTOS', secretKey: 'secret-1', region: 'local' });
    const record = (await store.findBucketByAccessKey('AKPHOTOS'))!;
    expect(() => Object.assign(record, { secretKey: 'changed' })).toThrow(TypeError);
    expect((await store.findBucketByAccessKey('AKPHOTOS'))?.secretKey).toBe('secret-1');
  });
});
