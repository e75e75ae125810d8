/**
 * aws-chunked bodies, fuzzed through the real server in all three streaming modes: a valid framing
 * (random chunk sizes, chunk signatures chained from the request's seed signature, trailing
 * checksum and trailer signature) and mutations of it (a byte replaced, inserted or removed
 * anywhere, a wrong size line, a hostile trailer, a wrong decoded length). Every variant gets a
 * success or a catalogued S3 error; the untouched body is stored and reads back byte-exact; a
 * failed upload leaves the previous object in place.
 * Framing: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_SHA256, sha256Hex, signatureHex } from '../../src/auth/sigv4-crypto.js';
import { BUCKET, assertStillServing, checkedExchange, fuzz, fuzzTarget, headerText, rawRequest, sendSigned, signedRaw } from './harness.js';

const target = fuzzTarget();
const rawPath = `/${BUCKET}/chunked/key`;
const previous = Buffer.from('the object before');

beforeAll(async () => {
  expect((await sendSigned(target, { method: 'PUT', rawPath, body: previous })).status).toBe(200);
});

const MODES = ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'] as const;
type Mode = (typeof MODES)[number];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('size-line' as const), value: fc.oneof(headerText(20), fc.constantFrom('ffffffffffffffff', '-1', '0x10', ' 10', '10 ', '', ';', 'g')) }),
  fc.record({ kind: fc.constant('trailer' as const), value: headerText(60) }),
  fc.record({ kind: fc.constant('decoded-length' as const), value: fc.oneof(fc.nat().map(String), headerText(12)) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function crc32Base64(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

describe('aws-chunked', () => {
  it('every framing, valid or mutated, gets a catalogued answer; a valid one stores the data, a failed one stores nothing', async () => {
    await fuzz(
      'aws-chunked',
      [fc.constantFrom(...MODES), fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), fc.array(mutation, { maxLength: 2 })],
      async (mode: Mode, chunks, mutations) => {
        const data = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));
        const trailers = mode !== 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
        let decodedLength = String(data.length);
        const headers: Record<string, string> = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': decodedLength };
        if (trailers) headers['x-amz-trailer'] = 'x-amz-checksum-crc32';
        // The seed signature comes from the headers; the body (and so Content-Length) is framed after it.
        const seed = signedRaw(target, { method: 'PUT', rawPath, headers, payloadHash: mode });
        const signed = mode !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
        let previousSignature = seed.signature;
        const frames: Buffer[] = [];
        let sizeLine: string | undefined;
        let trailerLine = `x-amz-checksum-crc32:${crc32Base64(data)}`;
        for (const m of mutations as Mutation[]) {
          if (m.kind === 'size-line') sizeLine = m.value;
          if (m.kind === 'trailer') trailerLine = m.value;
          if (m.kind === 'decoded-length') decodedLength = m.value;
        }
        for (const chunk of [...chunks.filter((c) => c.length > 0).map((c) => Buffer.from(c)), Buffer.alloc(0)]) {
          let line = sizeLine !== undefined && frames.length === 0 ? sizeLine : chunk.length.toString(16);
          if (signed) {
            previousSignature = signatureHex(
              seed.signingKey,
              `AWS4-HMAC-SHA256-PAYLOAD\n${seed.amzDate}\n${seed.scope}\n${previousSignature}\n${EMPTY_SHA256}\n${sha256Hex(chunk)}`,
            );
            line += `;chunk-signature=${previousSignature}`;
          }
          frames.push(Buffer.from(`${line}\r\n`, 'latin1'), chunk, chunk.length > 0 || !trailers ? Buffer.from('\r\n') : Buffer.alloc(0));
        }
        if (trailers) {
          frames.push(Buffer.from(`${trailerLine}\r\n`, 'latin1'));
          if (mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER') {
            const trailerSignature = signatureHex(
              seed.signingKey,
              `AWS4-HMAC-SHA256-TRAILER\n${seed.amzDate}\n${seed.scope}\n${previousSignature}\n${sha256Hex(`${trailerLine}\n`)}`,
            );
            frames.push(Buffer.from(`x-amz-trailer-signature:${trailerSignature}\r\n`));
          }
          frames.push(Buffer.from('\r\n'));
        }
        let body = Buffer.concat(frames);
        for (const m of mutations as Mutation[]) {
          const at = body.length === 0 ? 0 : ('at' in m ? m.at : 0) % body.length;
          if (m.kind === 'replace') body = Buffer.concat([body.subarray(0, at), Buffer.from([m.byte]), body.subarray(at + 1)]);
          if (m.kind === 'insert') body = Buffer.concat([body.subarray(0, at), Buffer.from(m.bytes), body.subarray(at)]);
          if (m.kind === 'remove') body = Buffer.concat([body.subarray(0, at), body.subarray(at + m.count)]);
        }
        const sent = seed.headers.map(([name, value]): [string, string] => [
          name,
          name === 'content-length' ? String(body.length) : name === 'x-amz-decoded-content-length' ? decodedLength : value,
        ]);
        const response = await checkedExchange(target, rawRequest('PUT', seed.path, sent, body), 'PUT');
        if (mutations.length === 0) expect(response.status).toBe(200);
        const got = await sendSigned(target, { method: 'GET', rawPath });
        expect(got.status).toBe(200);
        if (response.status === 200) {
          // A mutation may still leave a valid framing (e.g. a byte replaced by itself): then what is stored is what it says.
          if (mutations.length === 0) expect(got.body.equals(data)).toBe(true);
          expect(got.headers.etag).toBe(`"${createHash('md5').update(got.body).digest('hex')}"`);
          await sendSigned(target, { method: 'PUT', rawPath, body: previous });
        } else {
          expect(got.body.equals(previous)).toBe(true);
        }
        await assertStillServing(target);
      },
    );
  });
});
