/**
 * Constant-time signature comparison, and the SignatureDoesNotMatch error S3 returns with the
 * strings it signed, so a client author can diff them against their own.
 */
import { timingSafeEqual } from 'node:crypto';
import { S3Error } from '../s3/s3-error.js';
import { hmac } from './sigv4-crypto.js';

export interface SignatureCheck {
  signingKey: Buffer;
  /** A byte string (one char per byte), signed as those bytes. */
  stringToSign: string;
  /** The signature as the client sent it (any letter case). */
  signatureProvided: string;
  accessKeyId: string;
  /** Present for request signatures; chunk and trailer signatures have none. A byte string. */
  canonicalRequest?: string;
}

/**
 * True when `provided` is the hex of `expected`'s bytes in any letter case, compared in constant
 * time. Buffer.from stops decoding hex at the first pair that is not hex, so a string of the right
 * length with any other character decodes short and is refused.
 */
function signatureMatchesBytes(expected: Buffer, provided: string): boolean {
  if (provided.length !== expected.length * 2) return false;
  const bytes = Buffer.from(provided, 'hex');
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/** Throws SignatureDoesNotMatch unless the provided signature is the HMAC of the string to sign. */
export function assertSignatureMatches(check: SignatureCheck): void {
  if (signatureMatchesBytes(hmac(check.signingKey, check.stringToSign), check.signatureProvided)) return;
  throw new S3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: check.accessKeyId,
    StringToSign: signedText(check.stringToSign),
    SignatureProvided: check.signatureProvided,
    StringToSignBytes: spacedHex(check.stringToSign),
    CanonicalRequest: check.canonicalRequest === undefined ? undefined : signedText(check.canonicalRequest),
    CanonicalRequestBytes: check.canonicalRequest === undefined ? undefined : spacedHex(check.canonicalRequest),
  });
}

/** S3 shows the signed strings as space-separated two-digit hex bytes: here, the bytes signed. */
export function spacedHex(byteString: string): string {
  return Array.from(Buffer.from(byteString, 'latin1'), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

/** The signed bytes as text for the error document: read as UTF-8, as the client most likely wrote them. */
export function signedText(byteString: string): string {
  return Buffer.from(byteString, 'latin1').toString('utf8');
}
