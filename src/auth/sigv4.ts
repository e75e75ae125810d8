/**
 * The "authenticate" stage: AWS Signature Version 4 (AWS4-HMAC-SHA256, service s3), by
 * Authorization header or presigned URL. Returns who signed the request and what the body stage
 * needs to verify the payload; throws the S3Error S3 would return; undefined means anonymous.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../s3/s3-error.js';
import { UNSUPPORTED_MECHANISM_MESSAGE, authenticateWithHeader } from './header-auth.js';
import { PRESIGN_PARAMETER_NAMES, authenticatePresigned } from './presigned-auth.js';
import { authenticateSigV2Header, authenticateSigV2Query, type SigV2Policy } from './sigv2.js';
import { parseQuery } from './uri-encoding.js';

export { buildCanonicalRequest, canonicalHeaderValue, canonicalQuery, canonicalUri } from './canonical-request.js';
export type { CanonicalRequestInput } from './canonical-request.js';
export { EMPTY_SHA256, deriveSigningKey, hmac, sha256Hex, stringToSign } from './sigv4-crypto.js';
export { presignUrl, signRequest } from './sigv4-client.js';
export type { PresignUrlInput, SignRequestInput, SignedRequest, SigningCredentials } from './sigv4-client.js';

export interface SignableRequest {
  method: string;
  /** Path exactly as received on the wire, still percent-encoded, no query. */
  rawPath: string;
  /** Query string exactly as received, without '?', may be ''. */
  rawQuery: string;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
}

export interface Authentication {
  accessKeyId: string;
  /** sigv2: a SigV2 presigned URL; post-policy: a browser form's signed policy (PostObject). */
  kind: 'header' | 'presigned' | 'sigv2' | 'post-policy';
  /** x-amz-content-sha256 value; for presigned without that header: 'UNSIGNED-PAYLOAD'. */
  payloadHash: string;
  /** For chunk signatures. */
  signingKey: Buffer;
  /** e.g. 20130524T000000Z */
  amzDate: string;
  /** e.g. 20130524/us-east-1/s3/aws4_request */
  scope: string;
  /** Seed signature (lower-case hex). */
  signature: string;
}

export interface AuthenticateOptions {
  region: string;
  now?: Date;
  /** SigV2 (presigned URLs and `Authorization: AWS …`): verified and accepted, or refused (default: refused). */
  sigv2?: SigV2Policy;
  /** The bucket the request addresses and whether it came in the Host header: SigV2 signs it. */
  bucket?: string;
  virtualHosted?: boolean;
}

const ONE_MECHANISM_MESSAGE =
  'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified';

export function authenticate(
  req: SignableRequest,
  lookupSecret: (accessKeyId: string) => string | undefined,
  options: AuthenticateOptions,
): Authentication | undefined {
  const header = req.headers.authorization;
  const authorization = Array.isArray(header) ? header[0] : header;
  const queryNames = authQueryParameterNames(req.rawQuery);
  const presigned = queryNames.some((name) => PRESIGN_PARAMETER_NAMES.has(name));
  const signatureV2Query = queryNames.includes('signature');
  if (authorization) {
    if (presigned || signatureV2Query) {
      throw new S3Error('InvalidArgument', ONE_MECHANISM_MESSAGE, {
        ArgumentName: 'Authorization',
        ArgumentValue: authorization,
      });
    }
    if (authorization.startsWith('AWS ')) {
      if (options.sigv2 !== 'accept') throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM_MESSAGE);
      return authenticateSigV2Header(req, authorization, lookupSecret, { bucket: options.bucket, virtualHosted: options.virtualHosted ?? false, now: options.now });
    }
    return authenticateWithHeader(req, authorization, lookupSecret, options);
  }
  if (presigned) return authenticatePresigned(req, lookupSecret, options);
  // A SigV2 presigned URL (AWSAccessKeyId, Signature, Expires).
  if (signatureV2Query) {
    if (options.sigv2 !== 'accept') throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM_MESSAGE);
    return authenticateSigV2Query(req, lookupSecret, { bucket: options.bucket, virtualHosted: options.virtualHosted ?? false, now: options.now });
  }
  return undefined;
}

/** Lower-case names of the query parameters; skips parsing when no auth parameter can be there. */
function authQueryParameterNames(rawQuery: string): string[] {
  if (!/x-amz-|signature/i.test(rawQuery)) return [];
  return parseQuery(rawQuery).map(([name]) => name.toLowerCase());
}
