/**
 * How a body becomes visible in the backend only once every check passed (GATEWAY.md,
 * "Publishing a write"): it streams to the backend request (PutObject or UploadPart, with its
 * Content-Length) as it arrives, except its last byte, which is sent only after the body ended
 * and `beforeLastByte` (describe, precondition, metadata object) resolved. When anything fails,
 * the request is aborted: the backend has received fewer bytes than Content-Length and stores
 * nothing, as S3 commits a PutObject or UploadPart only with its whole body
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html). One pass: no temporary
 * key, no server-side copy writing every byte twice.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Error } from '../../s3/s3-error.js';

/** Starts the backend request with `body` (exactly `size` bytes); aborting `signal` must destroy it. */
export type StartRequest<T> = (body: Readable | Buffer, size: number, signal: AbortSignal) => Promise<T>;

/**
 * Sends `body` through `start` with its last byte held back until `beforeLastByte` resolved.
 * `size`: the body's declared length; unknown (a POST form's file), the body is first spooled
 * to a temporary file, as S3's PutObject needs its length before the first byte.
 * Rejects with the body's, `beforeLastByte`'s or the backend request's error, unchanged, once
 * the backend request has ended.
 */
export async function publishHeldBack<T>(body: Readable, size: number | undefined, start: StartRequest<T>, beforeLastByte: () => Promise<void>): Promise<T> {
  if (size !== undefined) return sendHeldBack(body, size, start, beforeLastByte);
  const dir = await mkdtemp(join(tmpdir(), 'smll-gateway-'));
  try {
    const file = join(dir, 'body');
    await pipeline(body, createWriteStream(file));
    return await sendHeldBack(createReadStream(file), (await stat(file)).size, start, beforeLastByte);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function sendHeldBack<T>(body: Readable, size: number, start: StartRequest<T>, beforeLastByte: () => Promise<void>): Promise<T> {
  if (size === 0) {
    // An empty body has no last byte to hold: the request starts only after the checks.
    for await (const chunk of body as AsyncIterable<Buffer>) if (chunk.length > 0) throw new S3Error('IncompleteBody', 'The body is longer than its declared length.');
    await beforeLastByte();
    return start(Buffer.alloc(0), 0, new AbortController().signal);
  }
  const out = new PassThrough();
  const abort = new AbortController();
  const sending = start(out, size, abort.signal);
  // Settles `failed` as soon as the request fails, so that a write waiting for 'drain' stops waiting.
  const failure = sending.then(
    () => new Error('the backend answered before the whole body was sent'),
    (err: unknown) => err,
  );
  const write = async (bytes: Buffer) => {
    if (out.write(bytes)) return;
    const drained = once(out, 'drain').then(() => undefined);
    const stopped = await Promise.race([drained, failure]);
    if (stopped !== undefined) throw stopped;
  };
  try {
    let held: Buffer | undefined;
    let received = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (chunk.length === 0) continue;
      received += chunk.length;
      if (received > size) throw new S3Error('IncompleteBody', 'The body is longer than its declared length.');
      if (held) await write(held);
      await write(chunk.subarray(0, chunk.length - 1));
      held = chunk.subarray(chunk.length - 1);
    }
    if (received !== size || !held) throw new S3Error('IncompleteBody');
    await beforeLastByte();
    out.end(held);
  } catch (err) {
    abort.abort();
    out.destroy();
    await failure;
    throw err;
  }
  return sending;
}
