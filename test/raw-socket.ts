import { connect, type Socket } from 'node:net';
import type { BucketEnv } from '../src/index.js';
import { sdkSigner } from './raw-request.js';

/**
 * A SigV4-signed request line and header section (ending in the blank line), signed by the AWS
 * SDK's own signer, for tests that then send the body byte by byte (or not at all) on a raw socket.
 */
export async function signedRequestHead(
  env: BucketEnv,
  init: { method: string; path: string; headers?: Record<string, string>; payloadHash?: string },
): Promise<string> {
  const url = new URL(env.S3_ENDPOINT);
  const signer = sdkSigner(env);
  const signed = await signer.sign({
    method: init.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: init.path,
    query: {},
    headers: { host: url.host, 'x-amz-content-sha256': init.payloadHash ?? 'UNSIGNED-PAYLOAD', ...init.headers },
  });
  const lines = Object.entries(signed.headers).map(([name, value]) => `${name}: ${value}`);
  return `${init.method} ${init.path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** A raw connection: what the server sent, and whether (and when) it closed the connection. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far, as latin1 text. */
  received(): string;
  /** Resolves once the server has closed the connection (end or reset), with the time it took from `connectRaw`. */
  closed: Promise<{ afterMs: number }>;
}

export async function connectRaw(port: number): Promise<RawConnection> {
  const started = performance.now();
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  // A reset after the answer is the server closing too.
  socket.on('error', () => {});
  const closed = new Promise<{ afterMs: number }>((resolve) => socket.once('close', () => resolve({ afterMs: performance.now() - started })));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

/** Status code of the first response in `text`. */
export function statusOf(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An answer read off the wire with every header's bytes as sent. */
export interface WireResponse {
  status: number;
  /** Lower-case names; each value's bytes read as Latin-1, so `Buffer.from(value, 'latin1')` is what was sent. */
  headers: Record<string, string>;
  text: string;
}

/** Writes request bytes on a fresh connection to `endpoint` and reads the whole answer (the request should ask to close). */
export function exchangeWire(endpoint: string, head: Buffer, body: Buffer = Buffer.alloc(0)): Promise<WireResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(Buffer.concat([head, body])));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const answer = Buffer.concat(chunks);
      const end = answer.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = answer.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, text: answer.subarray(end + 4).toString('utf8') });
    });
  });
}
