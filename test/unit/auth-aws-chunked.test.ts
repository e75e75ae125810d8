import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import chunkedExample from '../../fixtures/sigv4/aws-chunked-signed-payload.json' with { type: 'json' };
import trailerExample from '../../fixtures/sigv4/aws-chunked-signed-trailer.json' with { type: 'json' };
import { AwsChunkedDecoder, type AwsChunkedDecoderOptions, type ChunkSigningContext } from '../../src/auth/aws-chunked.js';
import { createChecksum } from '../../src/auth/checksums.js';
import { S3Error } from '../../src/s3/s3-error.js';
import { deriveSigningKey, hmac, sha256Hex } from '../../src/auth/sigv4-crypto.js';

const { accessKeyId, secretKey, region } = chunkedExample.credentials;
const SIGNING_KEY = deriveSigningKey(secretKey, '20130524', region);
const SCOPE = '20130524/us-east-1/s3/aws4_request';
const PAYLOAD = Buffer.alloc(66560, 'a');

function signing(seedSignature: string): ChunkSigningContext {
  return { accessKeyId, signingKey: SIGNING_KEY, amzDate: '20130524T000000Z', scope: SCOPE, seedSignature };
}

type Example = typeof chunkedExample | typeof trailerExample;

/** The framed body of a documented example: its chunks of 'a' with their signatures, then the final chunk. */
function signedChunks(example: Example): string {
  const chunks = example.chunkSizes.map(
    (size, i) => `${size.toString(16)};chunk-signature=${example.chunkSignatures[i]}\r\n${'a'.repeat(size)}\r\n`,
  );
  return `${chunks.join('')}0;chunk-signature=${example.finalChunkSignature}\r\n`;
}

const SIGNED_BODY = `${signedChunks(chunkedExample)}\r\n`;
const TRAILER_LINES = 'x-amz-checksum-crc32c:sOO8/Q==\r\n';
const SIGNED_TRAILER_BODY = `${signedChunks(trailerExample)}${TRAILER_LINES}x-amz-trailer-signature:${trailerExample.trailerSignature}\r\n\r\n`;

const SIGNED_OPTIONS: AwsChunkedDecoderOptions = {
  mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  signing: signing(chunkedExample.seedSignature),
  announcedTrailers: [],
  decodedContentLength: 66560,
};
const SIGNED_TRAILER_OPTIONS: AwsChunkedDecoderOptions = {
  mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  signing: signing(trailerExample.seedSignature),
  announcedTrailers: ['x-amz-checksum-crc32c'],
  decodedContentLength: 66560,
};

/** An unsigned-trailer body as the JS SDK frames it: 8 KiB chunks, then a CRC32 trailer. No published vector exists for this mode (nothing in it is signed). */
const CRC32_OF_PAYLOAD = crc32Base64(PAYLOAD);
function unsignedTrailerBody(trailer = `x-amz-checksum-crc32:${CRC32_OF_PAYLOAD}\r\n`): string {
  let body = '';
  for (let offset = 0; offset < PAYLOAD.length; offset += 8192) {
    const size = Math.min(8192, PAYLOAD.length - offset);
    body += `${size.toString(16)}\r\n${'a'.repeat(size)}\r\n`;
  }
  return `${body}0\r\n${trailer}\r\n`;
}
const UNSIGNED_TRAILER_OPTIONS: AwsChunkedDecoderOptions = {
  mode: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  announcedTrailers: ['x-amz-checksum-crc32'],
  decodedContentLength: 66560,
};

function crc32Base64(data: Buffer): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc32(data));
  return bytes.toString('base64');
}

interface Decoded {
  data: Buffer;
  trailers: ReadonlyMap<string, string>;
  error?: S3Error;
}

/** Feeds the body to a decoder in pieces of `pieceSize` bytes and collects what comes out. */
function decode(body: string | Buffer, pieceSize: number, options: AwsChunkedDecoderOptions): Promise<Decoded> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += pieceSize) pieces.push(bytes.subarray(offset, offset + pieceSize));
  const decoder = new AwsChunkedDecoder(options);
  const output: Buffer[] = [];
  return new Promise((resolve, reject) => {
    decoder.on('data', (data: Buffer) => output.push(data));
    decoder.on('end', () => resolve({ data: Buffer.concat(output), trailers: decoder.trailers }));
    decoder.on('error', (error) => {
      if (error instanceof S3Error) resolve({ data: Buffer.concat(output), trailers: decoder.trailers, error });
      else reject(error);
    });
    Readable.from(pieces).pipe(decoder);
  });
}

const PIECE_SIZES = [1, 7, 4096, Number.MAX_SAFE_INTEGER];

describe('the AWS documentation examples', () => {
  test.each(PIECE_SIZES)('STREAMING-AWS4-HMAC-SHA256-PAYLOAD, fed %i bytes at a time', async (pieceSize) => {
    const decoded = await decode(SIGNED_BODY, pieceSize, SIGNED_OPTIONS);
    expect(decoded.error).toBeUndefined();
    expect(decoded.data.equals(PAYLOAD)).toBe(true);
    expect(decoded.trailers.size).toBe(0);
  });

  test.each(PIECE_SIZES)('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, fed %i bytes at a time', async (pieceSize) => {
    const decoded = await decode(SIGNED_TRAILER_BODY, pieceSize, SIGNED_TRAILER_OPTIONS);
    expect(decoded.error).toBeUndefined();
    expect(decoded.data.equals(PAYLOAD)).toBe(true);
    expect([...decoded.trailers]).toEqual(trailerExample.trailers);
  });

  test('the chunk signatures chain as published', () => {
    const chain = (example: Example) => {
      let previous = example.seedSignature;
      const signatures: string[] = [];
      for (const size of [...example.chunkSizes, 0]) {
        const toSign = [
          'AWS4-HMAC-SHA256-PAYLOAD',
          '20130524T000000Z',
          SCOPE,
          previous,
          sha256Hex(''),
          sha256Hex(Buffer.alloc(size, 'a')),
        ].join('\n');
        previous = hmac(SIGNING_KEY, toSign).toString('hex');
        signatures.push(previous);
      }
      return signatures;
    };
    expect(chain(chunkedExample)).toEqual([...chunkedExample.chunkSignatures, chunkedExample.finalChunkSignature]);
    expect(chain(trailerExample)).toEqual([...trailerExample.chunkSignatures, trailerExample.finalChunkSignature]);
  });

  test('the published CRC32C trailer is the CRC32C of the payload', async () => {
    const checksum = createChecksum('CRC32C');
    checksum.update(PAYLOAD);
    expect(trailerExample.trailers).toEqual([['x-amz-checksum-crc32c', await checksum.digestBase64()]]);
  });
});

describe('STREAMING-UNSIGNED-PAYLOAD-TRAILER', () => {
  test.each(PIECE_SIZES)('decodes, fed %i bytes at a time', async (pieceSize) => {
    const decoded = await decode(unsignedTrailerBody(), pieceSize, UNSIGNED_TRAILER_OPTIONS);
    expect(decoded.error).toBeUndefined();
    expect(decoded.data.equals(PAYLOAD)).toBe(true);
    expect([...decoded.trailers]).toEqual([['x-amz-checksum-crc32', CRC32_OF_PAYLOAD]]);
  });

  test('with no trailer announced and none sent', async () => {
    const decoded = await decode('3\r\nabc\r\n0\r\n\r\n', 1, { ...UNSIGNED_TRAILER_OPTIONS, announcedTrailers: [], decodedContentLength: 3 });
    expect(decoded.error).toBeUndefined();
    expect(decoded.data.toString()).toBe('abc');
  });

  test('with chunk extensions, which carry nothing for an unsigned body', async () => {
    const decoded = await decode('3;foo=bar;baz\r\nabc\r\n0\r\n\r\n', 2, { ...UNSIGNED_TRAILER_OPTIONS, announcedTrailers: [], decodedContentLength: 3 });
    expect(decoded.data.toString()).toBe('abc');
  });

  test("minio-go's layout (mc): the trailer ended by a bare LF, then two blank lines (minio-go's StreamingUSReader.addTrailer)", async () => {
    const decoded = await decode(unsignedTrailerBody(`x-amz-checksum-crc32:${CRC32_OF_PAYLOAD}\n\r\n`), 5, UNSIGNED_TRAILER_OPTIONS);
    expect(decoded.error).toBeUndefined();
    expect(decoded.trailers.get('x-amz-checksum-crc32')).toBe(CRC32_OF_PAYLOAD);
  });

  test('a bare LF ends nothing but a trailer line: in a chunk header it is IncompleteBody', async () => {
    const decoded = await decode('3\nabc\r\n0\r\n\r\n', 4, { ...UNSIGNED_TRAILER_OPTIONS, announcedTrailers: [], decodedContentLength: 3 });
    expect(decoded.error).toMatchObject({ code: 'IncompleteBody' });
  });

  test('tolerates a missing final CRLF, and an empty line before the trailers', async () => {
    const trailer = `x-amz-checksum-crc32:${CRC32_OF_PAYLOAD}\r\n`;
    const withoutEnd = unsignedTrailerBody().slice(0, -2);
    const withEmptyLine = unsignedTrailerBody(`\r\n${trailer}`);
    for (const body of [withoutEnd, withEmptyLine]) {
      const decoded = await decode(body, 7, UNSIGNED_TRAILER_OPTIONS);
      expect(decoded.error).toBeUndefined();
      expect(decoded.trailers.get('x-amz-checksum-crc32')).toBe(CRC32_OF_PAYLOAD);
    }
  });
});

describe('tolerated variants of the signed modes', () => {
  test('the final CRLF missing at the end of the body', async () => {
    const signed = await decode(SIGNED_BODY.slice(0, -2), 7, SIGNED_OPTIONS);
    expect(signed.error).toBeUndefined();
    const trailer = await decode(SIGNED_TRAILER_BODY.slice(0, -2), 7, SIGNED_TRAILER_OPTIONS);
    expect(trailer.error).toBeUndefined();
    expect(trailer.trailers.get('x-amz-checksum-crc32c')).toBe('sOO8/Q==');
  });

  test('an empty line between the final chunk and the trailers', async () => {
    const body = SIGNED_TRAILER_BODY.replace(TRAILER_LINES, `\r\n${TRAILER_LINES}`);
    const decoded = await decode(body, 7, SIGNED_TRAILER_OPTIONS);
    expect(decoded.error).toBeUndefined();
  });

  test("minio-go's layout (mc): the trailer ended by a bare LF, then a blank line before the signature (minio/minio-go#1705, verified against S3 by its authors)", async () => {
    const body = `${signedChunks(trailerExample)}x-amz-checksum-crc32c:sOO8/Q==\n\r\nx-amz-trailer-signature:${trailerExample.trailerSignature}\r\n\r\n`;
    for (const pieceSize of PIECE_SIZES) {
      const decoded = await decode(body, pieceSize, SIGNED_TRAILER_OPTIONS);
      expect(decoded.error).toBeUndefined();
      expect(decoded.trailers.get('x-amz-checksum-crc32c')).toBe('sOO8/Q==');
    }
  });

  test('no x-amz-decoded-content-length', async () => {
    const decoded = await decode(SIGNED_BODY, 4096, { ...SIGNED_OPTIONS, decodedContentLength: undefined });
    expect(decoded.data.length).toBe(66560);
  });
});

/** Changes the character right after the n-th occurrence (from 0) of `marker`. */
function corrupt(body: string, marker: string, occurrence = 0): string {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = body.indexOf(marker, at + 1);
  const position = at + marker.length;
  const replacement = body[position] === '0' ? '1' : '0';
  return body.slice(0, position) + replacement + body.slice(position + 1);
}

const INCOMPLETE = { code: 'IncompleteBody', status: 400, message: 'The request body terminated unexpectedly' };
const MALFORMED_TRAILER = {
  code: 'MalformedTrailerError',
  status: 400,
  message: 'The request contained trailing data that was not well-formed or did not conform to our published schema.',
};

describe('bad signatures', () => {
  test.each([
    ['the first chunk', 0],
    ['the second chunk', 1],
    ['the final chunk', 2],
  ])('of %s: SignatureDoesNotMatch', async (_name, occurrence) => {
    const body = corrupt(SIGNED_BODY, 'chunk-signature=', occurrence);
    for (const pieceSize of [7, Number.MAX_SAFE_INTEGER]) {
      const { error } = await decode(body, pieceSize, SIGNED_OPTIONS);
      expect(error?.code).toBe('SignatureDoesNotMatch');
      expect(error?.status).toBe(403);
      expect(String(error?.fields.StringToSign)).toMatch(/^AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n/);
      expect(error?.fields.AWSAccessKeyId).toBe(accessKeyId);
    }
  });

  test('a chunk signed with another key', async () => {
    const options = { ...SIGNED_OPTIONS, signing: { ...signing(chunkedExample.seedSignature), signingKey: deriveSigningKey('other', '20130524', region) } };
    expect((await decode(SIGNED_BODY, 4096, options)).error?.code).toBe('SignatureDoesNotMatch');
  });

  test('chunks that chain from another seed signature', async () => {
    const options = { ...SIGNED_OPTIONS, signing: signing(trailerExample.seedSignature) };
    expect((await decode(SIGNED_BODY, 4096, options)).error?.code).toBe('SignatureDoesNotMatch');
  });

  test('of the trailer: SignatureDoesNotMatch', async () => {
    const body = corrupt(SIGNED_TRAILER_BODY, 'x-amz-trailer-signature:');
    const { error } = await decode(body, 7, SIGNED_TRAILER_OPTIONS);
    expect(error?.code).toBe('SignatureDoesNotMatch');
    expect(String(error?.fields.StringToSign)).toMatch(/^AWS4-HMAC-SHA256-TRAILER\n/);
  });

  test('a changed trailer value no longer matches the trailer signature', async () => {
    const body = SIGNED_TRAILER_BODY.replace('sOO8/Q==', 'AAAAAA==');
    expect((await decode(body, 7, SIGNED_TRAILER_OPTIONS)).error?.code).toBe('SignatureDoesNotMatch');
  });
});

describe('malformed framing', () => {
  test.each<[string, string | Buffer, AwsChunkedDecoderOptions]>([
    ['a body cut short in the data', SIGNED_BODY.slice(0, 1000), SIGNED_OPTIONS],
    ['a body cut short in a chunk header', SIGNED_BODY.slice(0, 65536 + 90), SIGNED_OPTIONS],
    ['a body cut short before the final chunk', SIGNED_BODY.slice(0, SIGNED_BODY.indexOf('0;chunk-signature')), SIGNED_OPTIONS],
    ['an empty body', '', SIGNED_OPTIONS],
    ['a chunk size that is not hex', SIGNED_BODY.replace('10000;', '1000g;'), SIGNED_OPTIONS],
    ['a chunk size one too large', SIGNED_BODY.replace('10000;', '10001;'), SIGNED_OPTIONS],
    ['a chunk size one too small', SIGNED_BODY.replace('10000;', 'ffff;'), SIGNED_OPTIONS],
    ['no chunk-signature in a signed mode', SIGNED_BODY.replace(/^10000;chunk-signature=\w+/, '10000'), SIGNED_OPTIONS],
    ['a chunk-signature that is not 64 hex digits', SIGNED_BODY.replace(/^(10000;chunk-signature=)\w/, '$1'), SIGNED_OPTIONS],
    ['a line feed without carriage return', SIGNED_BODY.replace(/^(10000;chunk-signature=\w+)\r\n/, '$1\n'), SIGNED_OPTIONS],
    ['no CRLF after the data', `3\r\nabcX\r\n0\r\n\r\n`, { ...UNSIGNED_TRAILER_OPTIONS, announcedTrailers: [], decodedContentLength: 3 }],
    ['data after the end', `${SIGNED_BODY}extra`, SIGNED_OPTIONS],
    ['a line after the final chunk that is not empty', `${signedChunks(chunkedExample)}x\r\n`, SIGNED_OPTIONS],
    ['a chunk header longer than any real one', `${'0'.repeat(5000)}\r\n`, SIGNED_OPTIONS],
    ['more data than x-amz-decoded-content-length', SIGNED_BODY, { ...SIGNED_OPTIONS, decodedContentLength: 66559 }],
    ['less data than x-amz-decoded-content-length', SIGNED_BODY, { ...SIGNED_OPTIONS, decodedContentLength: 66561 }],
  ])('%s: IncompleteBody', async (_name, body, options) => {
    for (const pieceSize of [1, 7, Number.MAX_SAFE_INTEGER]) {
      const { error } = await decode(body, pieceSize, options);
      expect({ code: error?.code, status: error?.status, message: error?.message }).toEqual(INCOMPLETE);
    }
  });
});

describe('malformed trailers', () => {
  test.each<[string, string, AwsChunkedDecoderOptions]>([
    ['a trailer that x-amz-trailer did not announce', unsignedTrailerBody(`x-amz-checksum-crc32c:sOO8/Q==\r\n`), UNSIGNED_TRAILER_OPTIONS],
    ['an announced trailer that is not sent', unsignedTrailerBody(''), UNSIGNED_TRAILER_OPTIONS],
    ['a trailer line without a colon', unsignedTrailerBody(`x-amz-checksum-crc32${CRC32_OF_PAYLOAD}\r\n`), UNSIGNED_TRAILER_OPTIONS],
    ['the same trailer twice', unsignedTrailerBody(`x-amz-checksum-crc32:${CRC32_OF_PAYLOAD}\r\n`.repeat(2)), UNSIGNED_TRAILER_OPTIONS],
    ['a trailer signature in the unsigned mode', unsignedTrailerBody(`x-amz-checksum-crc32:${CRC32_OF_PAYLOAD}\r\nx-amz-trailer-signature:${'0'.repeat(64)}\r\n`), UNSIGNED_TRAILER_OPTIONS],
    ['no trailer signature in the signed mode', `${signedChunks(trailerExample)}${TRAILER_LINES}\r\n`, SIGNED_TRAILER_OPTIONS],
    ['a trailer after the trailer signature', SIGNED_TRAILER_BODY.replace(/\r\n\r\n$/, '\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n\r\n'), SIGNED_TRAILER_OPTIONS],
  ])('%s: MalformedTrailerError', async (_name, body, options) => {
    for (const pieceSize of [1, 7, Number.MAX_SAFE_INTEGER]) {
      const { error } = await decode(body, pieceSize, options);
      expect({ code: error?.code, status: error?.status, message: error?.message }).toEqual(MALFORMED_TRAILER);
    }
  });

  test('a body cut short in the trailers: IncompleteBody', async () => {
    const { error } = await decode(unsignedTrailerBody().slice(0, -8), 7, UNSIGNED_TRAILER_OPTIONS);
    expect(error?.code).toBe('IncompleteBody');
  });
});

test('a signed mode without a signing context is a programming error', () => {
  expect(() => new AwsChunkedDecoder({ mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', announcedTrailers: [] })).toThrow(TypeError);
});

describe('a trailer holding non-ASCII bytes (issue 10, point 1)', () => {
  /** The published trailer example with another trailer line, signed as `signedAs` bytes. */
  function trailerBody(line: Buffer, signedAs: Buffer): Buffer {
    const toSign = [
      'AWS4-HMAC-SHA256-TRAILER',
      '20130524T000000Z',
      SCOPE,
      trailerExample.finalChunkSignature,
      sha256Hex(Buffer.concat([signedAs, Buffer.from('\n')])),
    ].join('\n');
    const signature = hmac(SIGNING_KEY, toSign).toString('hex');
    return Buffer.concat([Buffer.from(signedChunks(trailerExample), 'latin1'), line, Buffer.from(`\r\nx-amz-trailer-signature:${signature}\r\n\r\n`)]);
  }
  const line = Buffer.from('x-amz-checksum-crc32c:größer', 'utf8');

  test.each(PIECE_SIZES)('is verified over the bytes received (UTF-8 stays UTF-8), fed %i bytes at a time', async (pieceSize) => {
    const decoded = await decode(trailerBody(line, line), pieceSize, SIGNED_TRAILER_OPTIONS);
    expect(decoded.error).toBeUndefined();
    // The value as a byte string, one char per byte, as a header's value reads.
    expect(decoded.trailers.get('x-amz-checksum-crc32c')).toBe(Buffer.from('größer', 'utf8').toString('latin1'));
  });

  test('signed over the UTF-8 of its Latin-1 reading (encoded twice) → SignatureDoesNotMatch', async () => {
    const twice = Buffer.from(line.toString('latin1'), 'utf8');
    const decoded = await decode(trailerBody(line, twice), 4096, SIGNED_TRAILER_OPTIONS);
    expect(decoded.error?.code).toBe('SignatureDoesNotMatch');
  });
});
