import {
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';

let t: TestEmulator;
const Bucket = 'test-bucket';
const keys = [
  'a.txt',
  'dir/1.txt',
  'dir/2.txt',
  'dir/sub/3.txt',
  'dir/sub/4.txt',
  'other/5.txt',
  'plus+and space.txt',
  'z.txt',
];

beforeAll(async () => {
  t = await startTestEmulator();
  await Promise.all(keys.map((Key) => t.s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }))));
});
afterAll(async () => {
  await t.emulator.stop();
});

describe('ListObjectsV2', () => {
  it('lists every key in byte order with KeyCount and IsTruncated', async () => {
    const out = await t.s3.send(new ListObjectsV2Command({ Bucket }));
    expect(out.Contents!.map((c) => c.Key)).toEqual(keys);
    expect(out.KeyCount).toBe(keys.length);
    expect(out.IsTruncated).toBe(false);
    expect(out.Contents![0]).toMatchObject({ Size: 5, StorageClass: 'STANDARD' });
    expect(out.Contents![0].Owner).toBeUndefined();
    expect(out.Name).toBe(Bucket);
  });

  it('rolls keys under the delimiter up into CommonPrefixes', async () => {
    const root = await t.s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/' }));
    expect(root.Contents!.map((c) => c.Key)).toEqual(['a.txt', 'plus+and space.txt', 'z.txt']);
    expect(root.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['dir/', 'other/']);
    expect(root.KeyCount).toBe(5);
    const dir = await t.s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/', Prefix: 'dir/' }));
    expect(dir.Contents!.map((c) => c.Key)).toEqual(['dir/1.txt', 'dir/2.txt']);
    expect(dir.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['dir/sub/']);
  });

  it('pages with continuation tokens, a common prefix counting as one entry', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await t.s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/', MaxKeys: 2, ContinuationToken: token }));
      pages++;
      seen.push(...(out.Contents ?? []).map((c) => c.Key!), ...(out.CommonPrefixes ?? []).map((p) => p.Prefix!));
      expect(out.KeyCount).toBeLessThanOrEqual(2);
      token = out.NextContinuationToken;
      expect(Boolean(token)).toBe(out.IsTruncated);
    } while (token);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['a.txt', 'dir/', 'other/', 'plus+and space.txt', 'z.txt']);
  });

  it('works with the SDK paginator', async () => {
    const all: string[] = [];
    for await (const page of paginateListObjectsV2({ client: t.s3, pageSize: 3 }, { Bucket })) {
      all.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    expect(all).toEqual(keys);
  });

  it('starts after StartAfter, and fetches the owner on request', async () => {
    const out = await t.s3.send(new ListObjectsV2Command({ Bucket, StartAfter: 'dir/sub/4.txt', FetchOwner: true }));
    expect(out.Contents!.map((c) => c.Key)).toEqual(['other/5.txt', 'plus+and space.txt', 'z.txt']);
    expect(out.StartAfter).toBe('dir/sub/4.txt');
    expect(out.Contents![0].Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
  });

  it('url-encodes keys with encoding-type=url (space → +, + → %2B)', async () => {
    const out = await t.s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'plus', EncodingType: 'url' }));
    expect(out.EncodingType).toBe('url');
    expect(out.Contents!.map((c) => c.Key)).toEqual(['plus%2Band+space.txt']);
  });

  it('answers MaxKeys=0 with an empty, complete page (more edges: list-edges.test.ts)', async () => {
    const out = await t.s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 0 }));
    expect(out.Contents).toBeUndefined();
    expect(out.KeyCount).toBe(0);
    expect(out.IsTruncated).toBe(false);
  });

  it('refuses a forged continuation token, a bad max-keys and an unknown encoding', async () => {
    expect(await s3ErrorOf(t.s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: 'forged' })))).toMatchObject({
      code: 'InvalidArgument',
      status: 400,
      message: 'The continuation token provided is incorrect',
    });
    expect(await s3ErrorOf(t.s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: -1 })))).toMatchObject({ code: 'InvalidArgument', status: 400 });
    expect(
      await s3ErrorOf(t.s3.send(new ListObjectsV2Command({ Bucket, EncodingType: 'base64' as 'url' }))),
    ).toMatchObject({ code: 'InvalidArgument', message: 'Invalid Encoding Method specified in Request' });
  });
});

describe('ListObjects (v1)', () => {
  it('pages with Marker; NextMarker only with a delimiter', async () => {
    const first = await t.s3.send(new ListObjectsCommand({ Bucket, MaxKeys: 3 }));
    expect(first.Contents!.map((c) => c.Key)).toEqual(keys.slice(0, 3));
    expect(first.IsTruncated).toBe(true);
    expect(first.NextMarker).toBeUndefined();
    expect(first.Contents![0].Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    const second = await t.s3.send(new ListObjectsCommand({ Bucket, MaxKeys: 3, Marker: 'dir/2.txt' }));
    expect(second.Contents!.map((c) => c.Key)).toEqual(keys.slice(3, 6));
    expect(second.Marker).toBe('dir/2.txt');

    const delimited = await t.s3.send(new ListObjectsCommand({ Bucket, Delimiter: '/', MaxKeys: 2 }));
    expect(delimited.IsTruncated).toBe(true);
    expect(delimited.NextMarker).toBe('dir/');
    const rest = await t.s3.send(new ListObjectsCommand({ Bucket, Delimiter: '/', Marker: delimited.NextMarker }));
    expect(rest.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['other/']);
    expect(rest.Contents!.map((c) => c.Key)).toEqual(['plus+and space.txt', 'z.txt']);
  });

  it('url-encodes with encoding-type=url', async () => {
    const out = await t.s3.send(new ListObjectsCommand({ Bucket, Prefix: 'plus+', EncodingType: 'url' }));
    expect(out.Prefix).toBe('plus%2B');
    expect(out.Contents!.map((c) => c.Key)).toEqual(['plus%2Band+space.txt']);
  });
});

describe('bucket operations', () => {
  it('HeadBucket answers 200 with the region', async () => {
    const out = await t.s3.send(new HeadBucketCommand({ Bucket }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.BucketRegion).toBe('us-east-1');
  });
  it('GetBucketLocation is empty for us-east-1', async () => {
    const out = await t.s3.send(new GetBucketLocationCommand({ Bucket }));
    expect(out.LocationConstraint).toBeUndefined();
  });
});

describe('DeleteObjects', () => {
  it('deletes a batch with per-key results; Quiet reports only errors', async () => {
    const batch = ['batch/1', 'batch/2', 'batch/3'];
    await Promise.all(batch.map((Key) => t.s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }))));
    const out = await t.s3.send(
      new DeleteObjectsCommand({ Bucket, Delete: { Objects: [...batch, 'batch/missing'].map((Key) => ({ Key })) } }),
    );
    expect(out.Deleted!.map((d) => d.Key).sort()).toEqual([...batch, 'batch/missing'].sort());
    expect(out.Errors).toBeUndefined();
    const listed = await t.s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'batch/' }));
    expect(listed.KeyCount).toBe(0);

    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'batch/q', Body: 'q' }));
    const quiet = await t.s3.send(
      new DeleteObjectsCommand({ Bucket, Delete: { Quiet: true, Objects: [{ Key: 'batch/q' }, { Key: 'batch/v', VersionId: 'v1' }] } }),
    );
    expect(quiet.Deleted).toBeUndefined();
    expect(quiet.Errors).toEqual([{ Key: 'batch/v', VersionId: 'v1', Code: 'AccessDenied', Message: 'Access Denied' }]);
  });

  it('keeps keys with XML-escaped characters such as &#13;', async () => {
    const Key = 'weird\r\nkey & <tag>';
    await t.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'w' }));
    const out = await t.s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key }] } }));
    expect(out.Deleted).toEqual([{ Key }]);
    expect(await s3ErrorOf(t.s3.send(new HeadBucketCommand({ Bucket: 'nope-bucket' })))).toMatchObject({ status: 403 });
  });

  it('refuses more than 1000 keys with MalformedXML', async () => {
    const Objects = Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` }));
    expect(await s3ErrorOf(t.s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects } })))).toMatchObject({
      code: 'MalformedXML',
      status: 400,
    });
  });
});
