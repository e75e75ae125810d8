import { connect } from 'node:net';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields, signedFetch } from '../raw-request.js';

let t: TestEmulator;
const Bucket = 'test-bucket';
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.emulator.stop();
});

/** Sends raw bytes and returns the raw response (for requests no HTTP client would send). */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString('latin1')));
    socket.on('end', () => resolve(response));
    socket.on('error', reject);
  });
}

describe('every response', () => {
  it('carries x-amz-request-id and x-amz-id-2, and errors carry them in the document', async () => {
    const res = await fetch(`${t.emulator.endpoint}/test-bucket/x`);
    const id = res.headers.get('x-amz-request-id');
    expect(id).toMatch(/^[0-9A-F]{16}$/);
    expect(res.headers.get('x-amz-id-2')).toBe(Buffer.from(id!).toString('base64'));
    const fields = errorFields(await res.text());
    expect(fields.RequestId).toBe(id);
    expect(fields.HostId).toBe(res.headers.get('x-amz-id-2'));
  });

  it('answers HEAD errors without a body', async () => {
    const res = await signedFetch(t.emulator.env(Bucket), { method: 'HEAD', path: '/test-bucket/missing' });
    expect(res.status).toBe(404);
    expect(res.text).toBe('');
  });
});

describe('malformed requests get a precise error, never a 500', () => {
  it.each([
    ['a bad percent escape in the key', 'GET /test-bucket/%E0%A4%A HTTP/1.1', 400, 'InvalidURI'],
    ['an unknown method on an object', 'PATCH /test-bucket/key HTTP/1.1', 405, 'MethodNotAllowed'],
    ['POST to an object without a sub-resource', 'POST /test-bucket/key HTTP/1.1', 405, 'MethodNotAllowed'],
    ['a garbage Authorization header', 'GET /test-bucket/key HTTP/1.1\r\nAuthorization: garbage', 400, 'InvalidRequest'],
    ['a truncated SigV4 Authorization header', 'GET /test-bucket/key HTTP/1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=', 400, 'AuthorizationHeaderMalformed'],
    ['a presigned URL with a garbage credential', 'GET /test-bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x&X-Amz-Date=x&X-Amz-Expires=10&X-Amz-SignedHeaders=host&X-Amz-Signature=x HTTP/1.1', 400, 'AuthorizationQueryParametersError'],
  ])('%s → %i %s', async (_what, requestLine, status, code) => {
    const response = await rawExchange(t.emulator.port, `${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(response.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${response.split('\r\n')[0].split(' ').slice(2).join(' ')}`);
    expect(response).toContain(`<Code>${code}</Code>`);
  });

  it('a key over 1024 bytes is KeyTooLongError', async () => {
    const res = await signedFetch(t.emulator.env(Bucket), { method: 'PUT', path: `/test-bucket/${'k'.repeat(1025)}`, body: 'x' });
    expect(res.status).toBe(400);
    expect(errorFields(res.text).Code).toBe('KeyTooLongError');
  });

  it('a PUT without Content-Length is 411 MissingContentLength', async () => {
    const response = await rawExchange(
      t.emulator.port,
      'PUT /test-bucket/chunked HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
    );
    // Anonymous: authentication comes before the body, so the refusal is AccessDenied.
    expect(response).toContain('<Code>AccessDenied</Code>');
  });

  it('the server keeps serving after a client drops mid-upload', async () => {
    await rawExchange(t.emulator.port, 'PUT /test-bucket/dropped HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\npartial');
    await t.s3.send(new PutObjectCommand({ Bucket, Key: 'after-drop', Body: 'still here' }));
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'after-drop' }));
    expect(await got.Body!.transformToString()).toBe('still here');
  });
});

describe('addressing', () => {
  it('serves virtual-host-style requests to BUCKET.localhost', async () => {
    const env = t.emulator.env(Bucket);
    const put = await signedFetch(env, { method: 'PUT', path: '/vhost.txt', host: `test-bucket.localhost:${t.emulator.port}`, body: 'virtual host' });
    expect(put.status).toBe(200);
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'vhost.txt' }));
    expect(await got.Body!.transformToString()).toBe('virtual host');
  });
});
