/**
 * The load generator shared by every target: presigned URLs (signed before the timed phase)
 * sent by undici over keep-alive connections, a fixed number in flight, one latency sample per
 * request. Every response body is read to its end; a non-2xx answer fails the run.
 */
import zlib from 'node:zlib';
import { Pool } from 'undici';

export function createPool(endpoint, connections) {
  return new Pool(endpoint, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
}

/** Path and query of a presigned URL: what undici sends to the pool's origin. */
export function pathOf(url) {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

export class HttpStatusError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path.split('?')[0]} answered ${status}: ${body.slice(0, 300)}`);
  }
}

async function send(pool, method, path, body) {
  // reset: false keeps HEAD requests on their keep-alive connection too (undici closes it by default).
  const response = await pool.request({ method, path, body, reset: false, headers: body ? { 'content-length': String(body.length) } : undefined });
  if (response.statusCode >= 300) throw new HttpStatusError(method, path, response.statusCode, await response.body.text());
  let bytes = 0;
  for await (const chunk of response.body) bytes += chunk.length;
  return bytes;
}

/**
 * Sends one request per path, `concurrency` at a time. Returns the ops/s over the whole batch,
 * the latency percentiles in ms, and the failed requests: a batch fails as a whole (throws)
 * only when more than `tolerance` of its requests fail, so one peer's rare error is reported,
 * not fatal.
 */
export async function runBatch(pool, { method, paths, body, concurrency, tolerance = 0 }) {
  const latencies = new Float64Array(paths.length);
  let failures = 0;
  let firstFailure;
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const index = next++;
      const started = performance.now();
      try {
        await send(pool, method, paths[index], body);
      } catch (err) {
        failures++;
        firstFailure ??= err;
      }
      latencies[index] = performance.now() - started;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
  const seconds = (performance.now() - started) / 1000;
  if (failures > tolerance * paths.length) throw firstFailure;
  latencies.sort();
  const percentile = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { opsPerSecond: paths.length / seconds, p50Ms: percentile(50), p99Ms: percentile(99), failures, firstFailure };
}

/** One request, its whole body as text (listings). */
export async function fetchText(pool, path) {
  const response = await pool.request({ method: 'GET', path });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new HttpStatusError('GET', path, response.statusCode, text);
  return text;
}

/** Streams `size` bytes from `chunks()` as a PUT body. */
export async function putStream(pool, path, size, chunks) {
  const response = await pool.request({
    method: 'PUT',
    path,
    body: chunks(),
    headers: { 'content-length': String(size) },
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new HttpStatusError('PUT', path, response.statusCode, text);
}

/** GETs a body, discarding it chunk by chunk; returns its length and CRC-32. */
export async function getAndChecksum(pool, path) {
  const response = await pool.request({ method: 'GET', path });
  if (response.statusCode >= 300) throw new HttpStatusError('GET', path, response.statusCode, await response.body.text());
  let crc = 0;
  let size = 0;
  for await (const chunk of response.body) {
    crc = zlib.crc32(chunk, crc);
    size += chunk.length;
  }
  return { size, crc };
}
