import { request } from 'node:http';
import { crc32 } from 'node:zlib';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_SHA256, hmac, sha256Hex } from '../../src/auth/sigv4-crypto.js';
import { signRequest } from '../../src/auth/sigv4-client.js';
import { s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields } from '../raw-request.js';

let t: TestEmulator;
const Bucket = 'test-bucket';
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.emulator.stop();
});

type Mode = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' | 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';

/**
 * Sends an aws-chunked PUT signed chunk by chunk, as SDKs do over plain HTTP with signed
 * payloads; `tamper` corrupts the second chunk's signature.
 */
function chunkedPut(key: string, chunks: Buffer[], mode: Mode, options: { tamper?: boolean; trailerCrc?: string } = {}) {
  const env = t.emulator.env(Bucket);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const withTrailer = mode.endsWith('-TRAILER');
  const signed = signRequest({
    method: 'PUT',
    url: `${env.S3_ENDPOINT}/${Bucket}/${key}`,
    accessKeyId: env.S3_ACCESS_KEY,
    secretKey: env.S3_SECRET_KEY,
    region: env.S3_REGION,
    payloadHash: mode,
    headers: {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(total),
      ...(withTrailer ? { 'x-amz-trailer': 'x-amz-checksum-crc32' } : {}),
    },
  });
  let previous = signed.signature;
  const parts: Buffer[] = [];
  for (const [index, data] of [...chunks, Buffer.alloc(0)].entries()) {
    const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', signed.amzDate, signed.scope, previous, EMPTY_SHA256, sha256Hex(data)].join('\n');
    let signature = hmac(signed.signingKey, toSign).toString('hex');
    previous = signature;
    if (options.tamper && index === 1) signature = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    parts.push(Buffer.from(`${data.length.toString(16)};chunk-signature=${signature}\r\n`), data);
    if (data.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (withTrailer) {
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat(chunks)));
    const trailer = `x-amz-checksum-crc32:${options.trailerCrc ?? crc.toString('base64')}`;
    const toSign = ['AWS4-HMAC-SHA256-TRAILER', signed.amzDate, signed.scope, previous, sha256Hex(`${trailer}\n`)].join('\n');
    parts.push(Buffer.from(`${trailer}\r\nx-amz-trailer-signature:${hmac(signed.signingKey, toSign).toString('hex')}\r\n\r\n`));
  } else {
    parts.push(Buffer.from('\r\n'));
  }
  const body = Buffer.concat(parts);
  const url = new URL(env.S3_ENDPOINT);
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: 'PUT', path: `/${Bucket}/${key}`, headers: { ...signed.headers, 'content-length': String(body.length) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const chunks = [Buffer.alloc(64 * 1024, 'a'), Buffer.alloc(64 * 1024, 'b'), Buffer.alloc(1000, 'c')];

describe('aws-chunked uploads with signed chunks', () => {
  it.each(['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'] as const)(
    '%s: stores the payload without the framing, with its trailing CRC32 or else S3\'s default CRC64NVME',
    async (mode) => {
      const res = await chunkedPut(`signed/${mode}`, chunks, mode);
      expect(res.status).toBe(200);
      const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: `signed/${mode}`, ChecksumMode: 'ENABLED' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(chunks))).toBe(true);
      expect(got.ContentEncoding).toBeUndefined();
      const crc32Value = Buffer.alloc(4);
      crc32Value.writeUInt32BE(crc32(Buffer.concat(chunks)));
      const crc64 = new Crc64Nvme();
      for (const chunk of chunks) crc64.update(chunk);
      const expected = mode.endsWith('-TRAILER')
        ? { ChecksumCRC32: crc32Value.toString('base64'), ChecksumCRC64NVME: undefined }
        : { ChecksumCRC32: undefined, ChecksumCRC64NVME: Buffer.from(await crc64.digest()).toString('base64') };
      expect({ ChecksumCRC32: got.ChecksumCRC32, ChecksumCRC64NVME: got.ChecksumCRC64NVME }).toEqual(expected);
    },
  );

  it('refuses a bad chunk signature with SignatureDoesNotMatch and stores nothing', async () => {
    const res = await chunkedPut('signed/tampered', chunks, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', { tamper: true });
    expect(res.status).toBe(403);
    expect(errorFields(res.text).Code).toBe('SignatureDoesNotMatch');
    expect((await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: 'signed/tampered' })))).status).toBe(404);
  });

  it('refuses a trailing CRC32 of other bytes with BadDigest and stores nothing', async () => {
    const res = await chunkedPut('signed/bad-crc', chunks, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', { trailerCrc: 'AAAAAA==' });
    expect(res.status).toBe(400);
    expect(errorFields(res.text).Code).toBe('BadDigest');
    expect((await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: 'signed/bad-crc' })))).status).toBe(404);
  });
});
