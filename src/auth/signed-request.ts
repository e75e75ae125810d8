/**
 * The part of SigV4 verification that header auth and presigned URLs share, once each has parsed
 * its own parameters: every header that must be signed is, the access key exists, and the
 * signature is the HMAC of the canonical request.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../s3/s3-error.js';
import { buildCanonicalRequest } from './canonical-request.js';
import type { Credential } from './credential-scope.js';
import { assertSignatureMatches } from './signature-match.js';
import { cachedSigningKey, stringToSign } from './sigv4-crypto.js';
import type { SecretLookup, SignableRequest } from './types.js';

export interface RequestSignature {
  credential: Credential;
  signedHeaders: readonly string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  presigned: boolean;
}

/** Verifies the signature and returns the signing key (later chunk signatures need it). */
export function verifyRequestSignature(
  req: SignableRequest,
  signed: RequestSignature,
  lookupSecret: SecretLookup,
): Buffer {
  assertRequiredHeadersSigned(req.headers, signed.signedHeaders);
  const { accessKeyId } = signed.credential;
  const secret = lookupSecret(accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  const signingKey = cachedSigningKey(secret, signed.credential.date, signed.credential.region);
  const canonicalRequest = buildCanonicalRequest({
    method: req.method,
    rawPath: req.rawPath,
    rawQuery: req.rawQuery,
    headers: req.headers,
    signedHeaders: signed.signedHeaders,
    payloadHash: signed.payloadHash,
    omitSignatureParameter: signed.presigned,
  });
  assertSignatureMatches({
    signingKey,
    stringToSign: stringToSign(signed.amzDate, signed.credential.scope, canonicalRequest),
    signatureProvided: signed.signature,
    accessKeyId,
    canonicalRequest,
  });
  return signingKey;
}

/**
 * S3 refuses a request whose `host` or any `x-amz-*` header is left out of the signature (an
 * unsigned x-amz-acl could otherwise be added by anyone on the path). x-amz-content-sha256 is the
 * exception S3 makes: it may go unsigned.
 */
function assertRequiredHeadersSigned(headers: IncomingHttpHeaders, signedHeaders: readonly string[]): void {
  const signed = new Set(signedHeaders.map((name) => name.toLowerCase()));
  const notSigned: string[] = [];
  if (!signed.has('host')) notSigned.push('host');
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-amz-') && name !== 'x-amz-content-sha256' && !signed.has(name)) notSigned.push(name);
  }
  if (notSigned.length > 0) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
      HeadersNotSigned: notSigned.join(', '),
    });
  }
}
