/**
 * The cryptographic primitives of AWS Signature Version 4 for S3: hashing, HMAC, the signing-key
 * derivation (cached, since every request of a day reuses it) and the string to sign.
 */
import * as crypto from 'node:crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const SIGV4_SERVICE = 's3';
export const SIGV4_TERMINATOR = 'aws4_request';
/** SHA-256 of the empty string: the payload hash of a body-less request, and a fixed line of chunk signatures. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Node's one-shot hash (20.12, 21.7 and later) skips the Hash object a createHash makes: about half
 * the cost for the few hundred bytes of a canonical request. Undefined on older Node 20.
 */
const oneShotHash: typeof crypto.hash | undefined = (crypto as Partial<typeof crypto>).hash;

/** SHA-256 as lower-case hex; a string is hashed as its UTF-8 encoding. */
export function sha256Hex(data: string | Buffer): string {
  return oneShotHash ? oneShotHash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

export function hmac(key: string | Buffer, data: string): Buffer {
  return crypto.createHmac('sha256', key).update(data).digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request"). */
export function deriveSigningKey(secretKey: string, date: string, region: string): Buffer {
  const dateKey = hmac(`AWS4${secretKey}`, date);
  const regionKey = hmac(dateKey, region);
  const serviceKey = hmac(regionKey, SIGV4_SERVICE);
  return hmac(serviceKey, SIGV4_TERMINATOR);
}

/** A handful of live credentials × one or two dates is all a process sees; 64 entries is plenty. */
const SIGNING_KEY_CACHE_SIZE = 64;
const signingKeyCache = new Map<string, Buffer>();

/** deriveSigningKey, memoised per (secret, date, region): saves four HMACs per request. */
export function cachedSigningKey(secretKey: string, date: string, region: string): Buffer {
  const cacheKey = `${secretKey}\n${date}\n${region}`;
  let key = signingKeyCache.get(cacheKey);
  if (!key) {
    key = deriveSigningKey(secretKey, date, region);
    if (signingKeyCache.size >= SIGNING_KEY_CACHE_SIZE) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = signingKeyCache.keys().next().value;
      if (oldest !== undefined) signingKeyCache.delete(oldest);
    }
    signingKeyCache.set(cacheKey, key);
  }
  return key;
}

/** `date/region/s3/aws4_request`. */
export function credentialScope(date: string, region: string): string {
  return `${date}/${region}/${SIGV4_SERVICE}/${SIGV4_TERMINATOR}`;
}

/**
 * The SigV4 string to sign. `canonicalRequest` is a byte string (one char per byte, as
 * `buildCanonicalRequest` makes it): it is hashed as those bytes, so a header value is signed
 * as the bytes that were received, not re-encoded.
 */
export function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(Buffer.from(canonicalRequest, 'latin1'))}`;
}

export function signatureHex(signingKey: Buffer, toSign: string): string {
  return hmac(signingKey, toSign).toString('hex');
}
