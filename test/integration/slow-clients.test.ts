/**
 * Slow clients (issue 9, point 4): a stalled or trickling request gets S3's RequestTimeout and a
 * closed connection after `requestTimeout` (300 ms here, so the suite stays fast), nothing of it
 * is stored, and keep-alive clients still reuse their connections.
 * S3's answer: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (RequestTimeout, 400).
 */
import { readdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/index.js';
import { clientFor, s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields } from '../raw-request.js';
import { connectRaw, signedRequestHead, sleep, statusOf } from '../raw-socket.js';

const REQUEST_TIMEOUT = 300;
const TIMEOUT_MESSAGE = 'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.';
const Bucket = 'test-bucket';

let t: TestEmulator;
const log: string[] = [];
beforeAll(async () => {
  t = await startTestEmulator({ requestTimeout: REQUEST_TIMEOUT, log: (line) => log.push(line) });
});
afterAll(async () => {
  await t.emulator.stop();
});

/** The request timed out the S3 way: one 400 RequestTimeout document, then the server closed the connection. */
async function expectRequestTimeout(connection: Awaited<ReturnType<typeof connectRaw>>): Promise<number> {
  const { afterMs } = await connection.closed;
  const text = connection.received();
  expect(statusOf(text)).toBe(400);
  expect(text).toMatch(/\r\nConnection: close\r\n/i);
  const fields = errorFields(text);
  expect(fields.Code).toBe('RequestTimeout');
  expect(fields.Message).toBe(TIMEOUT_MESSAGE);
  expect(fields.RequestId).toMatch(/^[0-9A-F]{16}$/);
  expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  return afterMs;
}

/** Nothing of a refused body was stored: no object, no temp file left behind. */
async function expectNothingStored(key: string): Promise<void> {
  expect(await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key: key })))).toMatchObject({ status: 404 });
  await expect.poll(() => readdirSync(join(t.emulator.dataDir, 'tmp'))).toEqual([]);
}

describe('a request body that stalls', () => {
  it('gets 400 RequestTimeout after requestTimeout idle, the connection closed and nothing stored', async () => {
    const head = await signedRequestHead(t.emulator.env(Bucket), { method: 'PUT', path: '/test-bucket/stalled', headers: { 'content-length': '70000' } });
    const connection = await connectRaw(t.emulator.port);
    // More than the inline limit, so a temp file is being written when the body stalls.
    connection.socket.write(head + 'x'.repeat(66_000));
    const afterMs = await expectRequestTimeout(connection);
    expect(afterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT);
    expect(afterMs).toBeLessThan(REQUEST_TIMEOUT * 5);
    await expectNothingStored('stalled');
    // The line is written once the pipeline has unwound, which may be after the client read the answer.
    await expect.poll(() => log.some((line) => /^\S+Z [0-9A-F]{16} PutObject test-bucket\/stalled 400 RequestTimeout /.test(line))).toBe(true);
  });

  it('gets RequestTimeout when no byte of the body comes at all', async () => {
    const head = await signedRequestHead(t.emulator.env(Bucket), { method: 'PUT', path: '/test-bucket/no-body', headers: { 'content-length': '10' } });
    const connection = await connectRaw(t.emulator.port);
    connection.socket.write(head);
    await expectRequestTimeout(connection);
    await expectNothingStored('no-body');
  });

  it('gets RequestTimeout when an aws-chunked body stalls inside a chunk', async () => {
    const head = await signedRequestHead(t.emulator.env(Bucket), {
      method: 'PUT',
      path: '/test-bucket/chunked-stall',
      payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      headers: {
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '10',
        'x-amz-trailer': 'x-amz-checksum-crc32',
        'content-length': '100',
      },
    });
    const connection = await connectRaw(t.emulator.port);
    connection.socket.write(`${head}a\r\nabc`);
    await expectRequestTimeout(connection);
    await expectNothingStored('chunked-stall');
  });

  it('gets RequestTimeout when a POST form stalls before its file', async () => {
    const connection = await connectRaw(t.emulator.port);
    connection.socket.write(
      'POST /test-bucket HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000\r\n\r\n' +
        '--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nform-stall',
    );
    await expectRequestTimeout(connection);
    await expectNothingStored('form-stall');
  });
});

describe('a request body that trickles', () => {
  it('below 1 KiB/s averaged over 3 × requestTimeout gets RequestTimeout, although it is never idle that long', async () => {
    const head = await signedRequestHead(t.emulator.env(Bucket), { method: 'PUT', path: '/test-bucket/trickle', headers: { 'content-length': '100000' } });
    const connection = await connectRaw(t.emulator.port);
    connection.socket.write(head);
    let sent = 0;
    const trickle = setInterval(() => {
      if (!connection.socket.destroyed) connection.socket.write('x');
      sent++;
    }, REQUEST_TIMEOUT / 3);
    try {
      const afterMs = await expectRequestTimeout(connection);
      // The rate window (3 × 300 ms) had to pass: the idle limit alone never fired.
      expect(afterMs).toBeGreaterThanOrEqual(3 * REQUEST_TIMEOUT);
      expect(sent).toBeGreaterThanOrEqual(8);
    } finally {
      clearInterval(trickle);
    }
    await expectNothingStored('trickle');
  });

  it('at a steady rate above the minimum is stored, however long it takes', async () => {
    const body = Buffer.alloc(40 * 1024, 'y');
    const head = await signedRequestHead(t.emulator.env(Bucket), { method: 'PUT', path: '/test-bucket/steady', headers: { 'content-length': String(body.length) } });
    const connection = await connectRaw(t.emulator.port);
    connection.socket.write(head);
    // 2 KiB every 100 ms (20 KiB/s) for 2 s: longer than the rate window, never idle.
    for (let offset = 0; offset < body.length; offset += 2048) {
      connection.socket.write(body.subarray(offset, offset + 2048));
      await sleep(100);
    }
    await expect.poll(() => statusOf(connection.received())).toBe(200);
    connection.socket.destroy();
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'steady' }));
    expect((await got.Body!.transformToByteArray()).length).toBe(body.length);
  });
});

describe('headers that do not arrive', () => {
  it('get RequestTimeout after requestTimeout, then the connection is closed', async () => {
    const connection = await connectRaw(t.emulator.port);
    connection.socket.write('GET /test-bucket/x HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const afterMs = await expectRequestTimeout(connection);
    expect(afterMs).toBeLessThan(REQUEST_TIMEOUT * 5);
  });
});

describe('keep-alive connections', () => {
  it('idle between requests are not answered with RequestTimeout and serve the next request', async () => {
    const get = await signedRequestHead(t.emulator.env(Bucket), { method: 'GET', path: '/test-bucket/absent' });
    const connection = await connectRaw(t.emulator.port);
    connection.socket.write(get);
    await expect.poll(() => statusOf(connection.received())).toBe(404);
    // Idle for more than twice the request timeout, between requests.
    await sleep(REQUEST_TIMEOUT * 2.5);
    expect(connection.socket.destroyed).toBe(false);
    expect(connection.received()).not.toContain('RequestTimeout');
    connection.socket.write(await signedRequestHead(t.emulator.env(Bucket), { method: 'GET', path: '/test-bucket/absent' }));
    await expect.poll(() => connection.received().match(/HTTP\/1\.1 404 /g)?.length ?? 0).toBe(2);
    expect(connection.received()).not.toContain('RequestTimeout');
    connection.socket.destroy();
  });

  it('two sequential SDK requests go over one socket, with an idle pause longer than requestTimeout between them', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let sockets = 0;
    const createConnection = agent.createConnection.bind(agent);
    agent.createConnection = (...args: Parameters<typeof createConnection>) => {
      sockets++;
      return createConnection(...args);
    };
    const s3 = clientFor(t.emulator.env(Bucket), { requestHandler: { httpAgent: agent } });
    try {
      await s3.send(new PutObjectCommand({ Bucket, Key: 'keep-alive-1', Body: 'one' }));
      await sleep(REQUEST_TIMEOUT * 2.5);
      await s3.send(new PutObjectCommand({ Bucket, Key: 'keep-alive-2', Body: 'two' }));
      expect(sockets).toBe(1);
    } finally {
      s3.destroy();
      agent.destroy();
    }
  });
});

describe('requestTimeout: 0', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ buckets: [Bucket], requestTimeout: 0 });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('disables the limits: a body idle for longer than the default test limit still completes', async () => {
    const head = await signedRequestHead(emulator.env(Bucket), { method: 'PUT', path: '/test-bucket/patient', headers: { 'content-length': '6' } });
    const connection = await connectRaw(emulator.port);
    connection.socket.write(`${head}abc`);
    await sleep(REQUEST_TIMEOUT * 3);
    expect(connection.received()).toBe('');
    connection.socket.write('def');
    await expect.poll(() => statusOf(connection.received())).toBe(200);
    connection.socket.destroy();
  });
});

describe('the requestTimeout option', () => {
  it.each([-1, 1.5, Number.NaN, '20s'])('refuses %s', async (value) => {
    await expect(startEmulator({ requestTimeout: value as number })).rejects.toThrow(
      /requestTimeout must be a whole number of milliseconds ≥ 0 \(0 disables it\)/,
    );
  });
});

describe('over https', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ buckets: [Bucket], requestTimeout: REQUEST_TIMEOUT, tls: true });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  /** Sends `bytes` over TLS; resolves with what came back once the server closed the connection. */
  function tlsExchange(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: emulator.port, ca: emulator.certificate!.pem, servername: 'localhost' }, () => socket.write(bytes, 'latin1'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
  }

  it('a stalled body gets RequestTimeout too', async () => {
    const head = await signedRequestHead(emulator.env(Bucket), { method: 'PUT', path: '/test-bucket/tls-stall', headers: { 'content-length': '10' } });
    const text = await tlsExchange(`${head}abc`);
    expect(statusOf(text)).toBe(400);
    expect(errorFields(text)).toMatchObject({ Code: 'RequestTimeout', Message: TIMEOUT_MESSAGE });
  });

  it('a NUL in a header gets the S3 XML 400 from the clientError handler', async () => {
    const text = await tlsExchange('GET /test-bucket/k HTTP/1.1\r\nHost: localhost\r\nX-A: a\0b\r\n\r\n');
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(errorFields(text).Code).toBe('BadRequest');
  });
});
