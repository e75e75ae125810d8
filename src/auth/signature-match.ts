/**
 * Constant-time signature comparison, and the SignatureDoesNotMatch error S3 returns with the
 * strings it signed, so a client author can diff them against their own.
 */
import { timingSafeEqual } from 'node:crypto';
import { S3Error } from '../http/s3-error.js';
import { signatureHex } from './sigv4-crypto.js';

export interface SignatureCheck {
  signingKey: Buffer;
  stringToSign: string;
  /** The signature as the client sent it (any letter case). */
  signatureProvided: string;
  accessKeyId: string;
  /** Present for request signatures; chunk and trailer signatures have none. */
  canonicalRequest?: string;
}

/** True when two hex signatures are equal, compared in constant time and regardless of letter case. */
export function signaturesEqual(expected: string, provided: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'latin1');
  const b = Buffer.from(provided.toLowerCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throws SignatureDoesNotMatch unless the provided signature is the HMAC of the string to sign. */
export function assertSignatureMatches(check: SignatureCheck): void {
  const expected = signatureHex(check.signingKey, check.stringToSign);
  if (signaturesEqual(expected, check.signatureProvided)) return;
  throw new S3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: check.accessKeyId,
    StringToSign: check.stringToSign,
    SignatureProvided: check.signatureProvided,
    StringToSignBytes: spacedHex(check.stringToSign),
    CanonicalRequest: check.canonicalRequest,
    CanonicalRequestBytes: check.canonicalRequest === undefined ? undefined : spacedHex(check.canonicalRequest),
  });
}

/** S3 shows the signed strings as space-separated two-digit hex bytes. */
function spacedHex(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
