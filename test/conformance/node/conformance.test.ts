import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  type ChecksumAlgorithm,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, describe, expect } from 'vitest';
import { clientFor, notExpressible, scenario, targetFromEnv } from './runner.js';

const target = targetFromEnv();
const s3 = clientFor(target);
const bucket = target.bucket;
// Every key of this run lives under its own prefix, so runs against a shared endpoint never collide.
const prefix = `conformance/node-${target.transport}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}/`;

afterAll(() => s3.destroy());

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

async function bodyOf(key: string, extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {}) {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  return { response, body: Buffer.from(await response.Body!.transformToByteArray()) };
}

/** The error an SDK call rejects with: S3 code (the SDK's error name) and HTTP status. */
async function s3ErrorOf(promise: Promise<unknown>): Promise<{ code: string; status: number | undefined }> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number }; Code?: string };
    return { code: e.Code ?? e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the request to fail, and it succeeded');
}

async function putText(key: string, body: string) {
  return s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function keysUnder(keyPrefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: keyPrefix })) {
    for (const object of page.Contents ?? []) keys.push(object.Key!);
  }
  return keys;
}

/** Deterministic bytes, streamed in 1 MiB chunks, never held whole. */
function patternStream(totalBytes: number, seed: string): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  let counter = 0;
  const stream = new Readable({
    read() {
      if (sent >= totalBytes) return void this.push(null);
      const chunk = Buffer.alloc(Math.min(1 << 20, totalBytes - sent));
      for (let offset = 0; offset < chunk.length; offset += 32) {
        createHash('sha256').update(`${seed}:${counter++}`).digest().copy(chunk, offset);
      }
      sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

describe(`node ${target.transport}`, () => {
  scenario(target, 'object-round-trip', async () => {
    const key = `${prefix}round-trip.txt`;
    const body = 'hello from the node conformance runner\n';
    const put = await putText(key, body);
    expect(put.ETag).toBe(`"${md5(body)}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(Buffer.byteLength(body));
    expect(head.ETag).toBe(put.ETag);
    expect((await bodyOf(key)).body.toString()).toBe(body);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect(await s3ErrorOf(bodyOf(key))).toEqual({ code: 'NoSuchKey', status: 404 });
  });

  scenario(target, 'zero-byte-object', async () => {
    const key = `${prefix}empty`;
    const put = await putText(key, '');
    expect(put.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
    const { response, body } = await bodyOf(key);
    expect(response.ContentLength).toBe(0);
    expect(body.length).toBe(0);
  });

  scenario(target, 'metadata-and-content-headers', async () => {
    const key = `${prefix}with-headers.html`;
    const sent = {
      ContentType: 'text/html; charset=utf-8',
      CacheControl: 'max-age=60, public',
      ContentDisposition: 'attachment; filename="report.html"',
      ContentLanguage: 'de-CH',
      Metadata: { color: 'blue', 'multi-word': 'two words' },
    };
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '<p>hi</p>', ...sent }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const { response } = await bodyOf(key);
    for (const got of [head, response]) {
      expect(got.ContentType).toBe(sent.ContentType);
      expect(got.CacheControl).toBe(sent.CacheControl);
      expect(got.ContentDisposition).toBe(sent.ContentDisposition);
      expect(got.ContentLanguage).toBe(sent.ContentLanguage);
      expect(got.Metadata).toEqual(sent.Metadata);
    }
  });

  const specialKeys: Record<string, string> = {
    'key-with-space': 'folder with space/file name.txt',
    'key-with-plus': 'a+b=c/1+1.txt',
    'key-with-percent': '100% done/literal%20not-a-space.txt',
    'key-unicode': 'ünïcødé/日本語/✓ 🚀.txt',
    'key-double-slash': 'a//b///c.txt',
    'key-trailing-slash': 'folder/',
  };
  for (const [id, name] of Object.entries(specialKeys)) {
    scenario(target, id, async () => {
      const keyPrefix = `${prefix}${id}/`;
      const key = `${keyPrefix}${name}`;
      const body = name.endsWith('/') ? '' : `body of ${name}`;
      await putText(key, body);
      expect((await bodyOf(key)).body.toString()).toBe(body);
      expect(await keysUnder(keyPrefix)).toEqual([key]);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      expect(await keysUnder(keyPrefix)).toEqual([]);
    });
  }

  const rangeKey = `${prefix}range.txt`;
  const rangeBody = '0123456789abcdefghij';
  const putRangeObject = () => putText(rangeKey, rangeBody);

  scenario(target, 'range-get', async () => {
    await putRangeObject();
    const { response, body } = await bodyOf(rangeKey, { Range: 'bytes=2-5' });
    expect(response.$metadata.httpStatusCode).toBe(206);
    expect(response.ContentRange).toBe(`bytes 2-5/${rangeBody.length}`);
    expect(body.toString()).toBe('2345');
  });

  scenario(target, 'range-suffix', async () => {
    await putRangeObject();
    const { response, body } = await bodyOf(rangeKey, { Range: 'bytes=-4' });
    expect(response.$metadata.httpStatusCode).toBe(206);
    expect(body.toString()).toBe('ghij');
  });

  scenario(target, 'range-unsatisfiable', async () => {
    await putRangeObject();
    expect(await s3ErrorOf(bodyOf(rangeKey, { Range: `bytes=${rangeBody.length + 10}-` }))).toEqual({ code: 'InvalidRange', status: 416 });
  });

  scenario(target, 'conditional-get-not-modified', async () => {
    const { ETag } = await putRangeObject();
    const error = await s3ErrorOf(bodyOf(rangeKey, { IfNoneMatch: ETag }));
    expect(error.status).toBe(304);
  });

  scenario(target, 'conditional-get-precondition-failed', async () => {
    await putRangeObject();
    expect(await s3ErrorOf(bodyOf(rangeKey, { IfMatch: '"00000000000000000000000000000000"' }))).toEqual({
      code: 'PreconditionFailed',
      status: 412,
    });
  });

  scenario(target, 'conditional-put-if-none-match', async () => {
    const key = `${prefix}create-only.txt`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'first', IfNoneMatch: '*' }));
    const error = await s3ErrorOf(s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'second', IfNoneMatch: '*' })));
    expect(error).toEqual({ code: 'PreconditionFailed', status: 412 });
    expect((await bodyOf(key)).body.toString()).toBe('first');
  });

  scenario(target, 'list-v2-paginated', async () => {
    const keyPrefix = `${prefix}many/`;
    const expected = Array.from({ length: 2500 }, (_, i) => `${keyPrefix}${String(i).padStart(5, '0')}`);
    for (let next = 0; next < expected.length; ) {
      const batch = expected.slice(next, next + 50);
      next += batch.length;
      await Promise.all(batch.map((key) => putText(key, key)));
    }
    let pages = 0;
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: keyPrefix })) {
      pages += 1;
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(pages).toBe(3);
    expect(keys).toEqual(expected);
  });

  scenario(target, 'list-delimiter-prefix', async () => {
    const keyPrefix = `${prefix}tree/`;
    for (const name of ['a/1.txt', 'a/2.txt', 'b/deep/3.txt', 'top.txt']) await putText(`${keyPrefix}${name}`, name);
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix, Delimiter: '/' }));
    expect((page.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual([`${keyPrefix}a/`, `${keyPrefix}b/`]);
    expect((page.Contents ?? []).map((o) => o.Key)).toEqual([`${keyPrefix}top.txt`]);
  });

  scenario(target, 'list-v1-marker', async () => {
    const keyPrefix = `${prefix}v1/`;
    const expected = ['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => `${keyPrefix}${k}`);
    for (const key of expected) await putText(key, key);
    const keys: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: keyPrefix, MaxKeys: 2, Marker: marker }));
      pages += 1;
      const pageKeys = (page.Contents ?? []).map((o) => o.Key!);
      keys.push(...pageKeys);
      if (!page.IsTruncated) break;
      marker = page.NextMarker ?? pageKeys.at(-1);
    }
    expect(pages).toBe(3);
    expect(keys).toEqual(expected);
  });

  scenario(target, 'get-bucket-location', async () => {
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    expect(location.LocationConstraint ?? '').toBe(target.region === 'us-east-1' ? '' : target.region);
  });

  scenario(target, 'head-bucket', async () => {
    const head = await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    expect(head.$metadata.httpStatusCode).toBe(200);
  });

  scenario(target, 'delete-objects-batch', async () => {
    const keys = ['d1', 'd2', 'd3'].map((k) => `${prefix}batch/${k}`);
    for (const key of keys) await putText(key, key);
    const result = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [...keys, `${prefix}batch/missing`].map((Key) => ({ Key })) } }),
    );
    expect((result.Deleted ?? []).map((d) => d.Key).sort()).toEqual([...keys, `${prefix}batch/missing`].sort());
    expect(result.Errors ?? []).toEqual([]);
    expect(await keysUnder(`${prefix}batch/`)).toEqual([]);
  });

  const copySource = `${prefix}copy-source.json`;
  const putCopySource = () =>
    s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: copySource, Body: '{"copy":true}', ContentType: 'application/json', Metadata: { origin: 'source' } }),
    );

  scenario(target, 'copy-object-metadata-copy', async () => {
    const source = await putCopySource();
    const key = `${prefix}copy-of-source.json`;
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${encodeURIComponent(copySource)}` }));
    const { response, body } = await bodyOf(key);
    expect(body.toString()).toBe('{"copy":true}');
    expect(response.ETag).toBe(source.ETag);
    expect(response.ContentType).toBe('application/json');
    expect(response.Metadata).toEqual({ origin: 'source' });
  });

  scenario(target, 'copy-object-metadata-replace', async () => {
    await putCopySource();
    const key = `${prefix}replaced-copy.txt`;
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: key,
        CopySource: `${bucket}/${encodeURIComponent(copySource)}`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/plain',
        Metadata: { origin: 'replaced' },
      }),
    );
    const { response, body } = await bodyOf(key);
    expect(body.toString()).toBe('{"copy":true}');
    expect(response.ContentType).toBe('text/plain');
    expect(response.Metadata).toEqual({ origin: 'replaced' });
  });

  const bigSize = 40 * 1024 * 1024;
  scenario(target, 'multipart-upload-40mib', async () => {
    const key = `${prefix}big-upload.bin`;
    const source = patternStream(bigSize, 'node-upload');
    const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: source.stream } });
    const result = await upload.done();
    expect(result.ETag).toMatch(/^"[0-9a-f]{32}-\d+"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(bigSize);
    const download = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of download.Body as Readable) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(source.sha256());
  });
  notExpressible(
    target,
    'multipart-download-40mib',
    '@aws-sdk/lib-storage has only a multipart Upload; the JS v3 SDK has no high-level (ranged/part) downloader',
  );

  const checksums: Record<string, { algorithm: ChecksumAlgorithm; field: 'ChecksumCRC32' | 'ChecksumCRC32C' | 'ChecksumCRC64NVME' | 'ChecksumSHA1' | 'ChecksumSHA256' }> = {
    'checksum-crc32': { algorithm: 'CRC32', field: 'ChecksumCRC32' },
    'checksum-crc32c': { algorithm: 'CRC32C', field: 'ChecksumCRC32C' },
    'checksum-crc64nvme': { algorithm: 'CRC64NVME', field: 'ChecksumCRC64NVME' },
    'checksum-sha1': { algorithm: 'SHA1', field: 'ChecksumSHA1' },
    'checksum-sha256': { algorithm: 'SHA256', field: 'ChecksumSHA256' },
  };
  for (const [id, { algorithm, field }] of Object.entries(checksums)) {
    scenario(target, id, async () => {
      const key = `${prefix}${id}.txt`;
      const text = `checksummed by ${algorithm}\n`;
      // A stream body: the SDK sends it aws-chunked with the checksum in a trailer.
      const put = await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: Readable.from([Buffer.from(text)]), ContentLength: text.length, ChecksumAlgorithm: algorithm }),
      );
      expect(put[field]).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const { response, body } = await bodyOf(key, { ChecksumMode: 'ENABLED' });
      expect(body.toString()).toBe(text);
      expect(response[field]).toBe(put[field]);
    });
  }

  scenario(target, 'presigned-get', async () => {
    const key = `${prefix}presigned get.txt`;
    await putText(key, 'fetched without an SDK');
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('fetched without an SDK');
  });

  scenario(target, 'presigned-put', async () => {
    const key = `${prefix}presigned put.txt`;
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
    const response = await fetch(url, { method: 'PUT', body: 'uploaded without an SDK' });
    expect(response.status, await response.clone().text()).toBe(200);
    expect((await bodyOf(key)).body.toString()).toBe('uploaded without an SDK');
  });

  scenario(target, 'presigned-post', async () => {
    const key = `${prefix}posted.txt`;
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket,
      Key: key,
      Conditions: [['content-length-range', 0, 1024]],
      Fields: { 'Content-Type': 'text/plain' },
      Expires: 300,
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['posted from a form']), 'posted.txt');
    const response = await fetch(url, { method: 'POST', body: form });
    expect(response.status, await response.clone().text()).toBe(204);
    const { response: got, body } = await bodyOf(key);
    expect(body.toString()).toBe('posted from a form');
    expect(got.ContentType).toBe('text/plain');
  });

  scenario(target, 'no-such-key', async () => {
    const key = `${prefix}does-not-exist`;
    expect(await s3ErrorOf(bodyOf(key))).toEqual({ code: 'NoSuchKey', status: 404 });
    expect(await s3ErrorOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))).toEqual({ code: 'NotFound', status: 404 });
  });

  const refusedBy = async (client: S3Client, promise: Promise<unknown>) => {
    try {
      return await s3ErrorOf(promise);
    } finally {
      if (client !== s3) client.destroy();
    }
  };

  scenario(target, 'refusal-other-bucket', async () => {
    const key = `${prefix}not-yours.txt`;
    expect(await s3ErrorOf(s3.send(new PutObjectCommand({ Bucket: target.bucket2, Key: key, Body: 'x' })))).toEqual({
      code: 'AccessDenied',
      status: 403,
    });
    expect(await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: target.bucket2, Key: key })))).toEqual({ code: 'AccessDenied', status: 403 });
  });

  scenario(target, 'refusal-wrong-secret', async () => {
    const client = clientFor(target, { accessKey: target.accessKey, secretKey: `${target.secretKey.slice(0, -4)}XXXX` });
    expect(await refusedBy(client, client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}any` })))).toEqual({
      code: 'SignatureDoesNotMatch',
      status: 403,
    });
  });

  scenario(target, 'refusal-unknown-access-key', async () => {
    const client = clientFor(target, { accessKey: 'AKIAUNKNOWNKEY000000', secretKey: target.secretKey });
    expect(await refusedBy(client, client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}any` })))).toEqual({
      code: 'InvalidAccessKeyId',
      status: 403,
    });
  });

  scenario(target, 'refusal-list-buckets', async () => {
    expect(await s3ErrorOf(s3.send(new ListBucketsCommand({})))).toEqual({ code: 'AccessDenied', status: 403 });
  });

  scenario(target, 'refusal-create-bucket', async () => {
    expect(await s3ErrorOf(s3.send(new CreateBucketCommand({ Bucket: `${bucket}-new` })))).toEqual({ code: 'AccessDenied', status: 403 });
  });

  scenario(target, 'refusal-abort-multipart-upload', async () => {
    const key = `${prefix}abandoned-upload.bin`;
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    expect(created.UploadId).toBeTruthy();
    expect(await s3ErrorOf(s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId })))).toEqual({
      code: 'AccessDenied',
      status: 403,
    });
  });
});
