import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, s3ErrorOf, sqliteDataDir, startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields, signedFetch } from '../raw-request.js';

const MiB = 1024 * 1024;
const Bucket = 'test-bucket';

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.emulator.stop();
});

const md5 = (data: Buffer) => createHash('md5').update(data).digest();
/** S3's multipart ETag: MD5 of the concatenated binary part MD5s, then -N. */
const multipartEtag = (parts: Buffer[]) => `"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-${parts.length}"`;

/** Files under the SQLite store's blobs/: how many blob files hold object and part data; undefined in gateway mode (see sqliteDataDir). */
function blobFileCount(emulator: TestEmulator['emulator']): number | undefined {
  const dataDir = sqliteDataDir(emulator);
  if (dataDir === undefined) return undefined;
  const blobs = join(dataDir, 'blobs');
  return readdirSync(blobs).reduce((count, shard) => count + readdirSync(join(blobs, shard)).length, 0);
}

async function bodyOf(out: { Body?: { transformToByteArray(): Promise<Uint8Array> } }): Promise<Buffer> {
  return Buffer.from(await out.Body!.transformToByteArray());
}

/** Creates an upload of `Key` and uploads `parts` as parts 1..N; returns the id and each part's ETag. */
async function uploadParts(s3: S3Client, Key: string, parts: Buffer[]) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const etags: string[] = [];
  for (const [index, Body] of parts.entries()) {
    etags.push((await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: index + 1, Body }))).ETag!);
  }
  return { UploadId: UploadId!, etags };
}

const completeWith = (Key: string, UploadId: string, etags: string[], extra: Partial<ConstructorParameters<typeof CompleteMultipartUploadCommand>[0]> = {}) =>
  new CompleteMultipartUploadCommand({
    Bucket,
    Key,
    UploadId,
    MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
    ...extra,
  });

describe('lib-storage Upload (what applications use above ~5 MiB)', () => {
  it('uploads 64 MiB from a stream as a multipart upload with default checksums, read back byte-exact', async () => {
    const total = 64 * MiB;
    const sent = createHash('sha256');
    // Generated as it is read: the test never holds the 64 MiB.
    async function* generate(): AsyncGenerator<Buffer> {
      for (let produced = 0; produced < total; produced += MiB) {
        const chunk = randomBytes(MiB);
        sent.update(chunk);
        yield chunk;
      }
    }
    const upload = new Upload({ client: t.s3, params: { Bucket, Key: 'big/64mib.bin', Body: Readable.from(generate()) } });
    const result = await upload.done();
    // 5 MiB parts (lib-storage's default): 13 parts.
    expect(result.ETag).toMatch(/^"[0-9a-f]{32}-13"$/);

    const received = createHash('sha256');
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'big/64mib.bin' }));
    let length = 0;
    for await (const chunk of got.Body as Readable) {
      received.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
    expect(length).toBe(total);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    expect(got.ETag).toBe(result.ETag);

    // lib-storage creates the upload with CRC32 (the SDK default): a COMPOSITE checksum of 13 parts.
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'big/64mib.bin', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==-13$/);
    expect(head.ChecksumType).toBe('COMPOSITE');
    expect(head.ContentLength).toBe(total);
  });

  it('with ChecksumAlgorithm CRC64NVME the object gets a FULL_OBJECT checksum, which the SDK validates on GET', async () => {
    const body = randomBytes(11 * MiB);
    const result = await new Upload({ client: t.s3, params: { Bucket, Key: 'big/crc64', Body: body, ChecksumAlgorithm: 'CRC64NVME' } }).done();
    expect(result.ETag).toMatch(/-3"$/);
    expect(result.ChecksumType).toBe('FULL_OBJECT');
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'big/crc64', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumType).toBe('FULL_OBJECT');
    expect(got.ChecksumCRC64NVME).toBe(result.ChecksumCRC64NVME);
    // Reading the body runs the SDK's check of the whole-object CRC64NVME.
    expect((await bodyOf(got)).equals(body)).toBe(true);
  });

  it('a failed upload surfaces the AccessDenied of its AbortMultipartUpload, as against SMLL', async () => {
    // Part 2 carries a Content-MD5 that does not match its bytes: the emulator answers BadDigest.
    const failingClient = clientFor(t.emulator.env(Bucket));
    failingClient.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { PartNumber?: number };
        if (context.commandName === 'UploadPartCommand' && input.PartNumber === 2) {
          (args.request as { headers: Record<string, string> }).headers['content-md5'] = md5(Buffer.alloc(0)).toString('base64');
        }
        return next(args);
      },
      { step: 'build', name: 'corruptPartTwo' },
    );
    const body = Buffer.alloc(11 * MiB, 'x');
    // lib-storage then sends AbortMultipartUpload and, when that fails, throws the abort's error
    // instead of the part's (it awaits the abort without catching it).
    const err = await s3ErrorOf(new Upload({ client: failingClient, params: { Bucket, Key: 'failed/upload', Body: body } }).done());
    expect(err.code).toBe('AccessDenied');
    expect(err.status).toBe(403);
    expect(err.message).toContain('s3:AbortMultipartUpload');

    // With leavePartsOnError lib-storage skips the abort, and the part's own error surfaces.
    const kept = await s3ErrorOf(
      new Upload({ client: failingClient, leavePartsOnError: true, params: { Bucket, Key: 'failed/upload', Body: body } }).done(),
    );
    expect(kept).toMatchObject({ code: 'BadDigest', status: 400 });
    expect((await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: 'failed/upload' })))).status).toBe(404);
  });
});

describe('CreateMultipartUpload / UploadPart / CompleteMultipartUpload', () => {
  it('makes the object from the parts in order, with S3 ETag, and the metadata given at creation', async () => {
    const parts = [Buffer.alloc(5 * MiB, 'a'), Buffer.alloc(5 * MiB, 'b'), Buffer.from('tail')];
    const { UploadId } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket, Key: 'mp/meta', ContentType: 'text/plain', Metadata: { colour: 'blue' }, CacheControl: 'no-store' }),
    );
    const etags: string[] = [];
    for (const [index, Body] of parts.entries()) {
      const out = await t.s3.send(new UploadPartCommand({ Bucket, Key: 'mp/meta', UploadId, PartNumber: index + 1, Body }));
      expect(out.ETag).toBe(`"${md5(Body).toString('hex')}"`);
      etags.push(out.ETag!);
    }
    const blobsBefore = blobFileCount(t.emulator);
    const done = await t.s3.send(completeWith('mp/meta', UploadId!, etags));
    expect(done.ETag).toBe(multipartEtag(parts));
    expect(done.Key).toBe('mp/meta');
    expect(done.Bucket).toBe(Bucket);
    // Completing copied nothing: the part files are the object's files.
    expect(blobFileCount(t.emulator)).toBe(blobsBefore);

    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'mp/meta' }));
    expect((await bodyOf(got)).equals(Buffer.concat(parts))).toBe(true);
    expect(got.ETag).toBe(multipartEtag(parts));
    expect(got.ContentType).toBe('text/plain');
    expect(got.CacheControl).toBe('no-store');
    expect(got.Metadata).toEqual({ colour: 'blue' });
  });

  it('keeps only the parts the completion names, and the last upload of a part number', async () => {
    const { UploadId } = await uploadParts(t.s3, 'mp/subset', [Buffer.alloc(5 * MiB, '1'), Buffer.from('first two')]);
    const replaced = await t.s3.send(new UploadPartCommand({ Bucket, Key: 'mp/subset', UploadId, PartNumber: 2, Body: 'second two' }));
    const third = await t.s3.send(new UploadPartCommand({ Bucket, Key: 'mp/subset', UploadId, PartNumber: 3, Body: 'never used' }));
    const first = await t.s3.send(new UploadPartCommand({ Bucket, Key: 'mp/subset', UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MiB, '1') }));
    const blobsBefore = blobFileCount(t.emulator);
    await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'mp/subset',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: first.ETag }, { PartNumber: 2, ETag: replaced.ETag }] },
      }),
    );
    expect(third.ETag).toBeDefined();
    // Part 3 was dropped with its file.
    if (blobsBefore !== undefined) expect(blobFileCount(t.emulator)).toBe(blobsBefore - 1);
    const got = await bodyOf(await t.s3.send(new GetObjectCommand({ Bucket, Key: 'mp/subset' })));
    expect(got.subarray(5 * MiB).toString()).toBe('second two');
  });

  it('a single part of any size is a valid upload', async () => {
    const { UploadId, etags } = await uploadParts(t.s3, 'mp/one-small', [Buffer.from('tiny')]);
    const done = await t.s3.send(completeWith('mp/one-small', UploadId, etags));
    expect(done.ETag).toBe(multipartEtag([Buffer.from('tiny')]));
    expect((await bodyOf(await t.s3.send(new GetObjectCommand({ Bucket, Key: 'mp/one-small' })))).toString()).toBe('tiny');
  });

  it('If-None-Match: * refuses to complete over an existing key (412); a retried completion gets 200 and the same ETag', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'mp/exists', Body: 'already here' }));
    const blocked = await uploadParts(t.s3, 'mp/exists', [Buffer.from('new')]);
    const refused = await s3ErrorOf(t.s3.send(completeWith('mp/exists', blocked.UploadId, blocked.etags, { IfNoneMatch: '*' })));
    expect(refused).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect((await bodyOf(await t.s3.send(new GetObjectCommand({ Bucket, Key: 'mp/exists' })))).toString()).toBe('already here');

    const { UploadId, etags } = await uploadParts(t.s3, 'mp/fresh', [Buffer.from('fresh')]);
    const done = await t.s3.send(completeWith('mp/fresh', UploadId, etags, { IfNoneMatch: '*' }));
    // The retry (e.g. after a lost response) succeeds although the key now exists.
    const retried = await t.s3.send(completeWith('mp/fresh', UploadId, etags, { IfNoneMatch: '*' }));
    expect(retried.ETag).toBe(done.ETag);
    // A different part list for the completed upload is NoSuchUpload.
    const other = await s3ErrorOf(t.s3.send(completeWith('mp/fresh', UploadId, ['"00000000000000000000000000000000"'])));
    expect(other).toMatchObject({ code: 'NoSuchUpload', status: 404 });
    // So is a new part for it.
    const late = await s3ErrorOf(t.s3.send(new UploadPartCommand({ Bucket, Key: 'mp/fresh', UploadId, PartNumber: 2, Body: 'late' })));
    expect(late).toMatchObject({ code: 'NoSuchUpload', status: 404 });
  });
});

describe('multipart errors, as S3 answers them', () => {
  it('EntityTooSmall: a part under 5 MiB that is not the last', async () => {
    const parts = [Buffer.from('small'), Buffer.from('last')];
    const { UploadId, etags } = await uploadParts(t.s3, 'err/small', parts);
    const err = await s3ErrorOf(t.s3.send(completeWith('err/small', UploadId, etags)));
    expect(err).toMatchObject({ code: 'EntityTooSmall', status: 400, message: 'Your proposed upload is smaller than the minimum allowed object size.' });
    expect(err.raw).toMatchObject({ ProposedSize: '5', MinSizeAllowed: '5242880', PartNumber: '1' });
    expect((await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: 'err/small' })))).status).toBe(404);
  });

  it('InvalidPart: a part never uploaded, or an ETag that is not the part\'s', async () => {
    const { UploadId, etags } = await uploadParts(t.s3, 'err/part', [Buffer.from('only')]);
    const missing = await s3ErrorOf(
      t.s3.send(
        new CompleteMultipartUploadCommand({ Bucket, Key: 'err/part', UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: etags[0] }] } }),
      ),
    );
    expect(missing).toMatchObject({ code: 'InvalidPart', status: 400 });
    expect(missing.message).toBe(
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    );
    expect(missing.raw).toMatchObject({ UploadId, PartNumber: '2' });
    const wrongEtag = await s3ErrorOf(t.s3.send(completeWith('err/part', UploadId, ['"0123456789abcdef0123456789abcdef"'])));
    expect(wrongEtag).toMatchObject({ code: 'InvalidPart', status: 400 });
    // The upload is still open after a refused completion.
    expect((await t.s3.send(completeWith('err/part', UploadId, etags))).ETag).toMatch(/-1"$/);
  });

  it('InvalidPartOrder: parts not in ascending order (or repeated)', async () => {
    const { UploadId, etags } = await uploadParts(t.s3, 'err/order', [Buffer.alloc(5 * MiB), Buffer.from('b')]);
    const swapped = await s3ErrorOf(
      t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: 'err/order',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 2, ETag: etags[1] }, { PartNumber: 1, ETag: etags[0] }] },
        }),
      ),
    );
    expect(swapped).toMatchObject({
      code: 'InvalidPartOrder',
      status: 400,
      message: 'The list of parts was not in ascending order. Parts must be ordered by part number.',
    });
    const repeated = await s3ErrorOf(
      t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: 'err/order',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etags[0] }, { PartNumber: 1, ETag: etags[0] }] },
        }),
      ),
    );
    expect(repeated.code).toBe('InvalidPartOrder');
  });

  it('NoSuchUpload: an unknown upload id, or one of another key', async () => {
    const unknown = await s3ErrorOf(t.s3.send(new UploadPartCommand({ Bucket, Key: 'err/none', UploadId: 'not-an-upload', PartNumber: 1, Body: 'x' })));
    expect(unknown).toMatchObject({
      code: 'NoSuchUpload',
      status: 404,
      message: 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    });
    const { UploadId, etags } = await uploadParts(t.s3, 'err/mine', [Buffer.from('x')]);
    const otherKey = await s3ErrorOf(t.s3.send(completeWith('err/not-mine', UploadId, etags)));
    expect(otherKey).toMatchObject({ code: 'NoSuchUpload', status: 404 });
  });

  it('part numbers are integers 1..10000 (InvalidArgument)', async () => {
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'err/numbers' }));
    const env = t.emulator.env(Bucket);
    for (const partNumber of ['0', '10001', 'abc', '1.5', '']) {
      const res = await signedFetch(env, { method: 'PUT', path: '/test-bucket/err/numbers', query: { uploadId: UploadId!, partNumber }, body: 'x' });
      expect(res.status).toBe(400);
      expect(errorFields(res.text)).toMatchObject({
        Code: 'InvalidArgument',
        Message: 'Part number must be an integer between 1 and 10000, inclusive',
        ArgumentName: 'partNumber',
        // (an empty ArgumentValue is an empty element, which errorFields does not list)
        ...(partNumber === '' ? {} : { ArgumentValue: partNumber }),
      });
    }
    const ok = await t.s3.send(new UploadPartCommand({ Bucket, Key: 'err/numbers', UploadId, PartNumber: 10000, Body: 'x' }));
    expect(ok.ETag).toBeDefined();
    const inDocument = await signedFetch(env, {
      method: 'POST',
      path: '/test-bucket/err/numbers',
      query: { uploadId: UploadId! },
      body: `<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>${ok.ETag}</ETag></Part></CompleteMultipartUpload>`,
    });
    expect(inDocument.status).toBe(400);
    expect(errorFields(inDocument.text)).toMatchObject({ Code: 'InvalidArgument', ArgumentName: 'partNumber' });
  });

  it('x-amz-mp-object-size, when sent, must be the object\'s size (InvalidRequest)', async () => {
    const { UploadId, etags } = await uploadParts(t.s3, 'err/size', [Buffer.from('twelve bytes')]);
    const withSize = (MpuObjectSize: number) => t.s3.send(completeWith('err/size', UploadId, etags, { MpuObjectSize }));
    expect(await s3ErrorOf(withSize(13))).toMatchObject({
      code: 'InvalidRequest',
      status: 400,
      message: "The provided 'x-amz-mp-object-size' header value 13 does not match what was computed: 12",
    });
    expect(await s3ErrorOf(withSize(-1))).toMatchObject({ message: "Value for x-amz-mp-object-size header is less than zero: '-1'" });
    const notANumber = await signedFetch(t.emulator.env(Bucket), {
      method: 'POST',
      path: '/test-bucket/err/size',
      query: { uploadId: UploadId },
      headers: { 'x-amz-mp-object-size': 'twelve' },
      body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etags[0]}</ETag></Part></CompleteMultipartUpload>`,
    });
    expect(notANumber.status).toBe(400);
    expect(errorFields(notANumber.text)).toMatchObject({ Code: 'InvalidRequest', Message: "Value for x-amz-mp-object-size header is invalid: 'twelve'" });
    expect((await withSize(12)).ETag).toMatch(/-1"$/);
  });

  it('MalformedXML: a completion that is not XML, has no parts, or lacks a part\'s ETag', async () => {
    const { UploadId } = await uploadParts(t.s3, 'err/xml', [Buffer.from('x')]);
    const env = t.emulator.env(Bucket);
    for (const body of [
      'not xml at all',
      '<CompleteMultipartUpload></CompleteMultipartUpload>',
      '<Other><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></Other>',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>',
    ]) {
      const res = await signedFetch(env, { method: 'POST', path: '/test-bucket/err/xml', query: { uploadId: UploadId }, body });
      expect(res.status).toBe(400);
      expect(errorFields(res.text).Code).toBe('MalformedXML');
    }
  });
});

describe('UploadPartCopy', () => {
  it('copies a whole object or an x-amz-copy-source-range of it into a part', async () => {
    const source = Buffer.concat([Buffer.alloc(5 * MiB, 's'), Buffer.from('0123456789')]);
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'copy-src/data', Body: source }));
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp/copied' }));
    const whole = await t.s3.send(new UploadPartCopyCommand({ Bucket, Key: 'mp/copied', UploadId, PartNumber: 1, CopySource: `${Bucket}/copy-src/data` }));
    expect(whole.CopyPartResult?.ETag).toBe(`"${md5(source).toString('hex')}"`);
    const ranged = await t.s3.send(
      new UploadPartCopyCommand({
        Bucket,
        Key: 'mp/copied',
        UploadId,
        PartNumber: 2,
        CopySource: `/${Bucket}/copy-src/data`,
        CopySourceRange: `bytes=${5 * MiB + 2}-${5 * MiB + 5}`,
      }),
    );
    expect(ranged.CopyPartResult?.ETag).toBe(`"${md5(Buffer.from('2345')).toString('hex')}"`);
    await t.s3.send(completeWith('mp/copied', UploadId!, [whole.CopyPartResult!.ETag!, ranged.CopyPartResult!.ETag!]));
    const got = await bodyOf(await t.s3.send(new GetObjectCommand({ Bucket, Key: 'mp/copied' })));
    expect(got.equals(Buffer.concat([source, Buffer.from('2345')]))).toBe(true);
  });

  it('refuses a malformed or out-of-range x-amz-copy-source-range, a missing source and another bucket', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'copy-src/small', Body: '0123456789' }));
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp/copy-errors' }));
    const part = (extra: Partial<ConstructorParameters<typeof UploadPartCopyCommand>[0]>) =>
      s3ErrorOf(t.s3.send(new UploadPartCopyCommand({ Bucket, Key: 'mp/copy-errors', UploadId, PartNumber: 1, CopySource: `${Bucket}/copy-src/small`, ...extra })));
    expect(await part({ CopySourceRange: 'bytes=5-' })).toMatchObject({
      code: 'InvalidArgument',
      status: 400,
      message:
        'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
    });
    expect(await part({ CopySourceRange: 'bytes=5-10' })).toMatchObject({
      code: 'InvalidArgument',
      message: 'Range specified is not valid for source object of size: 10',
    });
    expect(await part({ CopySource: `${Bucket}/copy-src/absent` })).toMatchObject({ code: 'NoSuchKey', status: 404 });
    const otherBucket = await part({ CopySource: 'other-bucket/anything' });
    expect(otherBucket).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(otherBucket.message).toContain('s3:GetObject on resource: "arn:aws:s3:::other-bucket/anything"');
    expect(await part({ CopySourceIfMatch: '"nope"' })).toMatchObject({ code: 'PreconditionFailed', status: 412 });
  });

  it('refuses a versionId source without s3:GetObjectVersion, naming the source', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'copy-src/versioned', Body: 'v' }));
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp/copy-versioned' }));
    const err = await s3ErrorOf(
      t.s3.send(new UploadPartCopyCommand({ Bucket, Key: 'mp/copy-versioned', UploadId, PartNumber: 1, CopySource: `${Bucket}/copy-src/versioned?versionId=null` })),
    );
    expect(err).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(err.message).toContain('s3:GetObjectVersion on resource: "arn:aws:s3:::test-bucket/copy-src/versioned"');
    expect(err.message).toMatch(/The versionId in the request header x-amz-copy-source asks for s3:GetObjectVersion: send the request without it\.$/);
  });
});

describe('GetObject / HeadObject ?partNumber', () => {
  const parts = [Buffer.alloc(5 * MiB, 'p'), Buffer.from('second part')];
  beforeAll(async () => {
    const { UploadId, etags } = await uploadParts(t.s3, 'parts/object', parts);
    await t.s3.send(completeWith('parts/object', UploadId, etags));
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'parts/single', Body: 'one piece' }));
  });

  it('returns part N with 206, its Content-Range and x-amz-mp-parts-count', async () => {
    const second = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'parts/object', PartNumber: 2 }));
    expect(second.$metadata.httpStatusCode).toBe(206);
    expect((await bodyOf(second)).toString()).toBe('second part');
    expect(second.ContentRange).toBe(`bytes ${5 * MiB}-${5 * MiB + 10}/${5 * MiB + 11}`);
    expect(second.ContentLength).toBe(11);
    expect(second.PartsCount).toBe(2);
    expect(second.ETag).toBe(multipartEtag(parts));

    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'parts/object', PartNumber: 1 }));
    expect(head.$metadata.httpStatusCode).toBe(206);
    expect(head.ContentLength).toBe(5 * MiB);
    expect(head.ContentRange).toBe(`bytes 0-${5 * MiB - 1}/${5 * MiB + 11}`);
    expect(head.PartsCount).toBe(2);
  });

  it('part 1 of an object uploaded in one piece is the whole object', async () => {
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'parts/single', PartNumber: 1 }));
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect((await bodyOf(got)).toString()).toBe('one piece');
    expect(got.ContentRange).toBe('bytes 0-8/9');
    expect(got.PartsCount).toBeUndefined();
  });

  it('refuses a part beyond the last (416 InvalidPartNumber), a bad number (400) and partNumber with Range (400)', async () => {
    const beyond = await s3ErrorOf(t.s3.send(new GetObjectCommand({ Bucket, Key: 'parts/object', PartNumber: 3 })));
    expect(beyond).toMatchObject({ code: 'InvalidPartNumber', status: 416, message: 'The requested partnumber is not satisfiable' });
    const beyondSingle = await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: 'parts/single', PartNumber: 2 })));
    expect(beyondSingle.status).toBe(416);
    const env = t.emulator.env(Bucket);
    const bad = await signedFetch(env, { method: 'GET', path: '/test-bucket/parts/object', query: { partNumber: '0' } });
    expect(bad.status).toBe(400);
    expect(errorFields(bad.text)).toMatchObject({ Code: 'InvalidArgument', ArgumentName: 'partNumber' });
    const withRange = await s3ErrorOf(t.s3.send(new GetObjectCommand({ Bucket, Key: 'parts/object', PartNumber: 1, Range: 'bytes=0-1' })));
    expect(withRange).toMatchObject({ code: 'InvalidRequest', status: 400, message: 'Cannot specify both Range header and partNumber query parameter' });
  });
});

describe('AbortMultipartUpload and ListParts', () => {
  it('are refused with SMLL credentials, naming the IAM action', async () => {
    const { UploadId } = await uploadParts(t.s3, 'refused/upload', [Buffer.from('x')]);
    const abort = await s3ErrorOf(t.s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'refused/upload', UploadId })));
    expect(abort).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(abort.message).toContain('s3:AbortMultipartUpload');
    const list = await s3ErrorOf(t.s3.send(new ListPartsCommand({ Bucket, Key: 'refused/upload', UploadId })));
    expect(list).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(list.message).toContain('s3:ListMultipartUploadParts');
  });

  it('work for a bucket granted s3:AbortMultipartUpload and s3:ListMultipartUploadParts', async () => {
    const granted = await startTestEmulator({ allow: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] });
    try {
      const { UploadId } = await granted.s3.send(
        new CreateMultipartUploadCommand({ Bucket, Key: 'granted/upload', ChecksumAlgorithm: 'SHA256' }),
      );
      const parts = [Buffer.alloc(5 * MiB, 'g'), Buffer.from('end')];
      for (const [index, Body] of parts.entries()) {
        await granted.s3.send(new UploadPartCommand({ Bucket, Key: 'granted/upload', UploadId, PartNumber: index + 1, Body, ChecksumAlgorithm: 'SHA256' }));
      }
      const listed = await granted.s3.send(new ListPartsCommand({ Bucket, Key: 'granted/upload', UploadId }));
      expect(listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual(
        parts.map((part, index) => [index + 1, part.length, `"${md5(part).toString('hex')}"`]),
      );
      expect(listed.Parts?.[1].ChecksumSHA256).toBe(createHash('sha256').update('end').digest('base64'));
      expect(listed.ChecksumAlgorithm).toBe('SHA256');
      const page = await granted.s3.send(new ListPartsCommand({ Bucket, Key: 'granted/upload', UploadId, MaxParts: 1 }));
      expect(page.IsTruncated).toBe(true);
      expect(page.NextPartNumberMarker).toBe('1');

      const blobsBefore = blobFileCount(granted.emulator);
      await granted.s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'granted/upload', UploadId }));
      if (blobsBefore !== undefined) expect(blobFileCount(granted.emulator)).toBe(blobsBefore - 2);
      const gone = await s3ErrorOf(granted.s3.send(new ListPartsCommand({ Bucket, Key: 'granted/upload', UploadId })));
      expect(gone).toMatchObject({ code: 'NoSuchUpload', status: 404 });
      const again = await s3ErrorOf(granted.s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'granted/upload', UploadId })));
      expect(again).toMatchObject({ code: 'NoSuchUpload', status: 404 });
    } finally {
      await granted.emulator.stop();
    }
  });
});

describe('ListMultipartUploads', () => {
  it('is refused with SMLL credentials, naming s3:ListBucketMultipartUploads', async () => {
    const err = await s3ErrorOf(t.s3.send(new ListMultipartUploadsCommand({ Bucket })));
    expect(err).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(err.message).toContain('s3:ListBucketMultipartUploads');
  });

  it('lists open uploads by key then initiation, with prefix, delimiter and marker paging, for a bucket granted it', async () => {
    const granted = await startTestEmulator({ allow: ['s3:ListBucketMultipartUploads'] });
    try {
      const create = async (Key: string) => (await granted.s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32' }))).UploadId!;
      const first = await create('logs/a');
      const second = await create('logs/a');
      const other = await create('photos/x/1.jpg');
      const top = await create('readme');
      const done = await create('logs/done');
      const part = await granted.s3.send(new UploadPartCommand({ Bucket, Key: 'logs/done', UploadId: done, PartNumber: 1, Body: 'x', ChecksumAlgorithm: 'CRC32' }));
      await granted.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: 'logs/done',
          UploadId: done,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 }] },
        }),
      );

      const all = await granted.s3.send(new ListMultipartUploadsCommand({ Bucket }));
      // Completed uploads are not listed; two uploads of one key come in initiation order.
      expect(all.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
        ['logs/a', first],
        ['logs/a', second],
        ['photos/x/1.jpg', other],
        ['readme', top],
      ]);
      expect(all.Uploads?.[0]).toMatchObject({ StorageClass: 'STANDARD', ChecksumAlgorithm: 'CRC32', ChecksumType: 'COMPOSITE' });
      expect(all.Uploads?.[0].Initiated).toBeInstanceOf(Date);
      expect(all.IsTruncated).toBe(false);

      const rolled = await granted.s3.send(new ListMultipartUploadsCommand({ Bucket, Delimiter: '/' }));
      expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['logs/', 'photos/']);
      expect(rolled.Uploads?.map((u) => u.Key)).toEqual(['readme']);
      const prefixed = await granted.s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'photos/' }));
      expect(prefixed.Uploads?.map((u) => u.UploadId)).toEqual([other]);

      // Paging one at a time through the markers visits every upload once.
      const seen: string[] = [];
      let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
      for (let page = 0; page < 10; page++) {
        const out = await granted.s3.send(new ListMultipartUploadsCommand({ Bucket, MaxUploads: 1, ...markers }));
        seen.push(...(out.Uploads ?? []).map((u) => u.UploadId!));
        if (!out.IsTruncated) break;
        markers = { KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker };
      }
      expect(seen).toEqual([first, second, other, top]);

      const bad = await s3ErrorOf(granted.s3.send(new ListMultipartUploadsCommand({ Bucket, MaxUploads: -1 })));
      expect(bad).toMatchObject({ code: 'InvalidArgument', status: 400, message: 'Provided max-uploads not an integer or within integer range' });
    } finally {
      await granted.emulator.stop();
    }
  });
});

describe('uploads across a restart', () => {
  it('an open upload survives a restart of a persistent data dir (its parts are not orphans)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'smll-multipart-restart-'));
    try {
      const first = await startTestEmulator({ dataDir });
      const parts = [Buffer.alloc(5 * MiB, 'r'), Buffer.from('after restart')];
      const { UploadId } = await first.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'restart/upload' }));
      const one = await first.s3.send(new UploadPartCommand({ Bucket, Key: 'restart/upload', UploadId, PartNumber: 1, Body: parts[0] }));
      await first.emulator.stop();

      const second = await startTestEmulator({ dataDir });
      try {
        const two = await second.s3.send(new UploadPartCommand({ Bucket, Key: 'restart/upload', UploadId, PartNumber: 2, Body: parts[1] }));
        const done = await second.s3.send(completeWith('restart/upload', UploadId!, [one.ETag!, two.ETag!]));
        expect(done.ETag).toBe(multipartEtag(parts));
        expect((await bodyOf(await second.s3.send(new GetObjectCommand({ Bucket, Key: 'restart/upload' })))).equals(Buffer.concat(parts))).toBe(true);
      } finally {
        await second.emulator.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('abandoned uploads expire', () => {
  it('deletes an upload and its part data once older than uploadExpiry', async () => {
    const short = await startTestEmulator({ uploadExpiry: 300 });
    try {
      const { UploadId } = await uploadParts(short.s3, 'expiring/upload', [Buffer.from('abandoned part')]);
      const blobs = () => blobFileCount(short.emulator);
      if (blobs() !== undefined) expect(blobs()).toBe(1);
      // Gateway mode keeps no blob files: there the upload is gone once a part of it is refused.
      const gone = async () =>
        blobs() === undefined
          ? short.s3.send(new UploadPartCommand({ Bucket, Key: 'expiring/upload', UploadId, PartNumber: 3, Body: 'probe' })).then(() => false, () => true)
          : blobs() === 0;
      let expired = false;
      // Bounded: the sweep runs every 150 ms; give it up to 5 s.
      for (let attempt = 0; attempt < 50 && !expired; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        expired = await gone();
      }
      expect(expired).toBe(true);
      const err = await s3ErrorOf(short.s3.send(new UploadPartCommand({ Bucket, Key: 'expiring/upload', UploadId, PartNumber: 2, Body: 'late' })));
      expect(err).toMatchObject({ code: 'NoSuchUpload', status: 404 });
    } finally {
      await short.emulator.stop();
    }
  });

  it('keeps uploads younger than the default 24 h', async () => {
    const { UploadId } = await uploadParts(t.s3, 'young/upload', [Buffer.from('kept')]);
    const part = await t.s3.send(new UploadPartCommand({ Bucket, Key: 'young/upload', UploadId, PartNumber: 2, Body: 'still open' }));
    expect(part.ETag).toBeDefined();
  });

  it('refuses a non-positive uploadExpiry', async () => {
    await expect(startTestEmulator({ uploadExpiry: 0 })).rejects.toThrow(/uploadExpiry must be a positive number/);
  });
});
