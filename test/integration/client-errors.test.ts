/**
 * Requests Node's HTTP parser refuses before the app sees them (issue 9, point 6): each gets an
 * S3 XML 400 and a closed connection, never a bare status line, a crash or a hang, and the server
 * answers the next request. S3 answers an oversized header section with 400
 * RequestHeaderSectionTooLarge and MaxSizeAllowed; malformed HTTP with 400 Bad Request.
 */
import { readdirSync } from 'node:fs';
import { maxHeaderSize } from 'node:http';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields } from '../raw-request.js';
import { connectRaw, signedRequestHead, sleep, statusOf } from '../raw-socket.js';
import { clientErrorOf } from '../../src/http/server.js';

let t: TestEmulator;
const log: string[] = [];
beforeAll(async () => {
  t = await startTestEmulator({ log: (line) => log.push(line) });
});
afterAll(async () => {
  await t.emulator.stop();
});

const HOST = 'Host: 127.0.0.1\r\n';

/** Sends `bytes` on a fresh connection; resolves once the server has closed it, with what it sent. */
async function exchange(bytes: string): Promise<string> {
  const connection = await connectRaw(t.emulator.port);
  connection.socket.write(bytes, 'latin1');
  await connection.closed;
  return connection.received();
}

/** The server still answers: a HEAD within 1 s. */
async function expectStillAnswering(): Promise<void> {
  const started = performance.now();
  const res = await fetch(`${t.emulator.endpoint}/test-bucket/x`, { method: 'HEAD' });
  expect(res.status).toBe(403);
  expect(performance.now() - started).toBeLessThan(1000);
}

describe('a request the HTTP parser refuses', () => {
  it.each([
    ['NUL in a header value', `GET /test-bucket/k HTTP/1.1\r\n${HOST}X-Amz-Meta-A: a\0b\r\n\r\n`],
    ['CR alone in a header value', `GET /test-bucket/k HTTP/1.1\r\n${HOST}X-Amz-Meta-A: a\rb\r\n\r\n`],
    ['another control character in a header value', `GET /test-bucket/k HTTP/1.1\r\n${HOST}X-Amz-Meta-A: a\x01b\r\n\r\n`],
    ['a space inside a header name', `GET /test-bucket/k HTTP/1.1\r\n${HOST}X Amz: a\r\n\r\n`],
    ['a header line without a colon', `GET /test-bucket/k HTTP/1.1\r\n${HOST}no-colon\r\n\r\n`],
    ['a garbage request line', 'GARBAGE\r\n\r\n'],
    ['an unknown HTTP version', `GET /test-bucket/k HTTP/9.9\r\n${HOST}\r\n`],
    ['Content-Length with Transfer-Encoding', `PUT /test-bucket/k HTTP/1.1\r\n${HOST}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['a Content-Length that is not a number', `PUT /test-bucket/k HTTP/1.1\r\n${HOST}Content-Length: abc\r\n\r\n`],
    ['two different Content-Lengths', `PUT /test-bucket/k HTTP/1.1\r\n${HOST}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`],
    ['an unknown Transfer-Encoding', `PUT /test-bucket/k HTTP/1.1\r\n${HOST}Transfer-Encoding: gzip, identity\r\n\r\n`],
  ])('%s → 400 BadRequest, connection closed', async (_what, bytes) => {
    const response = await exchange(bytes);
    expect(response.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(response).toMatch(/\r\nContent-Type: application\/xml\r\n/);
    expect(response).toMatch(/\r\nConnection: close\r\n/);
    const fields = errorFields(response);
    expect(fields).toMatchObject({ Code: 'BadRequest', Message: 'Bad Request' });
    expect(fields.RequestId).toMatch(/^[0-9A-F]{16}$/);
    expect(response).toContain(`\r\nx-amz-request-id: ${fields.RequestId}\r\n`);
    // The document is exactly as long as Content-Length says.
    const [head, body] = response.split('\r\n\r\n');
    expect(Buffer.byteLength(body)).toBe(Number(/Content-Length: (\d+)/.exec(head)![1]));
    await expectStillAnswering();
  });

  it(`an oversized header section → 400 RequestHeaderSectionTooLarge with MaxSizeAllowed ${maxHeaderSize}`, async () => {
    const response = await exchange(`GET /test-bucket/k HTTP/1.1\r\n${HOST}X-Amz-Meta-Big: ${'a'.repeat(maxHeaderSize + 1)}\r\n\r\n`);
    expect(statusOf(response)).toBe(400);
    expect(errorFields(response)).toMatchObject({
      Code: 'RequestHeaderSectionTooLarge',
      Message: 'Your request header section exceeds the maximum allowed size.',
      MaxSizeAllowed: String(maxHeaderSize),
    });
    await expectStillAnswering();
  });

  // The app has the request and is reading its body when the framing breaks: the answer is
  // written while the app's own response is still pending (it never gets to send it).
  it.each([
    ['a chunk size that is not hex', 'zz\r\n'],
    ['a chunk without its CRLF', '3\r\nabcX'],
    ['a chunk size that overflows', 'fffffffffffffffffff\r\n'],
  ])('a signed streaming PUT whose chunked framing breaks mid-body: %s → 400 BadRequest, nothing stored', async (_what, broken) => {
    const key = `broken-framing-${broken.length}`;
    const head = await signedRequestHead(t.emulator.env('test-bucket'), {
      method: 'PUT',
      path: `/test-bucket/${key}`,
      payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      headers: {
        'transfer-encoding': 'chunked',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '100',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
    });
    const connection = await connectRaw(t.emulator.port);
    connection.socket.write(head);
    await sleep(100);
    expect(connection.received()).toBe('');
    connection.socket.write(broken);
    await connection.closed;
    const response = connection.received();
    expect(response.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(errorFields(response)).toMatchObject({ Code: 'BadRequest', Message: 'Bad Request' });
    expect(response.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket: 'test-bucket', Key: key })))).toMatchObject({ status: 404 });
    await expect.poll(() => readdirSync(join(t.emulator.dataDir, 'tmp'))).toEqual([]);
    await expectStillAnswering();
  });

  it('is logged on one line, with the parser reason escaped', () => {
    expect(log).toContainEqual(expect.stringMatching(/^\S+Z warning: unparsable request: 400 BadRequest \(HPE_INVALID_HEADER_TOKEN: [^\n]+\)$/));
    expect(log).toContainEqual(expect.stringMatching(/^\S+Z warning: unparsable request: 400 RequestHeaderSectionTooLarge \(HPE_HEADER_OVERFLOW: /));
  });

  it('a connection reset mid-request is dropped without an answer or a crash', async () => {
    const connection = await connectRaw(t.emulator.port);
    connection.socket.write(`PUT /test-bucket/k HTTP/1.1\r\n${HOST}Content-Length: 100\r\n\r\nabc`);
    connection.socket.resetAndDestroy();
    await connection.closed;
    await expectStillAnswering();
  });
});

describe('clientErrorOf', () => {
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 'RequestTimeout'],
    ['HPE_HEADER_OVERFLOW', 'RequestHeaderSectionTooLarge'],
    ['HPE_INVALID_HEADER_TOKEN', 'BadRequest'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 'BadRequest'],
    [undefined, 'BadRequest'],
  ])('%s → %s (400)', (code, s3Code) => {
    const err = Object.assign(new Error('x'), { code });
    expect(clientErrorOf(err)).toMatchObject({ code: s3Code, status: 400 });
  });
});

describe('what Node would answer with a bare status line, the app answers', () => {
  it('an HTTP/1.1 request without Host → 400 BadRequest with the error document (RFC 9112 §3.2), not a bare 400', async () => {
    const response = await exchange('GET /test-bucket/k HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(response.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    const fields = errorFields(response.slice(response.indexOf('\r\n\r\n') + 4));
    expect(fields).toMatchObject({ Code: 'BadRequest', Message: 'An HTTP/1.1 request must carry a Host header.' });
    await expectStillAnswering();
  });

  it('an HTTP/1.0 request without Host goes through the pipeline (here: unsigned, 403 AccessDenied)', async () => {
    const response = await exchange('GET /test-bucket/k HTTP/1.0\r\n\r\n');
    expect(response.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
    expect(errorFields(response.slice(response.indexOf('\r\n\r\n') + 4)).Code).toBe('AccessDenied');
  });

  it.each(['something-else', '', '100-continue, x'])(
    'Expect: %j is ignored (RFC 9110 §10.1.1 lets a server do so) rather than a bare 417: a signed PUT is stored',
    async (expectation) => {
      const head = await signedRequestHead(t.emulator.env('test-bucket'), {
        method: 'PUT',
        path: '/test-bucket/expect',
        headers: { 'content-length': '8', expect: expectation, connection: 'close' },
      });
      const response = await exchange(head + 'raw body');
      // Node still sends an interim 100 Continue when the list names 100-continue; the answer is the 200 after it.
      expect(response.split('\r\n').filter((line) => line.startsWith('HTTP/1.1 '))).toEqual(
        expectation.includes('100-continue') ? ['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK'] : ['HTTP/1.1 200 OK'],
      );
      const object = await t.s3.send(new GetObjectCommand({ Bucket: 'test-bucket', Key: 'expect' }));
      expect(await object.Body!.transformToString()).toBe('raw body');
    },
  );
});
