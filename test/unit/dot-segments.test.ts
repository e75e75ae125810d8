/**
 * Which paths climb above the bucket, as a property: a key made of `a`, `.`, `..` and empty
 * segments is refused exactly when a URL resolver (WHATWG URL, which removes dot segments as
 * RFC 3986 §5.2.4 does) would resolve `/bucket/<key>` to a path outside `/bucket/`. Every other
 * key is taken verbatim. The S3 evidence is in test/integration/dot-segments.test.ts.
 */
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveAddress } from '../../src/http/resolve.js';
import { isS3Error } from '../../src/s3/s3-error.js';

function resolveKey(rawPath: string, host = '127.0.0.1:9444'): { key?: string; refused?: { code: string; status: number; document: boolean } } {
  try {
    return { key: resolveAddress({ url: rawPath, headers: { host } } as IncomingMessage, ['localhost']).key };
  } catch (err) {
    if (!isS3Error(err)) throw err;
    return { refused: { code: err.code, status: err.status, document: err.document } };
  }
}

const keys = fc.array(fc.constantFrom('a', 'b', '.', '..', ''), { minLength: 1, maxLength: 8 }).map((segments) => segments.join('/'));

describe('dot segments in a key', () => {
  it('are refused (bare 400) exactly when the path would resolve outside the bucket; other keys stay verbatim', () => {
    fc.assert(
      fc.property(keys, (key) => {
        // An empty key addresses the bucket itself.
        if (key === '') return;
        const escapes = !new URL(`http://h/bucket/${key}`).pathname.startsWith('/bucket/');
        for (const [rawPath, host] of [[`/bucket/${key}`, undefined], [`/${key}`, 'bucket.localhost:9444']] as const) {
          const resolved = resolveKey(rawPath, host);
          if (escapes) expect(resolved.refused, rawPath).toEqual({ code: 'BadRequest', status: 400, document: false });
          else expect(resolved.key, rawPath).toBe(key);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('are read after percent-decoding: %2E%2E and ..%2F climb as .. and ../ do', () => {
    for (const raw of ['%2E%2E/x', '%2e%2E', '..%2Fx', 'a%2F..%2F..%2Fx']) {
      expect(resolveKey(`/bucket/${raw}`).refused, raw).toEqual({ code: 'BadRequest', status: 400, document: false });
    }
    expect(resolveKey('/bucket/a%2F..%2Fb').key).toBe('a/../b');
  });
});
