/**
 * S3's default checksum: an object uploaded without any checksum gets a FULL_OBJECT CRC64NVME,
 * stored and returned with `x-amz-checksum-mode: ENABLED`, by PutObject, PostObject,
 * CompleteMultipartUpload and CopyObject.
 *
 * Sources: the API reference's ChecksumCRC64NVME ("present if the object was uploaded with the
 * CRC64NVME checksum algorithm, or if it was uploaded without a checksum (and Amazon S3 added
 * the default checksum, CRC64NVME, to the uploaded object)", on PutObject, GetObject, HeadObject,
 * CopyObjectResult and Checksum: https://docs.aws.amazon.com/AmazonS3/latest/API/API_Checksum.html),
 * and, where the reference says less, LocalStack's snapshots recorded against AWS on 2026-02-21
 * (tests/aws/services/s3/test_s3.py): test_s3_checksum_no_automatic_sdk_calculation (a PUT
 * with no checksum, or only x-amz-checksum-algorithm, gets CRC64NVME; CopyObject keeps it),
 * test_post_object_default_checksum, test_complete_multipart_parts_checksum_default (an upload
 * created without an algorithm completes to a FULL_OBJECT CRC64NVME of the whole object; its
 * parts list no checksum; checksum headers on its completion are ignored),
 * test_get_object_part (partNumber of a 2-part object with the default checksum: none returned)
 * and test_multipart_copy_object_etag (the copy of such an object keeps its CRC64NVME).
 * Range reads return no checksum: MinIO matched S3 there (minio/minio#17105).
 *
 * Every expected value is computed here with @aws-sdk/crc64-nvme, the package the JS SDK uses.
 */
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/index.js';
import { clientFor, s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';
import { signedFetch } from '../raw-request.js';

const Bucket = 'test-bucket';
const MiB = 1024 * 1024;

let t: TestEmulator;
/** A client that sends a checksum only where S3 requires one: its uploads carry none. */
let plain: S3Client;
beforeAll(async () => {
  t = await startTestEmulator({ allow: ['s3:ListMultipartUploadParts'] });
  plain = clientFor(t.emulator.env(Bucket), { requestChecksumCalculation: 'WHEN_REQUIRED' });
});
afterAll(async () => {
  await t.emulator.stop();
});

async function crc64(...pieces: Buffer[]): Promise<string> {
  const crc = new Crc64Nvme();
  for (const piece of pieces) crc.update(piece);
  return Buffer.from(await crc.digest()).toString('base64');
}

/** The x-amz-checksum-* response headers of a raw request, by name. */
function checksumHeaders(headers: import('node:http').IncomingHttpHeaders): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('x-amz-checksum')));
}

const env = () => t.emulator.env(Bucket);
const rawGet = (key: string, headers: Record<string, string> = {}, query: Record<string, string> = {}) =>
  signedFetch(env(), { method: 'GET', path: `/${Bucket}/${key}`, headers, query });

describe('PutObject without a checksum', () => {
  it('stores a FULL_OBJECT CRC64NVME, returns it on the PUT and on GET and HEAD with checksum mode', async () => {
    const body = Buffer.from('no checksum was sent with this body');
    const put = await plain.send(new PutObjectCommand({ Bucket, Key: 'put/plain', Body: body }));
    const expected = await crc64(body);
    expect(put.ChecksumCRC64NVME).toBe(expected);
    expect(put.ChecksumType).toBe('FULL_OBJECT');
    expect(put.ChecksumCRC32).toBeUndefined();

    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'put/plain', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC64NVME).toBe(expected);
    expect(head.ChecksumType).toBe('FULL_OBJECT');
    // The SDK validates a GET's body against the returned CRC64NVME (it would throw on a mismatch).
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'put/plain', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC64NVME).toBe(expected);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('raw requests: unsigned and signed payloads get the CRC64NVME; without checksum mode no checksum is returned', async () => {
    const body = Buffer.from('raw body, no checksum header');
    const expected = await crc64(body);
    for (const [key, payloadHash] of [
      ['put/raw-unsigned', 'UNSIGNED-PAYLOAD'],
      ['put/raw-signed', undefined],
    ] as const) {
      const put = await signedFetch(env(), { method: 'PUT', path: `/${Bucket}/${key}`, body, payloadHash });
      expect(put.status).toBe(200);
      expect(checksumHeaders(put.headers)).toEqual({ 'x-amz-checksum-crc64nvme': expected, 'x-amz-checksum-type': 'FULL_OBJECT' });
      const enabled = await rawGet(key, { 'x-amz-checksum-mode': 'ENABLED' });
      expect(checksumHeaders(enabled.headers)).toEqual({ 'x-amz-checksum-crc64nvme': expected, 'x-amz-checksum-type': 'FULL_OBJECT' });
      expect(checksumHeaders((await rawGet(key)).headers)).toEqual({});
    }
  });

  it('an empty body gets the CRC64NVME of nothing, AAAAAAAAAAA=', async () => {
    const put = await signedFetch(env(), { method: 'PUT', path: `/${Bucket}/put/empty`, body: '' });
    expect(put.headers['x-amz-checksum-crc64nvme']).toBe('AAAAAAAAAAA=');
    expect(await crc64(Buffer.alloc(0))).toBe('AAAAAAAAAAA=');
  });

  it('x-amz-checksum-algorithm alone names no checksum on PutObject: the default is stored (LocalStack, recorded)', async () => {
    const body = Buffer.from('algorithm header only');
    const put = await signedFetch(env(), { method: 'PUT', path: `/${Bucket}/put/algorithm-only`, body, headers: { 'x-amz-checksum-algorithm': 'SHA256' } });
    expect(put.status).toBe(200);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'put/algorithm-only', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC64NVME).toBe(await crc64(body));
    expect(head.ChecksumSHA256).toBeUndefined();
  });

  it('a checksum the request sends is the one stored: no CRC64NVME besides it', async () => {
    const put = await t.s3.send(new PutObjectCommand({ Bucket, Key: 'put/crc32', Body: 'SDK default CRC32' }));
    expect(put.ChecksumCRC32).toBeDefined();
    expect(put.ChecksumCRC64NVME).toBeUndefined();
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'put/crc32', ChecksumMode: 'ENABLED' }));
    expect(head).toMatchObject({ ChecksumCRC32: put.ChecksumCRC32, ChecksumType: 'FULL_OBJECT' });
    expect(head.ChecksumCRC64NVME).toBeUndefined();
  });

  it('Range: no checksum (it describes the whole object); partNumber=1 of a PutObject: the object\'s CRC64NVME', async () => {
    const body = Buffer.from('0123456789abcdef');
    await plain.send(new PutObjectCommand({ Bucket, Key: 'put/ranged', Body: body }));
    const ranged = await rawGet('put/ranged', { 'x-amz-checksum-mode': 'ENABLED', range: 'bytes=0-3' });
    expect(ranged.status).toBe(206);
    expect(checksumHeaders(ranged.headers)).toEqual({});
    const part = await rawGet('put/ranged', { 'x-amz-checksum-mode': 'ENABLED' }, { partNumber: '1' });
    expect(part.status).toBe(206);
    expect(checksumHeaders(part.headers)).toEqual({ 'x-amz-checksum-crc64nvme': await crc64(body), 'x-amz-checksum-type': 'FULL_OBJECT' });
    const headPart = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'put/ranged', PartNumber: 1, ChecksumMode: 'ENABLED' }));
    expect(headPart.ChecksumCRC64NVME).toBe(await crc64(body));
  });
});

describe('PostObject without a checksum field', () => {
  it('stores the CRC64NVME and names it in the response (LocalStack test_post_object_default_checksum, recorded)', async () => {
    const post = await createPresignedPost(t.s3, { Bucket, Key: 'post/form.txt' });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob(['a browser form upload']), 'form.txt');
    const res = await fetch(post.url, { method: 'POST', body: form });
    expect(res.status).toBe(204);
    const expected = await crc64(Buffer.from('a browser form upload'));
    expect(res.headers.get('x-amz-checksum-crc64nvme')).toBe(expected);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'post/form.txt', ChecksumMode: 'ENABLED' }));
    expect(head).toMatchObject({ ChecksumCRC64NVME: expected, ChecksumType: 'FULL_OBJECT' });
  });
});

/** Uploads `parts` to a new upload created without a checksum algorithm, with `client`'s checksum habits. */
async function uploadParts(client: S3Client, Key: string, parts: Buffer[]): Promise<{ UploadId: string; completed: CompletedPart[] }> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const completed: CompletedPart[] = [];
  for (const [index, Body] of parts.entries()) {
    const out = await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: index + 1, Body }));
    completed.push({ PartNumber: index + 1, ETag: out.ETag });
  }
  return { UploadId: UploadId!, completed };
}

describe('CompleteMultipartUpload of an upload created without a checksum algorithm', () => {
  const parts = [Buffer.alloc(5 * MiB, 'm'), Buffer.from('and the tail')];

  it('gives the object a FULL_OBJECT CRC64NVME of all its bytes, on the completion, GET and HEAD', async () => {
    const Key = 'mpu/plain';
    const { UploadId, completed } = await uploadParts(plain, Key, parts);
    const done = await plain.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: completed } }));
    const expected = await crc64(...parts);
    expect(done).toMatchObject({ ChecksumCRC64NVME: expected, ChecksumType: 'FULL_OBJECT' });
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(head).toMatchObject({ ChecksumCRC64NVME: expected, ChecksumType: 'FULL_OBJECT', ContentLength: 5 * MiB + 12 });
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC64NVME).toBe(expected);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);

    // A retry of the same completion gets the same answer.
    const retry = await plain.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: completed } }));
    expect(retry).toMatchObject({ ChecksumCRC64NVME: expected, ChecksumType: 'FULL_OBJECT', ETag: done.ETag });
  });

  it('partNumber with checksum mode: no checksum for a part of a 2-part object, the object\'s for the only part; none for a Range', async () => {
    const Key = 'mpu/parts';
    const two = await uploadParts(plain, Key, parts);
    await plain.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: two.UploadId, MultipartUpload: { Parts: two.completed } }));
    for (const partNumber of ['1', '2']) {
      const res = await rawGet(Key, { 'x-amz-checksum-mode': 'ENABLED' }, { partNumber });
      expect(res.status).toBe(206);
      expect(checksumHeaders(res.headers)).toEqual({});
    }
    expect(checksumHeaders((await rawGet(Key, { 'x-amz-checksum-mode': 'ENABLED', range: 'bytes=0-9' })).headers)).toEqual({});

    const single = await uploadParts(plain, 'mpu/one-part', [Buffer.from('one part only')]);
    await plain.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu/one-part', UploadId: single.UploadId, MultipartUpload: { Parts: single.completed } }));
    const only = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'mpu/one-part', PartNumber: 1, ChecksumMode: 'ENABLED' }));
    expect(only).toMatchObject({ ChecksumCRC64NVME: await crc64(Buffer.from('one part only')), ChecksumType: 'FULL_OBJECT', PartsCount: 1 });
  });

  it('parts sent with the SDK\'s CRC32 keep it on UploadPart, list no checksum, and the object still gets the CRC64NVME', async () => {
    const Key = 'mpu/crc32-parts';
    // The SDK's default: no algorithm on CreateMultipartUpload, a CRC32 on each UploadPart.
    const { UploadId, completed } = await uploadParts(t.s3, Key, parts);
    const listed = await t.s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(listed.ChecksumAlgorithm).toBeUndefined();
    for (const part of listed.Parts!) {
      expect(Object.keys(part).filter((name) => name.startsWith('Checksum'))).toEqual([]);
    }
    const done = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: completed } }));
    expect(done).toMatchObject({ ChecksumCRC64NVME: await crc64(...parts), ChecksumType: 'FULL_OBJECT' });
    expect(done.ChecksumCRC32).toBeUndefined();
  });

  it('parts sent with their own CRC64NVME, and parts made by UploadPartCopy, combine into the object\'s CRC64NVME', async () => {
    const source = Buffer.alloc(5 * MiB + 3, 's');
    await plain.send(new PutObjectCommand({ Bucket, Key: 'mpu/copy-source', Body: source }));
    const Key = 'mpu/copied-parts';
    const { UploadId } = await plain.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const copied = await plain.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 1, CopySource: `${Bucket}/mpu/copy-source` }));
    // No algorithm on the upload: the copied part names no checksum.
    expect(copied.CopyPartResult?.ChecksumCRC64NVME).toBeUndefined();
    const ranged = await plain.send(
      new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 2, CopySource: `${Bucket}/mpu/copy-source`, CopySourceRange: 'bytes=0-5242879' }),
    );
    const tail = Buffer.from('own crc64nvme');
    const sent = await t.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 3, Body: tail, ChecksumAlgorithm: 'CRC64NVME' }));
    expect(sent.ChecksumCRC64NVME).toBe(await crc64(tail));
    const done = await plain.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: copied.CopyPartResult!.ETag },
            { PartNumber: 2, ETag: ranged.CopyPartResult!.ETag },
            { PartNumber: 3, ETag: sent.ETag },
          ],
        },
      }),
    );
    expect(done.ChecksumCRC64NVME).toBe(await crc64(source, source.subarray(0, 5 * MiB), tail));
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC64NVME).toBe(done.ChecksumCRC64NVME);
    await got.Body!.transformToByteArray();
  });

  it('part checksums in the completion are InvalidPart, even the one the part was sent with; x-amz-checksum-type is the "null" mode\'s InvalidRequest', async () => {
    const Key = 'mpu/refused';
    const body = Buffer.from('sent with a CRC32C');
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const part = await t.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: body, ChecksumAlgorithm: 'CRC32C' }));
    expect(part.ChecksumCRC32C).toBeDefined();
    const complete = (Parts: CompletedPart[], extra: Partial<ConstructorParameters<typeof CompleteMultipartUploadCommand>[0]> = {}) =>
      s3ErrorOf(plain.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts }, ...extra })));
    for (const named of [{ ChecksumCRC32C: part.ChecksumCRC32C }, { ChecksumSHA256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' }]) {
      const refused = await complete([{ PartNumber: 1, ETag: part.ETag, ...named }]);
      expect(refused).toMatchObject({
        code: 'InvalidPart',
        status: 400,
        message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      });
      expect(refused.raw).toMatchObject({ UploadId, PartNumber: '1', ETag: part.ETag!.replace(/"/g, '') });
    }
    for (const ChecksumType of ['FULL_OBJECT', 'COMPOSITE'] as const) {
      expect(await complete([{ PartNumber: 1, ETag: part.ETag }], { ChecksumType })).toMatchObject({
        code: 'InvalidRequest',
        status: 400,
        message: 'The upload was created using the null checksum mode. The complete request must use the same checksum mode.',
      });
    }
    const done = await plain.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expect(done).toMatchObject({ ChecksumCRC64NVME: await crc64(body), ChecksumType: 'FULL_OBJECT' });
  });

  it('checksum headers on the completion are ignored, as S3 ignores them for such an upload', async () => {
    const Key = 'mpu/ignored-header';
    const { UploadId, completed } = await uploadParts(plain, Key, [Buffer.from('small')]);
    const done = await plain.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: completed }, ChecksumCRC32C: 'AAAAAA==-2' }),
    );
    expect(done).toMatchObject({ ChecksumCRC64NVME: await crc64(Buffer.from('small')), ChecksumType: 'FULL_OBJECT' });
  });
});

describe('CopyObject keeps the source\'s checksum, the default included', () => {
  it('a source with the default CRC64NVME: the copy has it (LocalStack test_s3_checksum_no_automatic_sdk_calculation, recorded)', async () => {
    const body = Buffer.from('copied with its default checksum');
    await plain.send(new PutObjectCommand({ Bucket, Key: 'copy/default-src', Body: body }));
    const out = await plain.send(new CopyObjectCommand({ Bucket, Key: 'copy/default-dst', CopySource: `${Bucket}/copy/default-src` }));
    const expected = await crc64(body);
    expect(out.CopyObjectResult).toMatchObject({ ChecksumCRC64NVME: expected, ChecksumType: 'FULL_OBJECT' });
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'copy/default-dst', ChecksumMode: 'ENABLED' }));
    expect(head).toMatchObject({ ChecksumCRC64NVME: expected, ChecksumType: 'FULL_OBJECT' });
  });

  it('a source with another checksum: the copy keeps that one and gets no CRC64NVME (CopyObject x-amz-checksum-algorithm)', async () => {
    const put = await t.s3.send(new PutObjectCommand({ Bucket, Key: 'copy/crc32-src', Body: 'with the SDK\'s CRC32' }));
    const out = await plain.send(new CopyObjectCommand({ Bucket, Key: 'copy/crc32-dst', CopySource: `${Bucket}/copy/crc32-src` }));
    expect(out.CopyObjectResult).toMatchObject({ ChecksumCRC32: put.ChecksumCRC32, ChecksumType: 'FULL_OBJECT' });
    expect(out.CopyObjectResult?.ChecksumCRC64NVME).toBeUndefined();
  });

  it('a multipart source with the default: the copy keeps its CRC64NVME (LocalStack test_multipart_copy_object_etag, recorded)', async () => {
    const parts = [Buffer.alloc(5 * MiB, 'c'), Buffer.from('copied tail')];
    const { UploadId, completed } = await uploadParts(plain, 'copy/mpu-src', parts);
    await plain.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'copy/mpu-src', UploadId, MultipartUpload: { Parts: completed } }));
    const out = await plain.send(new CopyObjectCommand({ Bucket, Key: 'copy/mpu-dst', CopySource: `${Bucket}/copy/mpu-src` }));
    expect(out.CopyObjectResult).toMatchObject({ ChecksumCRC64NVME: await crc64(...parts), ChecksumType: 'FULL_OBJECT' });
  });
});

describe('data written by an older version (no default checksum stored)', () => {
  it('objects stay readable and return no checksum, their copies get the default; parts without a stored CRC64NVME are read once at completion', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'smll-default-checksum-'));
    try {
      let emulator = await startEmulator({ dataDir, buckets: [Bucket] });
      let client = clientFor(emulator.env(Bucket), { requestChecksumCalculation: 'WHEN_REQUIRED' });
      await client.send(new PutObjectCommand({ Bucket, Key: 'legacy', Body: 'stored before the default' }));
      const parts = [Buffer.alloc(5 * MiB, 'o'), Buffer.from('old part')];
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'legacy-upload' }));
      const etags: string[] = [];
      for (const [index, Body] of parts.entries()) {
        etags.push((await client.send(new UploadPartCommand({ Bucket, Key: 'legacy-upload', UploadId, PartNumber: index + 1, Body }))).ETag!);
      }
      await emulator.stop();
      // What an older version stored: no checksum on the object, no CRC64NVME on the parts.
      const db = new Database(join(dataDir, 'metadata.sqlite'));
      // This version keeps each part's CRC64NVME as it is uploaded, so completion reads no part.
      expect(db.prepare('SELECT count(*) FROM upload_parts WHERE crc64nvme IS NOT NULL').pluck().get()).toBe(2);
      db.prepare('UPDATE objects SET checksum_algorithm = NULL, checksum_value = NULL, checksum_type = NULL').run();
      db.prepare('UPDATE upload_parts SET crc64nvme = NULL').run();
      db.close();

      emulator = await startEmulator({ dataDir, buckets: [Bucket] });
      client = clientFor(emulator.env(Bucket));
      const got = await client.send(new GetObjectCommand({ Bucket, Key: 'legacy', ChecksumMode: 'ENABLED' }));
      expect(got.ChecksumCRC64NVME).toBeUndefined();
      expect(got.ChecksumType).toBeUndefined();
      expect(await got.Body!.transformToString()).toBe('stored before the default');
      // A copy is a new object: it gets the default, computed from the source's bytes.
      const copy = await client.send(new CopyObjectCommand({ Bucket, Key: 'legacy-copy', CopySource: `${Bucket}/legacy` }));
      const expected = await crc64(Buffer.from('stored before the default'));
      expect(copy.CopyObjectResult).toMatchObject({ ChecksumCRC64NVME: expected, ChecksumType: 'FULL_OBJECT' });
      expect((await client.send(new HeadObjectCommand({ Bucket, Key: 'legacy', ChecksumMode: 'ENABLED' }))).ChecksumCRC64NVME).toBeUndefined();
      const inPlace = await client.send(
        new CopyObjectCommand({ Bucket, Key: 'legacy', CopySource: `${Bucket}/legacy`, MetadataDirective: 'REPLACE', ContentType: 'text/plain' }),
      );
      expect(inPlace.CopyObjectResult?.ChecksumCRC64NVME).toBe(expected);

      const done = await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: 'legacy-upload',
          UploadId,
          MultipartUpload: { Parts: etags.map((ETag, index) => ({ PartNumber: index + 1, ETag })) },
        }),
      );
      expect(done).toMatchObject({ ChecksumCRC64NVME: await crc64(...parts), ChecksumType: 'FULL_OBJECT' });
      await emulator.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
