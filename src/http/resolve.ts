import type { IncomingMessage } from 'node:http';
import { MAX_KEY_BYTES } from '../s3/limits.js';
import { S3Error } from '../s3/s3-error.js';
import { resolveOperation } from '../operations/resolve-operation.js';
import type { S3Request, Target } from '../operations/types.js';

/** Bucket named by a virtual-host-style Host header (`BUCKET.localhost`, `BUCKET.<domain>`), if any. */
export function bucketFromHost(host: string | undefined, vhostDomains: readonly string[]): string | undefined {
  if (!host) return undefined;
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  for (const domain of vhostDomains) {
    if (hostname.endsWith(`.${domain}`)) return hostname.slice(0, -domain.length - 1);
  }
  return undefined;
}

function decodePathPart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new S3Error('InvalidURI');
  }
}

/**
 * Whether a key's `..` segments climb above the bucket (`../x`, `..`, `a/../../x`), counting
 * segments of the decoded key as RFC 3986's remove_dot_segments does (`.` stays put, an empty
 * segment is one level: `//..` stays inside, a key S3 stored in tedder/requests-aws4auth#31). S3
 * answers such a path with a bare 400 and no error document, whether the dots come raw or
 * percent-encoded — observed against AWS by floci-io/floci#1231 (the AWS CLI's `--key ../x`:
 * "An error occurred (400) ... Bad Request") and #1325; a `..` that stays inside (`a/../b`) is
 * part of the key, stored verbatim, as botocore and the AWS CLI send it (boto/botocore#3244
 * preserves dot segments in S3 paths).
 */
export function climbsAboveBucket(key: string): boolean {
  let depth = 0;
  for (const segment of key.split('/')) {
    if (segment === '..') {
      if (depth === 0) return true;
      depth -= 1;
    } else if (segment !== '.') {
      depth += 1;
    }
  }
  return false;
}

/** What a request's URL and Host address: bucket and key (path-style or virtual-host-style), raw path and query. */
export type RequestAddress = Pick<S3Request, 'target' | 'bucket' | 'key' | 'virtualHosted' | 'rawPath' | 'rawQuery'>;

/**
 * Bucket and key from the raw URL; shared by the resolve stage and CORS preflights (which name no
 * operation). `url`: the request's own unless given (the console's route passes the S3 URL it carries).
 */
export function resolveAddress(req: IncomingMessage, vhostDomains: readonly string[], url = req.url ?? '/'): RequestAddress {
  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : url.slice(queryStart + 1);
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI');
  // RFC 9112 §3.2: a server answers 400 to an HTTP/1.1 request without Host (Node's own check is
  // off so that this answer is S3's error document).
  if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) {
    throw new S3Error('BadRequest', 'An HTTP/1.1 request must carry a Host header.');
  }

  let bucket = bucketFromHost(req.headers.host, vhostDomains);
  const virtualHosted = bucket !== undefined;
  let rawKey: string | undefined;
  if (bucket !== undefined) {
    rawKey = rawPath.slice(1);
  } else if (rawPath !== '/') {
    const slash = rawPath.indexOf('/', 1);
    bucket = decodePathPart(slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash));
    rawKey = slash === -1 ? '' : rawPath.slice(slash + 1);
  }
  // S3 reads `/bucket/` as the bucket itself: an object key is never empty.
  const key = rawKey ? decodePathPart(rawKey) : undefined;
  if (key !== undefined && climbsAboveBucket(key)) {
    // No error document reaches the client: the log line says why.
    const reason = 'The path climbs above the bucket with a ".." segment: S3 answers 400 without an error document.';
    throw new S3Error('BadRequest', reason, {}, { document: false, hint: reason });
  }
  if (key !== undefined && Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', undefined, { Size: Buffer.byteLength(key), MaxSizeAllowed: MAX_KEY_BYTES });
  }
  const target: Target = bucket === undefined ? 'service' : key === undefined ? 'bucket' : 'object';
  return { target, bucket, key, virtualHosted, rawPath, rawQuery };
}

/**
 * The resolve stage: bucket and key from the raw URL (path-style or virtual-host-style), and
 * the operation table row the request addresses. The raw path and query are kept for SigV4.
 * `url`: as resolveAddress takes it.
 */
export function resolveRequest(req: IncomingMessage, id: string, vhostDomains: readonly string[], url?: string): S3Request {
  const address = resolveAddress(req, vhostDomains, url);
  const query = new URLSearchParams(address.rawQuery);
  const method = req.method ?? 'GET';
  return {
    id,
    method,
    ...address,
    query,
    headers: req.headers,
    operation: resolveOperation(method, address.target, query, req.headers),
  };
}
