import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { watchRequestBody } from '../../src/http/request-timeout.js';
import { connectRaw, sleep } from '../raw-socket.js';

const IDLE = 200;
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A bare server that watches each request body and hands the request to `handle`; resolves its port. */
async function serve(handle: (req: IncomingMessage, timedOut: () => boolean) => void): Promise<number> {
  server = createServer((req, res) => {
    let timedOut = false;
    watchRequestBody(req, IDLE, () => {
      timedOut = true;
      res.statusCode = 400;
      res.end('timeout');
    });
    handle(req, () => timedOut);
    req.on('end', () => {
      if (!timedOut) res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('watchRequestBody', () => {
  it('does not count time during which the server holds unread bytes of the body against the client', async () => {
    let sawTimeout = false;
    const port = await serve((req, timedOut) => {
      // The server reads nothing for 4 × the limit (a slow disk, an operation not reading yet).
      setTimeout(() => {
        sawTimeout = timedOut();
        req.resume();
      }, IDLE * 4);
    });
    const connection = await connectRaw(port);
    connection.socket.write(`PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 40000\r\n\r\n${'a'.repeat(39_999)}`);
    // The client's last byte comes soon after the server has caught up.
    await sleep(IDLE * 4 + IDLE / 4);
    connection.socket.write('a');
    await expect.poll(() => connection.received()).toMatch(/\r\n\r\nok$/);
    expect(sawTimeout).toBe(false);
    connection.socket.destroy();
  });

  it('times out a client that stops sending once the server has read what it sent', async () => {
    const port = await serve((req) => req.resume());
    const connection = await connectRaw(port);
    connection.socket.write('PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    await expect.poll(() => connection.received(), { timeout: IDLE * 3 }).toMatch(/\r\n\r\ntimeout$/);
    connection.socket.destroy();
  });

  it('adds no listener to a keep-alive socket, however many requests with bodies it carries', async () => {
    let mostCloseListeners = 0;
    const port = await serve((req) => {
      mostCloseListeners = Math.max(mostCloseListeners, req.socket.listenerCount('close'));
      req.resume();
    });
    const connection = await connectRaw(port);
    // 30 pipelined requests, all within one tick of the watch.
    connection.socket.write('PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab'.repeat(30));
    await expect.poll(() => connection.received().match(/\r\n\r\nok/g)?.length ?? 0).toBe(30);
    expect(mostCloseListeners).toBeLessThan(5);
    connection.socket.destroy();
  });
});
