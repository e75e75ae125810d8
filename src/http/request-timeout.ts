/**
 * Slow clients: how long the server waits for the bytes of a request.
 *
 * One setting, `requestTimeout` (milliseconds; 0 disables all three limits):
 * - the request line and headers must arrive within it (Node's `headersTimeout`);
 * - a body that goes that long without a byte is answered with S3's `RequestTimeout` and the
 *   connection closed (S3 closes a request's connection after about 20 s idle:
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html, `RequestTimeout`);
 * - a body must also average at least MIN_BODY_BYTES_PER_SECOND over each window of
 *   RATE_WINDOW_FACTOR × requestTimeout (60 s by default), so that a trickle of one byte
 *   per second cannot hold a socket either.
 * An idle keep-alive connection between requests is not a request: Node's keepAliveTimeout governs it.
 */
import type { IncomingMessage } from 'node:http';

/** S3's idle limit. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/** The slowest body accepted, averaged over each rate window. */
export const MIN_BODY_BYTES_PER_SECOND = 1024;
/** The rate window is this many times the idle limit (60 s for the default 20 s). */
export const RATE_WINDOW_FACTOR = 3;

/** Throws unless `ms` is a usable requestTimeout: a whole number of milliseconds, 0 disabling it. */
export function assertValidRequestTimeout(ms: unknown): asserts ms is number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
    throw new Error(`requestTimeout must be a whole number of milliseconds ≥ 0 (0 disables it), not ${String(ms)}`);
  }
}

/**
 * Watches the body of `req` until it has been received, and calls `onTimeout` once if the client
 * stops sending for `idleMs` or sends slower than the minimum rate. Time during which the server
 * holds unread bytes of the body (a slow disk, an operation not yet reading) is not held against
 * the client. Progress is the socket's byte count, sampled on a coarse timer: no listener is
 * attached to the body, so its consumers read it exactly as they would without the watch.
 */
export function watchRequestBody(req: IncomingMessage, idleMs: number, onTimeout: () => void): void {
  if (idleMs === 0 || req.complete || !hasBody(req)) return;
  const socket = req.socket;
  const windowMs = RATE_WINDOW_FACTOR * idleMs;
  const minWindowBytes = Math.ceil((MIN_BODY_BYTES_PER_SECOND * windowMs) / 1000);
  let lastBytes = socket.bytesRead;
  let lastProgressAt = performance.now();
  let windowStartedAt = lastProgressAt;
  let windowStartBytes = lastBytes;

  const stop = () => clearInterval(timer);
  const tick = () => {
    if (req.complete || socket.destroyed) {
      stop();
      return;
    }
    const now = performance.now();
    const bytes = socket.bytesRead;
    if (req.readableLength > 0) {
      // The server, not the client, is behind: both clocks start over.
      lastBytes = windowStartBytes = bytes;
      lastProgressAt = windowStartedAt = now;
      return;
    }
    if (bytes !== lastBytes) {
      lastBytes = bytes;
      lastProgressAt = now;
    }
    const idle = now - lastProgressAt >= idleMs;
    const tooSlow = now - windowStartedAt >= windowMs && bytes - windowStartBytes < minWindowBytes;
    if (idle || tooSlow) {
      stop();
      onTimeout();
      return;
    }
    if (now - windowStartedAt >= windowMs) {
      windowStartedAt = now;
      windowStartBytes = bytes;
    }
  };
  // A quarter of the limit: a timeout fires between 1 and 1.25 times the limit after the last byte.
  const timer = setInterval(tick, Math.max(1, Math.floor(idleMs / 4)));
  timer.unref();
  // 'close' comes once the body has been read (or dumped) or the request was aborted; a request
  // whose response is done but whose body never ends is caught by the tick's socket check.
  req.once('close', stop);
}

/** Whether the request has a body at all (RFC 9112 §6.3): a Content-Length above 0, or Transfer-Encoding. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
