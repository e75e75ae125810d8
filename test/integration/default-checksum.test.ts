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
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, startTestEmulator, type TestEmulator } from '../helpers.js';
import { signedFetch } from '../raw-request.js';

const Bucket = 'test-bucket';

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
