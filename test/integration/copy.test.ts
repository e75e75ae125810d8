import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { s3ErrorOf, sqliteDataDir, startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields, signedFetch } from '../raw-request.js';

const Bucket = 'test-bucket';
let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.emulator.stop();
});

/** Blob files of the SQLite store; undefined in gateway mode (see sqliteDataDir). */
function blobFileCount(): number | undefined {
  const dataDir = sqliteDataDir(t.emulator);
  if (dataDir === undefined) return undefined;
  const blobs = join(dataDir, 'blobs');
  return readdirSync(blobs).reduce((count, shard) => count + readdirSync(join(blobs, shard)).length, 0);
}

const textOf = async (Key: string) => (await t.s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
const copy = (input: Partial<ConstructorParameters<typeof CopyObjectCommand>[0]> & { Key: string; CopySource: string }) =>
  t.s3.send(new CopyObjectCommand({ Bucket, ...input }));

describe('CopyObject within the bucket', () => {
  it('COPY (the default) carries data, ETag, content headers, metadata and checksum over, sharing the data', async () => {
    // Larger than INLINE_MAX_BYTES, so that the data lives in a blob file the copy can share.
    const body = 'copy me '.repeat(10_000);
    const put = await t.s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 'src/a.txt',
        Body: body,
        ContentType: 'text/plain',
        ContentLanguage: 'en',
        Metadata: { owner: 'alice' },
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const blobsBefore = blobFileCount();
    const out = await copy({ Key: 'dst/a.txt', CopySource: `${Bucket}/src/a.txt` });
    expect(out.CopyObjectResult?.ETag).toBe(put.ETag);
    expect(out.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    expect(out.CopyObjectResult?.ChecksumSHA256).toBe(put.ChecksumSHA256);
    // No data was written: the copy shares the source's blob file.
    expect(blobFileCount()).toBe(blobsBefore);

    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'dst/a.txt', ChecksumMode: 'ENABLED' }));
    expect(head.ContentType).toBe('text/plain');
    expect(head.ContentLanguage).toBe('en');
    expect(head.Metadata).toEqual({ owner: 'alice' });
    expect(head.ChecksumSHA256).toBe(put.ChecksumSHA256);
    expect(head.ETag).toBe(put.ETag);
    expect(await textOf('dst/a.txt')).toBe(body);

    // Deleting the source leaves the copy whole; deleting both frees the file.
    await t.s3.send(new DeleteObjectCommand({ Bucket, Key: 'src/a.txt' }));
    expect(await textOf('dst/a.txt')).toBe(body);
    await t.s3.send(new DeleteObjectCommand({ Bucket, Key: 'dst/a.txt' }));
    // The server may still be closing the file the last GET read from (the client can have the
    // whole body first): a blob being read is removed when its last reader closes it.
    if (blobsBefore !== undefined) await vi.waitFor(() => expect(blobFileCount()).toBe(blobsBefore - 1), { timeout: 5000, interval: 20 });
  });

  it('REPLACE takes content headers and metadata from the request', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'src/b', Body: 'b', ContentType: 'text/plain', Metadata: { old: 'yes' } }));
    await copy({
      Key: 'dst/b',
      CopySource: `${Bucket}/src/b`,
      MetadataDirective: 'REPLACE',
      ContentType: 'application/json',
      Metadata: { fresh: 'new' },
    });
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'dst/b' }));
    expect(head.ContentType).toBe('application/json');
    expect(head.Metadata).toEqual({ fresh: 'new' });
    // COPY ignores the request's metadata.
    await copy({ Key: 'dst/b2', CopySource: `${Bucket}/src/b`, Metadata: { ignored: 'yes' } });
    expect((await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'dst/b2' }))).Metadata).toEqual({ old: 'yes' });
  });

  it('copies onto itself only with REPLACE; otherwise InvalidRequest', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'self', Body: 'me', Metadata: { v: '1' } }));
    const refused = await s3ErrorOf(copy({ Key: 'self', CopySource: `${Bucket}/self` }));
    expect(refused).toMatchObject({
      code: 'InvalidRequest',
      status: 400,
      message:
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    });
    await copy({ Key: 'self', CopySource: `${Bucket}/self`, MetadataDirective: 'REPLACE', Metadata: { v: '2' } });
    expect((await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'self' }))).Metadata).toEqual({ v: '2' });
    expect(await textOf('self')).toBe('me');
  });

  it('reads x-amz-copy-source URL-decoded, with or without a leading slash', async () => {
    const key = 'dir/with space+plus/é?.txt';
    await t.s3.send(new PutObjectCommand({ Bucket, Key: key, Body: 'odd name' }));
    await copy({ Key: 'dst/encoded-1', CopySource: `${Bucket}/${encodeURIComponent(key)}` });
    await copy({ Key: 'dst/encoded-2', CopySource: `/${Bucket}/${key.split('/').map(encodeURIComponent).join('/')}` });
    expect(await textOf('dst/encoded-1')).toBe('odd name');
    expect(await textOf('dst/encoded-2')).toBe('odd name');
  });

  it('copies a multipart object as it is: same ETag, same parts', async () => {
    const Key = 'src/multipart';
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const parts = [Buffer.alloc(5 * 1024 * 1024, 'm'), Buffer.from('last')];
    const etags = [];
    for (const [index, Body] of parts.entries()) {
      etags.push((await t.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: index + 1, Body }))).ETag!);
    }
    const done = await t.s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    );
    const out = await copy({ Key: 'dst/multipart', CopySource: `${Bucket}/${Key}` });
    expect(out.CopyObjectResult?.ETag).toBe(done.ETag);
    const second = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'dst/multipart', PartNumber: 2 }));
    expect(await second.Body!.transformToString()).toBe('last');
    expect(second.PartsCount).toBe(2);
  });
});

describe('CopyObject conditions (x-amz-copy-source-if-*): a copy that does not happen is 412', () => {
  let etag: string;
  let modified: Date;
  beforeAll(async () => {
    etag = (await t.s3.send(new PutObjectCommand({ Bucket, Key: 'cond/src', Body: 'conditional' }))).ETag!;
    modified = (await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'cond/src' }))).LastModified!;
  });
  const CopySource = `${Bucket}/cond/src`;
  const past = () => new Date(modified.getTime() - 3600_000);
  const future = () => new Date(modified.getTime() + 3600_000);

  it('copies when every condition holds', async () => {
    await copy({ Key: 'cond/1', CopySource, CopySourceIfMatch: etag });
    await copy({ Key: 'cond/2', CopySource, CopySourceIfNoneMatch: '"other"' });
    await copy({ Key: 'cond/3', CopySource, CopySourceIfModifiedSince: past() });
    await copy({ Key: 'cond/4', CopySource, CopySourceIfUnmodifiedSince: future() });
    // If-Match true wins over a false If-Unmodified-Since, as in GetObject.
    await copy({ Key: 'cond/5', CopySource, CopySourceIfMatch: etag, CopySourceIfUnmodifiedSince: past() });
    for (const key of ['cond/1', 'cond/2', 'cond/3', 'cond/4', 'cond/5']) expect(await textOf(key)).toBe('conditional');
  });

  it('refuses with 412 PreconditionFailed, including where GetObject would answer 304', async () => {
    const cases: Array<[Partial<ConstructorParameters<typeof CopyObjectCommand>[0]>, string]> = [
      [{ CopySourceIfMatch: '"other"' }, 'x-amz-copy-source-If-Match'],
      [{ CopySourceIfNoneMatch: etag }, 'x-amz-copy-source-If-None-Match'],
      [{ CopySourceIfModifiedSince: modified }, 'x-amz-copy-source-If-Modified-Since'],
      [{ CopySourceIfUnmodifiedSince: past() }, 'x-amz-copy-source-If-Unmodified-Since'],
    ];
    for (const [conditions, condition] of cases) {
      const err = await s3ErrorOf(copy({ Key: 'cond/refused', CopySource, ...conditions }));
      expect(err).toMatchObject({ code: 'PreconditionFailed', status: 412, message: 'At least one of the pre-conditions you specified did not hold' });
      expect(err.raw).toMatchObject({ Condition: condition });
    }
    expect((await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: 'cond/refused' })))).status).toBe(404);
  });

  it('If-None-Match: * on the destination refuses to overwrite (412)', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'cond/taken', Body: 'taken' }));
    const err = await s3ErrorOf(copy({ Key: 'cond/taken', CopySource, IfNoneMatch: '*' }));
    expect(err).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect(await textOf('cond/taken')).toBe('taken');
  });
});

describe('CopyObject refusals', () => {
  it('a source in another bucket is AccessDenied: credentials reach their own bucket only', async () => {
    await t.other.send(new PutObjectCommand({ Bucket: 'other-bucket', Key: 'theirs', Body: 'x' }));
    const err = await s3ErrorOf(copy({ Key: 'stolen', CopySource: 'other-bucket/theirs' }));
    expect(err).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(err.message).toContain('is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::other-bucket/theirs"');
    // S3's message, then one sentence naming the header that reached out of the bucket.
    expect(err.message).toMatch(
      /allows the s3:GetObject action\. The request header x-amz-copy-source names the bucket other-bucket: these credentials reach test-bucket only\.$/,
    );
  });

  it('a versionId source needs s3:GetObjectVersion (AccessDenied)', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'versioned', Body: 'v' }));
    const err = await s3ErrorOf(copy({ Key: 'dst/versioned', CopySource: `${Bucket}/versioned?versionId=abc` }));
    expect(err).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(err.message).toMatch(
      /allows the s3:GetObjectVersion action\. The versionId in the request header x-amz-copy-source asks for s3:GetObjectVersion: send the request without it\.$/,
    );
  });

  it('a versionId source is copied for a bucket granted s3:GetObjectVersion (versionId=null: the unversioned object)', async () => {
    const granted = await startTestEmulator({ allow: ['s3:GetObjectVersion'] });
    try {
      await granted.s3.send(new PutObjectCommand({ Bucket, Key: 'versioned', Body: 'v' }));
      await granted.s3.send(new CopyObjectCommand({ Bucket, Key: 'dst/versioned', CopySource: `${Bucket}/versioned?versionId=null` }));
      expect(await (await granted.s3.send(new GetObjectCommand({ Bucket, Key: 'dst/versioned' }))).Body!.transformToString()).toBe('v');
      // The grant reaches no other bucket.
      const foreign = await s3ErrorOf(granted.s3.send(new CopyObjectCommand({ Bucket, Key: 'dst/x', CopySource: 'other-bucket/k?versionId=null' })));
      expect(foreign.message).toContain('s3:GetObjectVersion on resource: "arn:aws:s3:::other-bucket/k"');
    } finally {
      await granted.emulator.stop();
    }
  });

  it('a malformed source is InvalidArgument even in another bucket (it is read before it is authorized)', async () => {
    const res = await signedFetch(t.emulator.env(Bucket), { method: 'PUT', path: '/test-bucket/dst/x', headers: { 'x-amz-copy-source': 'other-bucket/' } });
    expect(res.status).toBe(400);
    expect(errorFields(res.text)).toMatchObject({ Code: 'InvalidArgument', ArgumentName: 'x-amz-copy-source', ArgumentValue: 'other-bucket/' });
  });

  it('a missing source is NoSuchKey; a source without a key is InvalidArgument; an unknown directive is InvalidArgument', async () => {
    expect(await s3ErrorOf(copy({ Key: 'dst/x', CopySource: `${Bucket}/absent` }))).toMatchObject({ code: 'NoSuchKey', status: 404 });
    const env = t.emulator.env(Bucket);
    for (const source of [Bucket, `${Bucket}/`, '/', '']) {
      const res = await signedFetch(env, { method: 'PUT', path: '/test-bucket/dst/x', headers: { 'x-amz-copy-source': source } });
      expect(res.status).toBe(400);
      expect(errorFields(res.text)).toMatchObject({
        Code: 'InvalidArgument',
        Message: 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      });
    }
    const badEncoding = await signedFetch(env, { method: 'PUT', path: '/test-bucket/dst/x', headers: { 'x-amz-copy-source': `${Bucket}/%E0%A4%A` } });
    expect(errorFields(badEncoding.text)).toMatchObject({ Code: 'InvalidArgument', Message: 'Invalid copy source encoding.' });
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'src/directive', Body: 'd' }));
    const directive = await signedFetch(env, {
      method: 'PUT',
      path: '/test-bucket/dst/x',
      headers: { 'x-amz-copy-source': `${Bucket}/src/directive`, 'x-amz-metadata-directive': 'MERGE' },
    });
    expect(directive.status).toBe(400);
    expect(errorFields(directive.text)).toMatchObject({ Code: 'InvalidArgument', Message: 'Unknown metadata directive.' });
  });
});
