import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type ChecksumAlgorithm,
  type ChecksumType,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';

const Bucket = 'test-bucket';
const MiB = 1024 * 1024;
const ALGORITHMS: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];
/** Every algorithm × type S3 accepts for a multipart upload. */
const MULTIPART_COMBINATIONS: Array<[ChecksumAlgorithm, ChecksumType]> = [
  ['CRC32', 'COMPOSITE'],
  ['CRC32', 'FULL_OBJECT'],
  ['CRC32C', 'COMPOSITE'],
  ['CRC32C', 'FULL_OBJECT'],
  ['CRC64NVME', 'FULL_OBJECT'],
  ['SHA1', 'COMPOSITE'],
  ['SHA256', 'COMPOSITE'],
];

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.emulator.stop();
});

const uint32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
};

/** The checksum as the SDKs compute it (from the packages they use), base64 of the big-endian digest. */
async function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): Promise<string> {
  switch (algorithm) {
    case 'CRC32':
      return uint32(crc32(data)).toString('base64');
    case 'CRC32C': {
      const crc = new Crc32c();
      crc.update(data);
      return uint32(crc.digest()).toString('base64');
    }
    case 'CRC64NVME': {
      const crc = new Crc64Nvme();
      crc.update(data);
      return Buffer.from(await crc.digest()).toString('base64');
    }
    case 'SHA1':
      return createHash('sha1').update(data).digest('base64');
    default:
      return createHash('sha256').update(data).digest('base64');
  }
}

/** COMPOSITE: the algorithm over the concatenated binary part checksums, then -N. */
async function compositeOf(algorithm: ChecksumAlgorithm, partChecksums: string[]): Promise<string> {
  const joined = Buffer.concat(partChecksums.map((value) => Buffer.from(value, 'base64')));
  return `${await checksumOf(algorithm, joined)}-${partChecksums.length}`;
}

const field = (algorithm: ChecksumAlgorithm) => `Checksum${algorithm}` as 'ChecksumCRC32';

describe('every checksum algorithm on PutObject, end to end with the SDK', () => {
  it.each(ALGORITHMS)('%s: the SDK computes it, the emulator verifies and stores it, GET returns it (and the SDK validates it)', async (algorithm) => {
    const body = Buffer.from(`checksummed with ${algorithm}`);
    const expected = await checksumOf(algorithm, body);
    const Key = `put/${algorithm}`;
    const put = await t.s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ChecksumAlgorithm: algorithm }));
    expect(put[field(algorithm)]).toBe(expected);
    expect(put.ChecksumType).toBe('FULL_OBJECT');

    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(got[field(algorithm)]).toBe(expected);
    expect(got.ChecksumType).toBe('FULL_OBJECT');
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(head[field(algorithm)]).toBe(expected);

    // Without checksum mode, and on a range, no checksum is sent.
    expect((await t.s3.send(new HeadObjectCommand({ Bucket, Key })))[field(algorithm)]).toBeUndefined();
    const ranged = await t.s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED', Range: 'bytes=0-3' }));
    expect(ranged[field(algorithm)]).toBeUndefined();
    expect(ranged.ChecksumType).toBeUndefined();
    expect(await ranged.Body!.transformToString()).toBe('chec');
  });

  it.each(ALGORITHMS)('%s: as a header (precomputed value) and as an aws-chunked trailer (stream body)', async (algorithm) => {
    const body = Buffer.from(`header and trailer ${algorithm}`);
    const expected = await checksumOf(algorithm, body);
    const seen: Array<Record<string, string>> = [];
    const client = clientFor(t.emulator.env(Bucket));
    client.middlewareStack.add(
      (next) => async (args) => {
        seen.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordHeaders' },
    );
    const header = await client.send(new PutObjectCommand({ Bucket, Key: `header/${algorithm}`, Body: body, [field(algorithm)]: expected }));
    expect(header[field(algorithm)]).toBe(expected);
    expect(seen[0][`x-amz-checksum-${algorithm.toLowerCase()}`]).toBe(expected);

    const trailer = await client.send(
      new PutObjectCommand({ Bucket, Key: `trailer/${algorithm}`, Body: Readable.from([body]), ContentLength: body.length, ChecksumAlgorithm: algorithm }),
    );
    expect(seen[1]['x-amz-trailer']).toBe(`x-amz-checksum-${algorithm.toLowerCase()}`);
    expect(trailer[field(algorithm)]).toBe(expected);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: `trailer/${algorithm}`, ChecksumMode: 'ENABLED' }));
    expect(head[field(algorithm)]).toBe(expected);
  });

  it.each(ALGORITHMS)('%s: a wrong value is BadDigest and nothing is stored', async (algorithm) => {
    const wrong = await checksumOf(algorithm, Buffer.from('something else'));
    const err = await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket, Key: `bad/${algorithm}`, Body: 'the body', [field(algorithm)]: wrong })));
    expect(err).toMatchObject({ code: 'BadDigest', status: 400, message: `The ${algorithm} you specified did not match the calculated checksum.` });
    expect((await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: `bad/${algorithm}` })))).status).toBe(404);
  });

  it('CopyObject keeps the source checksum', async () => {
    const put = await t.s3.send(new PutObjectCommand({ Bucket, Key: 'copy/src', Body: 'copied checksum', ChecksumAlgorithm: 'CRC32C' }));
    const out = await t.s3.send(new CopyObjectCommand({ Bucket, Key: 'copy/dst', CopySource: `${Bucket}/copy/src` }));
    expect(out.CopyObjectResult?.ChecksumCRC32C).toBe(put.ChecksumCRC32C);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'copy/dst', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32C).toBe(put.ChecksumCRC32C);
  });
});

describe('presigned URLs carrying the SDK\'s empty-body CRC32', () => {
  // The SDK presigns with no body, so it signs CRC32("") = AAAAAA== into the query string. S3
  // ignores checksum query parameters on presigned requests (it verifies checksum headers and
  // trailers only), so uploads through such URLs succeed there, and here.
  it('a presigned PUT and presigned UploadParts of any body succeed, and no CRC32 from the URL is stored: S3\'s default CRC64NVME is', async () => {
    const url = await getSignedUrl(t.s3, new PutObjectCommand({ Bucket, Key: 'presigned/put' }), { expiresIn: 60 });
    expect(new URL(url).searchParams.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
    const put = await fetch(url, { method: 'PUT', body: 'not an empty body' });
    expect(put.status).toBe(200);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'presigned/put', ChecksumMode: 'ENABLED' }));
    expect(head.ContentLength).toBe(17);
    expect(head.ChecksumCRC32).toBeUndefined();
    expect(head.ChecksumCRC64NVME).toBe(await checksumOf('CRC64NVME', Buffer.from('not an empty body')));

    // A browser multipart upload: the server creates and completes, the browser PUTs the parts.
    const Key = 'presigned/multipart';
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const parts = [Buffer.alloc(5 * MiB, 'w'), Buffer.from('browser tail')];
    const completed: CompletedPart[] = [];
    for (const [index, body] of parts.entries()) {
      const partUrl = await getSignedUrl(t.s3, new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: index + 1 }), { expiresIn: 60 });
      const res = await fetch(partUrl, { method: 'PUT', body });
      expect(res.status).toBe(200);
      completed.push({ PartNumber: index + 1, ETag: res.headers.get('etag')! });
    }
    const done = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: completed } }));
    expect(done).toMatchObject({ ChecksumCRC64NVME: await checksumOf('CRC64NVME', Buffer.concat(parts)), ChecksumType: 'FULL_OBJECT' });
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
  });
});

describe('CopyObject with x-amz-checksum-algorithm', () => {
  it('gives the copy a FULL_OBJECT checksum of that algorithm, also in place and from a multipart source', async () => {
    const body = Buffer.from('re-checksummed');
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'recheck/src', Body: body, ChecksumAlgorithm: 'CRC32' }));
    const out = await t.s3.send(new CopyObjectCommand({ Bucket, Key: 'recheck/dst', CopySource: `${Bucket}/recheck/src`, ChecksumAlgorithm: 'SHA256' }));
    expect(out.CopyObjectResult?.ChecksumSHA256).toBe(await checksumOf('SHA256', body));
    expect(out.CopyObjectResult?.ChecksumType).toBe('FULL_OBJECT');
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'recheck/dst', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumSHA256).toBe(await checksumOf('SHA256', body));
    expect(got.ChecksumCRC32).toBeUndefined();
    await got.Body!.transformToString();

    // Onto itself without REPLACE is allowed when it changes the checksum algorithm.
    await t.s3.send(new CopyObjectCommand({ Bucket, Key: 'recheck/src', CopySource: `${Bucket}/recheck/src`, ChecksumAlgorithm: 'CRC64NVME' }));
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'recheck/src', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC64NVME).toBe(await checksumOf('CRC64NVME', body));

    const parts = [Buffer.alloc(5 * MiB, 'q'), Buffer.from('end')];
    const { UploadId, completed } = await uploadWithChecksum('recheck/multipart', 'CRC32', 'COMPOSITE', parts);
    await t.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'recheck/multipart', UploadId, MultipartUpload: { Parts: completed } }));
    await t.s3.send(
      new CopyObjectCommand({ Bucket, Key: 'recheck/multipart-copy', CopySource: `${Bucket}/recheck/multipart`, ChecksumAlgorithm: 'CRC32' }),
    );
    const copied = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'recheck/multipart-copy', ChecksumMode: 'ENABLED' }));
    expect(copied.ChecksumCRC32).toBe(await checksumOf('CRC32', Buffer.concat(parts)));
    expect(copied.ChecksumType).toBe('FULL_OBJECT');
    // The SDK validated the FULL_OBJECT value against the body it read.
    expect((await copied.Body!.transformToByteArray()).length).toBe(5 * MiB + 3);
  });

  it('refuses an unknown algorithm', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'recheck/any', Body: 'x' }));
    const err = await s3ErrorOf(
      t.s3.send(new CopyObjectCommand({ Bucket, Key: 'recheck/any2', CopySource: `${Bucket}/recheck/any`, ChecksumAlgorithm: 'MD5' as ChecksumAlgorithm })),
    );
    expect(err).toMatchObject({ code: 'InvalidRequest', status: 400 });
    expect(err.message).toMatch(/^Checksum algorithm provided is unsupported/);
  });
});

/** Uploads `parts` to a new upload created with the algorithm and type; returns the id and the parts as Complete lists them. */
async function uploadWithChecksum(Key: string, algorithm: ChecksumAlgorithm, type: ChecksumType, parts: Buffer[]) {
  const created = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: algorithm, ChecksumType: type }));
  expect(created.ChecksumAlgorithm).toBe(algorithm);
  expect(created.ChecksumType).toBe(type);
  const completed: CompletedPart[] = [];
  for (const [index, Body] of parts.entries()) {
    const out = await t.s3.send(
      new UploadPartCommand({ Bucket, Key, UploadId: created.UploadId, PartNumber: index + 1, Body, ChecksumAlgorithm: algorithm }),
    );
    expect(out[field(algorithm)]).toBe(await checksumOf(algorithm, Body));
    completed.push({ PartNumber: index + 1, ETag: out.ETag, [field(algorithm)]: out[field(algorithm)] });
  }
  return { UploadId: created.UploadId!, completed };
}

describe('multipart uploads with each checksum algorithm and type', () => {
  const parts = [Buffer.alloc(5 * MiB, 'c'), Buffer.from('the last part')];
  const whole = Buffer.concat(parts);

  it.each(MULTIPART_COMBINATIONS)('%s %s', async (algorithm, type) => {
    const Key = `mp/${algorithm}-${type}`;
    const { UploadId, completed } = await uploadWithChecksum(Key, algorithm, type, parts);
    const expected =
      type === 'COMPOSITE'
        ? await compositeOf(algorithm, await Promise.all(parts.map((part) => checksumOf(algorithm, part))))
        : await checksumOf(algorithm, whole);
    const done = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: completed } }));
    expect(done[field(algorithm)]).toBe(expected);
    expect(done.ChecksumType).toBe(type);

    // A FULL_OBJECT value has no -N: the SDK validates it against the body it reads.
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    expect(got[field(algorithm)]).toBe(expected);
    expect(got.ChecksumType).toBe(type);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(whole)).toBe(true);

    // A part: its own checksum for COMPOSITE (validated by the SDK too); none for FULL_OBJECT.
    const part = await t.s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED', PartNumber: 2 }));
    expect(await part.Body!.transformToString()).toBe('the last part');
    expect(part[field(algorithm)]).toBe(type === 'COMPOSITE' ? await checksumOf(algorithm, parts[1]) : undefined);
    const ranged = await t.s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED', Range: 'bytes=0-9' }));
    expect(ranged[field(algorithm)]).toBeUndefined();
  });

  it('a whole-object checksum on Complete is verified: BadDigest when wrong, InvalidRequest when malformed', async () => {
    const { UploadId, completed } = await uploadWithChecksum('mp/verified', 'CRC32', 'COMPOSITE', parts);
    const composite = await compositeOf('CRC32', await Promise.all(parts.map((part) => checksumOf('CRC32', part))));
    const complete = (ChecksumCRC32: string) =>
      t.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mp/verified', UploadId, MultipartUpload: { Parts: completed }, ChecksumCRC32 }));
    expect(await s3ErrorOf(complete('AAAAAA=='))).toMatchObject({
      code: 'BadDigest',
      status: 400,
      message: 'The crc32 you specified did not match the calculated checksum.',
    });
    expect(await s3ErrorOf(complete(`${composite.split('-')[0]}-3`))).toMatchObject({ code: 'BadDigest' });
    expect(await s3ErrorOf(complete(`${composite}-a`))).toMatchObject({
      code: 'InvalidRequest',
      message: 'Value for x-amz-checksum-crc32 header is invalid.',
    });
    // The value with or without its -N.
    expect((await complete(composite.split('-')[0])).ChecksumCRC32).toBe(composite);

    const full = await uploadWithChecksum('mp/verified-full', 'CRC64NVME', 'FULL_OBJECT', parts);
    const fullWrong = await s3ErrorOf(
      t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: 'mp/verified-full',
          UploadId: full.UploadId,
          MultipartUpload: { Parts: full.completed },
          ChecksumCRC64NVME: await checksumOf('CRC64NVME', Buffer.from('not it')),
        }),
      ),
    );
    expect(fullWrong).toMatchObject({ code: 'BadDigest', message: 'The crc64nvme you specified did not match the calculated checksum.' });
  });
});

describe('multipart checksum refusals, as S3 answers them', () => {
  it('CreateMultipartUpload: a type the algorithm cannot make, or a type without an algorithm', async () => {
    const create = (input: Partial<ConstructorParameters<typeof CreateMultipartUploadCommand>[0]>) =>
      s3ErrorOf(t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'refused/create', ...input })));
    expect(await create({ ChecksumAlgorithm: 'SHA1', ChecksumType: 'FULL_OBJECT' })).toMatchObject({
      code: 'InvalidRequest',
      status: 400,
      message: 'The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.',
    });
    expect(await create({ ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'COMPOSITE' })).toMatchObject({
      message: 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.',
    });
    expect(await create({ ChecksumType: 'COMPOSITE' })).toMatchObject({
      code: 'InvalidRequest',
      message: 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
    });
    expect(await create({ ChecksumAlgorithm: 'MD5' as ChecksumAlgorithm })).toMatchObject({
      code: 'InvalidRequest',
      message: 'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
    });
    // Defaults: CRC64NVME is FULL_OBJECT, the others COMPOSITE.
    const nvme = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'refused/create', ChecksumAlgorithm: 'CRC64NVME' }));
    expect(nvme.ChecksumType).toBe('FULL_OBJECT');
    const sha = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'refused/create', ChecksumAlgorithm: 'SHA256' }));
    expect(sha.ChecksumType).toBe('COMPOSITE');
  });

  it('UploadPart: a checksum of another algorithm, or none for a COMPOSITE upload, is a type mismatch', async () => {
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'refused/part', ChecksumAlgorithm: 'SHA256' }));
    const other = await s3ErrorOf(t.s3.send(new UploadPartCommand({ Bucket, Key: 'refused/part', UploadId, PartNumber: 1, Body: 'x', ChecksumAlgorithm: 'CRC32' })));
    expect(other).toMatchObject({
      code: 'InvalidRequest',
      status: 400,
      message: 'Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32',
    });
    // A client told to send checksums only when required sends none for UploadPart.
    const plain = clientFor(t.emulator.env(Bucket), { requestChecksumCalculation: 'WHEN_REQUIRED' });
    const none = await s3ErrorOf(plain.send(new UploadPartCommand({ Bucket, Key: 'refused/part', UploadId, PartNumber: 1, Body: 'x' })));
    expect(none).toMatchObject({ message: 'Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null' });
  });

  it('UploadPart without a checksum for a FULL_OBJECT upload: the emulator computes the part checksum, as S3 does', async () => {
    const Key = 'full/no-part-checksums';
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32C', ChecksumType: 'FULL_OBJECT' }));
    const plain = clientFor(t.emulator.env(Bucket), { requestChecksumCalculation: 'WHEN_REQUIRED' });
    const out = await plain.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'computed here' }));
    expect(out.ChecksumCRC32C).toBe(await checksumOf('CRC32C', Buffer.from('computed here')));
    // Nor does the completion need the part checksums for FULL_OBJECT.
    const done = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: out.ETag }] } }));
    expect(done.ChecksumCRC32C).toBe(await checksumOf('CRC32C', Buffer.from('computed here')));
  });

  it('CompleteMultipartUpload: each part\'s checksum is required (COMPOSITE), well-formed and right', async () => {
    const parts = [Buffer.from('one part')];
    const { UploadId, completed } = await uploadWithChecksum('refused/complete', 'SHA1', 'COMPOSITE', parts);
    const complete = (Parts: CompletedPart[], extra: Partial<ConstructorParameters<typeof CompleteMultipartUploadCommand>[0]> = {}) =>
      s3ErrorOf(t.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'refused/complete', UploadId, MultipartUpload: { Parts }, ...extra })));
    expect(await complete([{ PartNumber: 1, ETag: completed[0].ETag }])).toMatchObject({
      code: 'InvalidRequest',
      status: 400,
      message:
        'The upload was created using a sha1 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.',
    });
    const malformed = await complete([{ ...completed[0], ChecksumSHA1: 'not base64!' }]);
    expect(malformed).toMatchObject({ code: 'InvalidArgument', message: 'Invalid Base64 or multiple checksums present in request' });
    expect(malformed.raw).toMatchObject({ ArgumentName: 'Checksum', ArgumentValue: 'SHA1:not base64!;' });
    const wrong = await complete([{ ...completed[0], ChecksumSHA1: await checksumOf('SHA1', Buffer.from('other')) }]);
    expect(wrong).toMatchObject({ code: 'InvalidPart', status: 400 });
    expect(await complete(completed, { ChecksumType: 'FULL_OBJECT' })).toMatchObject({
      code: 'InvalidRequest',
      message: 'The upload was created using the COMPOSITE checksum mode. The complete request must use the same checksum mode.',
    });
    // Nothing was completed by the refused requests.
    const done = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'refused/complete', UploadId, MultipartUpload: { Parts: completed } }));
    expect(done.ChecksumSHA1).toBe(await compositeOf('SHA1', [await checksumOf('SHA1', parts[0])]));
  });
});
