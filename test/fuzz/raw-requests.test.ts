/**
 * Raw request bytes, fuzzed: a valid signed request with bytes replaced or inserted anywhere in its
 * request line and headers (NUL, CR, LF, DEL, bytes ≥ 0x80, spaces, colons), headers repeated or
 * split, and framing headers that contradict each other. Node's HTTP parser refuses some of these
 * before the app sees them; every one must still get an S3 XML error document (a 400 from the
 * server's clientError handler where the socket is still writable), never a bare reset or a hang.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { BUCKET, assertStillServing, checkedExchange, fuzz, fuzzTarget, rawRequest, signedRaw } from './harness.js';

const target = fuzzTarget();
const body = Buffer.from('raw body');

const hostileByte = fc.oneof(fc.constantFrom(0x00, 0x0d, 0x0a, 0x7f, 0x20, 0x3a, 0x09, 0x80, 0xff, 0x22, 0x3f, 0x23, 0x25), fc.integer({ min: 0, max: 255 }));
const headMutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: hostileByte }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(hostileByte, { minLength: 1, maxLength: 3 }) }),
);
const chunked = Buffer.from(`${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
/** Framing headers with a body that satisfies them (or that the parser refuses outright): never a body still owed. */
const framing = fc.constantFrom<{ headers: [string, string][]; body: Buffer }>(
  { headers: [['content-length', '8']], body },
  { headers: [['content-length', '0']], body: Buffer.alloc(0) },
  { headers: [['transfer-encoding', 'chunked']], body: chunked },
  { headers: [['transfer-encoding', 'chunked'], ['content-length', '8']], body: chunked },
  { headers: [['transfer-encoding', 'gzip, chunked']], body: chunked },
  { headers: [['transfer-encoding', 'chunked, identity']], body },
  { headers: [['content-length', '7, 8']], body },
  { headers: [['content-length', '8'], ['content-length', '8']], body },
  { headers: [['content-length', '+8']], body },
  { headers: [['content-length', '-1']], body },
  { headers: [['content-length', '99999999999999999999']], body },
  { headers: [['content-length', '8'], ['expect', '100-continue']], body },
  { headers: [['content-length', '8'], ['expect', 'something-else']], body },
);

describe('raw request bytes', () => {
  it('every mutation of a request head gets an S3 answer', async () => {
    await fuzz(
      'raw requests',
      [fc.constantFrom('GET', 'PUT'), fc.array(headMutation, { maxLength: 2 }), framing],
      async (method, mutations, extraHeaders) => {
        const signed = signedRaw(target, { method, rawPath: `/${BUCKET}/raw/key`, payloadHash: 'UNSIGNED-PAYLOAD' });
        // The framing goes after the mutated part: a mutated Content-Length would leave the server (rightly) waiting.
        let head = Buffer.from(rawRequest(method, signed.path, signed.headers.filter(([name]) => name !== 'content-length')).subarray(0, -4));
        for (const m of mutations) {
          const at = m.at % (head.length + 1);
          if (m.kind === 'replace') head = Buffer.concat([head.subarray(0, at), Buffer.from([m.byte]), head.subarray(at + 1)]);
          else head = Buffer.concat([head.subarray(0, at), Buffer.from(m.bytes), head.subarray(at)]);
        }
        const framingLines = extraHeaders.headers.map(([name, value]) => `\r\n${name}: ${value}`).join('');
        const sent = Buffer.concat([head, Buffer.from(`${framingLines}\r\n\r\n`), extraHeaders.body]);
        await checkedExchange(target, sent, method);
        await assertStillServing(target);
      },
    );
  });
});
