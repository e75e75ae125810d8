import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import headerExamples from '../../fixtures/sigv4/s3-header-auth-examples.json' with { type: 'json' };
import chunkedExample from '../../fixtures/sigv4/aws-chunked-signed-payload.json' with { type: 'json' };
import trailerExample from '../../fixtures/sigv4/aws-chunked-signed-trailer.json' with { type: 'json' };
import { decodeBody, type DecodedBody, type DecodedBodyResult } from '../../src/auth/payload.js';
import { verifySignature as authenticate } from '../../src/auth/authenticate.js';
import { EMPTY_SHA256 } from '../../src/auth/sigv4-crypto.js';
import type { Authentication } from '../../src/auth/types.js';
import { S3Error } from '../../src/s3/s3-error.js';
import { describeS3Error, thrownS3Error, type ThrownS3Error } from './thrown-s3-error.js';

const { accessKeyId: KEY, secretKey: SECRET, region: REGION } = headerExamples.credentials;
const NOW = new Date(headerExamples.now);
const lookup = (accessKeyId: string) => (accessKeyId === KEY ? SECRET : undefined);

const DATA = '123456789';
const SHA256_OF_DATA = createHash('sha256').update(DATA).digest('hex');
const MD5_OF_DATA = createHash('md5').update(DATA).digest('base64');
/** The check values of "123456789", base64. */
const CHECKSUMS_OF_DATA: Record<string, string> = {
  'x-amz-checksum-crc32': Buffer.from('cbf43926', 'hex').toString('base64'),
  'x-amz-checksum-crc32c': Buffer.from('e3069283', 'hex').toString('base64'),
  'x-amz-checksum-crc64nvme': Buffer.from('ae8b14860a799888', 'hex').toString('base64'),
  'x-amz-checksum-sha1': Buffer.from('f7c3bc1d808e04732adf679965ccc34ca7ae3441', 'hex').toString('base64'),
  'x-amz-checksum-sha256': Buffer.from(SHA256_OF_DATA, 'hex').toString('base64'),
};

/** Only the payload hash matters to the body stage for unchunked bodies. */
function authFor(payloadHash: string): Authentication {
  return {
    accessKeyId: KEY,
    kind: 'header',
    payloadHash,
    signingKey: Buffer.alloc(32),
    amzDate: '20130524T000000Z',
    scope: headerExamples.scope,
    signature: '0'.repeat(64),
  };
}

interface Outcome {
  data: Buffer;
  result?: DecodedBodyResult;
  error?: ThrownS3Error;
}

/** Reads the decoded stream to its end or its error. */
function read(body: DecodedBody): Promise<Outcome> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    body.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.stream.on('end', () => resolve({ data: Buffer.concat(chunks), result: body.result() }));
    body.stream.on('error', (err) => {
      if (!(err instanceof S3Error)) return reject(err);
      resolve({ data: Buffer.concat(chunks), error: describeS3Error(err) });
    });
  });
}

function source(body: string | Buffer, pieceSize = Number.MAX_SAFE_INTEGER): Readable {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += pieceSize) pieces.push(bytes.subarray(offset, offset + pieceSize));
  return Readable.from(pieces);
}

function put(headers: IncomingHttpHeaders, body: string = DATA, payloadHash = 'UNSIGNED-PAYLOAD'): Promise<Outcome> {
  return read(decodeBody(source(body), authFor(payloadHash), headers));
}

function decodeSync(headers: IncomingHttpHeaders, payloadHash = 'UNSIGNED-PAYLOAD'): Outcome['error'] {
  return thrownS3Error(() => decodeBody(source(DATA), authFor(payloadHash), headers));
}

describe('a plain body', () => {
  test('gives its size and MD5, with the SHA-256 of x-amz-content-sha256 verified', async () => {
    const example = headerExamples.examples[1]!;
    const outcome = await put({}, example.body, example.headers['x-amz-content-sha256']);
    expect(outcome.error).toBeUndefined();
    expect(outcome.data.toString()).toBe('Welcome to Amazon S3.');
    expect(outcome.result).toEqual({
      size: 21,
      md5: createHash('md5').update('Welcome to Amazon S3.').digest(),
      checksum: undefined,
    });
  });

  test('with another SHA-256: XAmzContentSHA256Mismatch', async () => {
    const outcome = await put({}, '987654321', SHA256_OF_DATA);
    expect(outcome.error).toEqual({
      code: 'XAmzContentSHA256Mismatch',
      status: 400,
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
      fields: {
        ClientComputedContentSHA256: SHA256_OF_DATA,
        S3ComputedContentSHA256: createHash('sha256').update('987654321').digest('hex'),
      },
    });
  });

  test('UNSIGNED-PAYLOAD takes any body', async () => {
    expect((await put({}, 'anything')).result?.size).toBe(8);
  });

  test('an empty body', async () => {
    const outcome = await put({ 'content-length': '0' }, '', EMPTY_SHA256);
    expect(outcome.result?.size).toBe(0);
    expect(outcome.result?.md5.toString('hex')).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  test('shorter than its Content-Length: IncompleteBody', async () => {
    const outcome = await put({ 'content-length': '10' });
    expect(outcome.error).toMatchObject({
      code: 'IncompleteBody',
      message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.',
    });
  });

  test('over 5 GiB by its Content-Length: EntityTooLarge, before reading it', () => {
    expect(decodeSync({ 'content-length': '5368709121' })).toEqual({
      code: 'EntityTooLarge',
      status: 400,
      message: 'Your proposed upload exceeds the maximum allowed object size.',
      fields: { ProposedSize: 5368709121, MaxSizeAllowed: 5368709120 },
    });
    const atTheLimit = decodeBody(source(DATA), authFor('UNSIGNED-PAYLOAD'), { 'content-length': '5368709120' });
    atTheLimit.stream.on('error', () => undefined).resume();
  });

  test('a source that fails or closes before its end: IncompleteBody', async () => {
    for (const end of [(s: PassThrough) => s.destroy(new Error('ECONNRESET')), (s: PassThrough) => s.destroy()]) {
      const raw = new PassThrough();
      const pending = read(decodeBody(raw, authFor('UNSIGNED-PAYLOAD'), {}));
      raw.write('12345');
      end(raw);
      expect((await pending).error?.code).toBe('IncompleteBody');
    }
  });

  test('result() is only valid once the stream has ended', () => {
    expect(() => decodeBody(source(DATA), authFor('UNSIGNED-PAYLOAD'), {}).result()).toThrow(/once the stream has ended/);
  });
});

describe('Content-MD5', () => {
  test('that matches', async () => {
    expect((await put({ 'content-md5': MD5_OF_DATA })).result?.md5.toString('base64')).toBe(MD5_OF_DATA);
  });

  test('of other content: BadDigest', async () => {
    const other = '1B2M2Y8AsgTpgAmY7PhCfg==';
    expect((await put({ 'content-md5': other })).error).toEqual({
      code: 'BadDigest',
      status: 400,
      message: 'The Content-MD5 you specified did not match what we received.',
      fields: { ExpectedDigest: other, CalculatedDigest: MD5_OF_DATA },
    });
  });

  test.each([
    ['not base64', 'not base64!'],
    ['11 bytes', 'YWJyYWNhZGFicmE='],
    ['in hexadecimal', '25f9e794323b453885f5181f1b624d0b'],
    ['empty', ''],
  ])('%s: InvalidDigest, at once', (_name, value) => {
    expect(decodeSync({ 'content-md5': value })).toEqual({
      code: 'InvalidDigest',
      status: 400,
      message: 'The Content-MD5 you specified was invalid.',
      fields: { 'Content-MD5': value },
    });
  });
});

describe('a checksum header', () => {
  test.each(Object.entries(CHECKSUMS_OF_DATA))('%s that matches is verified and returned', async (name, value) => {
    const outcome = await put({ [name]: value, 'x-amz-sdk-checksum-algorithm': name.slice('x-amz-checksum-'.length) });
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.checksum).toEqual({ algorithm: name.slice('x-amz-checksum-'.length).toUpperCase(), value });
  });

  test.each(Object.entries(CHECKSUMS_OF_DATA))('%s of other content: BadDigest', async (name, value) => {
    const wrong = Buffer.alloc(Buffer.from(value, 'base64').length, 1).toString('base64');
    const algorithm = name.slice('x-amz-checksum-'.length).toUpperCase();
    expect((await put({ [name]: wrong })).error).toEqual({
      code: 'BadDigest',
      status: 400,
      message: `The ${algorithm} you specified did not match the calculated checksum.`,
      fields: {},
    });
  });

  test.each(Object.entries(CHECKSUMS_OF_DATA))('%s that is not base64 of one digest: InvalidRequest', (name, value) => {
    for (const invalid of [Buffer.from(value, 'base64').toString('hex'), value.replace(/=+$/, ''), '']) {
      expect(decodeSync({ [name]: invalid })).toEqual({
        code: 'InvalidRequest',
        status: 400,
        message: `Value for ${name} header is invalid.`,
        fields: {},
      });
    }
  });

  test('two of them: InvalidRequest', () => {
    const headers = { 'x-amz-checksum-crc32': CHECKSUMS_OF_DATA['x-amz-checksum-crc32'], 'x-amz-checksum-sha1': CHECKSUMS_OF_DATA['x-amz-checksum-sha1'] };
    expect(decodeSync(headers)).toMatchObject({
      code: 'InvalidRequest',
      message: 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    });
  });

  test('x-amz-checksum-type and -mode are not checksums', async () => {
    expect((await put({ 'x-amz-checksum-type': 'FULL_OBJECT' })).result?.checksum).toBeUndefined();
  });
});

describe('the default checksum (decodeBody\'s defaultChecksum: S3 stores a CRC64NVME for an upload without one)', () => {
  const decodeWithDefault = (headers: IncomingHttpHeaders, body: string | Buffer = DATA) =>
    read(decodeBody(source(body, 4), authFor('UNSIGNED-PAYLOAD'), headers, { defaultChecksum: 'CRC64NVME' }));

  test('without a checksum header: computed over the body in pieces, the check value of "123456789"', async () => {
    const outcome = await decodeWithDefault({});
    expect(outcome.result).toEqual({ size: 9, md5: Buffer.from(MD5_OF_DATA, 'base64'), checksum: { algorithm: 'CRC64NVME', value: CHECKSUMS_OF_DATA['x-amz-checksum-crc64nvme'] } });
  });

  test('of an empty body: AAAAAAAAAAA=', async () => {
    expect((await decodeWithDefault({}, '')).result?.checksum).toEqual({ algorithm: 'CRC64NVME', value: 'AAAAAAAAAAA=' });
  });

  test('a checksum the request names is the one returned, verified, in place of the default', async () => {
    const value = CHECKSUMS_OF_DATA['x-amz-checksum-sha1'];
    expect((await decodeWithDefault({ 'x-amz-checksum-sha1': value })).result?.checksum).toEqual({ algorithm: 'SHA1', value });
    expect((await decodeWithDefault({ 'x-amz-checksum-sha1': Buffer.alloc(20).toString('base64') })).error?.code).toBe('BadDigest');
  });

  test('not asked for: none', async () => {
    expect((await put({})).result?.checksum).toBeUndefined();
  });
});

describe('x-amz-sdk-checksum-algorithm', () => {
  test('alone: InvalidRequest', () => {
    expect(decodeSync({ 'x-amz-sdk-checksum-algorithm': 'CRC32' })).toMatchObject({
      code: 'InvalidRequest',
      message: 'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    });
  });

  test('naming another algorithm than the header: InvalidRequest', () => {
    const headers = { 'x-amz-sdk-checksum-algorithm': 'SHA256', 'x-amz-checksum-crc32': CHECKSUMS_OF_DATA['x-amz-checksum-crc32'] };
    expect(decodeSync(headers)).toMatchObject({ code: 'InvalidRequest', message: 'Value for x-amz-sdk-checksum-algorithm header is invalid.' });
  });

  test('naming an algorithm S3 does not have: InvalidRequest', () => {
    const headers = { 'x-amz-sdk-checksum-algorithm': 'MD5', 'x-amz-checksum-crc32': CHECKSUMS_OF_DATA['x-amz-checksum-crc32'] };
    expect(decodeSync(headers)).toMatchObject({
      code: 'InvalidRequest',
      message: 'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
    });
  });
});

/** An unsigned-trailer body of DATA in chunks of 4 and 5 bytes, then the given trailer lines. */
function unsignedTrailerBody(trailers: string): string {
  return `4\r\n1234\r\n5\r\n56789\r\n0\r\n${trailers}\r\n`;
}
const UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
const trailerHeaders = (trailer: string): IncomingHttpHeaders => ({
  'content-encoding': 'aws-chunked',
  'x-amz-decoded-content-length': '9',
  'x-amz-trailer': trailer,
  'x-amz-sdk-checksum-algorithm': trailer.slice('x-amz-checksum-'.length),
});

describe('an aws-chunked body with a trailing checksum', () => {
  test.each(Object.entries(CHECKSUMS_OF_DATA))('%s that matches is verified and returned', async (name, value) => {
    const outcome = await put(trailerHeaders(name), unsignedTrailerBody(`${name}:${value}\r\n`), UNSIGNED_TRAILER);
    expect(outcome.error).toBeUndefined();
    expect(outcome.data.toString()).toBe(DATA);
    expect(outcome.result).toMatchObject({ size: 9, checksum: { value } });
  });

  test('of other content: BadDigest', async () => {
    const outcome = await put(trailerHeaders('x-amz-checksum-crc32'), unsignedTrailerBody('x-amz-checksum-crc32:AAAAAA==\r\n'), UNSIGNED_TRAILER);
    expect(outcome.error).toMatchObject({ code: 'BadDigest', message: 'The CRC32 you specified did not match the calculated checksum.' });
  });

  test('that is not base64 of one digest: InvalidRequest', async () => {
    const outcome = await put(trailerHeaders('x-amz-checksum-crc32'), unsignedTrailerBody('x-amz-checksum-crc32:y/Q5Jg\r\n'), UNSIGNED_TRAILER);
    expect(outcome.error).toMatchObject({ code: 'InvalidRequest', message: 'Value for x-amz-checksum-crc32 trailing header is invalid.' });
  });

  test('announced, with a checksum header as well: InvalidRequest', () => {
    const { 'x-amz-sdk-checksum-algorithm': _, ...announced } = trailerHeaders('x-amz-checksum-crc32');
    const headers = { ...announced, 'x-amz-checksum-crc32c': CHECKSUMS_OF_DATA['x-amz-checksum-crc32c'] };
    expect(decodeSync(headers, UNSIGNED_TRAILER)).toMatchObject({
      code: 'InvalidRequest',
      message: 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    });
  });

  test('announced, of an unknown kind: InvalidRequest', () => {
    expect(decodeSync({ 'x-amz-trailer': 'x-amz-meta-color' }, UNSIGNED_TRAILER)).toMatchObject({
      code: 'InvalidRequest',
      message: 'The value specified in the x-amz-trailer header is not supported',
    });
  });

  test('announced for a body that cannot have trailers: MalformedTrailerError', () => {
    for (const payloadHash of ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'UNSIGNED-PAYLOAD', SHA256_OF_DATA]) {
      expect(decodeSync({ 'x-amz-trailer': 'x-amz-checksum-crc32' }, payloadHash)?.code).toBe('MalformedTrailerError');
    }
  });

  test('an over-long x-amz-decoded-content-length: EntityTooLarge; a malformed one: InvalidArgument', () => {
    expect(decodeSync({ 'x-amz-decoded-content-length': '6000000000' }, UNSIGNED_TRAILER)?.code).toBe('EntityTooLarge');
    expect(decodeSync({ 'x-amz-decoded-content-length': 'ten' }, UNSIGNED_TRAILER)).toMatchObject({
      code: 'InvalidArgument',
      fields: { ArgumentName: 'x-amz-decoded-content-length', ArgumentValue: 'ten' },
    });
  });
});

/** The documented streaming requests, authenticated, then their bodies decoded, fed in `pieceSize` bytes. */
async function documentedUpload(example: typeof chunkedExample | typeof trailerExample, body: string, pieceSize: number): Promise<Outcome> {
  const authorization = `AWS4-HMAC-SHA256 Credential=${KEY}/${headerExamples.scope}, SignedHeaders=${example.signedHeaders}, Signature=${example.seedSignature}`;
  const headers: IncomingHttpHeaders = { ...example.headers, authorization };
  const auth = authenticate({ method: 'PUT', rawPath: example.rawPath, rawQuery: '', headers }, lookup, { region: REGION, now: NOW });
  return read(decodeBody(source(body, pieceSize), auth, headers));
}

function signedChunks(example: typeof chunkedExample | typeof trailerExample): string {
  const chunks = example.chunkSizes.map(
    (size, i) => `${size.toString(16)};chunk-signature=${example.chunkSignatures[i]}\r\n${'a'.repeat(size)}\r\n`,
  );
  return `${chunks.join('')}0;chunk-signature=${example.finalChunkSignature}\r\n`;
}

describe('the documented streaming uploads, end to end', () => {
  test.each([1, 7, Number.MAX_SAFE_INTEGER])('signed chunks, fed %i bytes at a time', async (pieceSize) => {
    const outcome = await documentedUpload(chunkedExample, `${signedChunks(chunkedExample)}\r\n`, pieceSize);
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.size).toBe(66560);
    expect(outcome.result?.md5).toEqual(createHash('md5').update(Buffer.alloc(66560, 'a')).digest());
  });

  test.each([1, 7, Number.MAX_SAFE_INTEGER])('signed chunks and a signed trailer, fed %i bytes at a time', async (pieceSize) => {
    const body = `${signedChunks(trailerExample)}x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:${trailerExample.trailerSignature}\r\n\r\n`;
    const outcome = await documentedUpload(trailerExample, body, pieceSize);
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({ size: 66560, checksum: { algorithm: 'CRC32C', value: 'sOO8/Q==' } });
  });

  test('a bad chunk signature errors the stream instead of ending it', async () => {
    const body = `${signedChunks(chunkedExample)}\r\n`.replace(chunkedExample.chunkSignatures[1]!, '0'.repeat(64));
    const outcome = await documentedUpload(chunkedExample, body, 4096);
    expect(outcome.error?.code).toBe('SignatureDoesNotMatch');
    expect(outcome.result).toBeUndefined();
  });
});

describe('bodies the emulator cannot take', () => {
  test('SigV4a streaming: NotImplemented', () => {
    expect(decodeSync({}, 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD')).toMatchObject({ code: 'NotImplemented', status: 501 });
  });

  test('signed chunks without credentials: AccessDenied', () => {
    const headers = { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' };
    expect(thrownS3Error(() => decodeBody(source(DATA), undefined, headers))?.code).toBe('AccessDenied');
  });

  test('an anonymous unsigned-trailer body is decoded', async () => {
    const headers = { 'x-amz-content-sha256': UNSIGNED_TRAILER, ...trailerHeaders('x-amz-checksum-crc32') };
    const body = unsignedTrailerBody(`x-amz-checksum-crc32:${CHECKSUMS_OF_DATA['x-amz-checksum-crc32']}\r\n`);
    const outcome = await read(decodeBody(source(body), undefined, headers));
    expect(outcome.result?.size).toBe(9);
  });
});
