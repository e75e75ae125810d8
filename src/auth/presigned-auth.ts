/**
 * Authentication by a presigned URL: the X-Amz-* query parameters. A presigned URL may be used
 * long after it was signed, so there is no clock-skew check, only its own validity window.
 */
import { S3Error } from '../s3/s3-error.js';
import { MAX_CLOCK_SKEW_MS, formatIsoSeconds, parseAmzDate } from './amz-date.js';
import { QUERY_CREDENTIAL_ERRORS, assertCredentialDate, parseCredential } from './credential-scope.js';
import { UNSIGNED_PAYLOAD, assertValidPayloadHash } from './payload-mode.js';
import { verifyRequestSignature } from './signed-request.js';
import { SIGV4_ALGORITHM } from './sigv4-crypto.js';
import type { AuthenticateOptions, SecretLookup, SigV4Authentication, SignableRequest } from './types.js';

/** SigV4 limits a presigned URL to seven days. */
const MAX_PRESIGNED_EXPIRES_SECONDS = 604800;

/** The parameters a presigned URL must carry (X-Amz-Algorithm …), in lower case. */
const REQUIRED_LOWER_CASE = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-signature', 'x-amz-date', 'x-amz-signedheaders', 'x-amz-expires'];

/** The parameter names that make a request a presigned one (compared in lower case). */
export const PRESIGN_PARAMETER_NAMES: ReadonlySet<string> = new Set(REQUIRED_LOWER_CASE);

/**
 * A presigned request's query parameters by lower-case name, the first of a repeated name
 * counting: S3 matches presign parameter names without case. Made once per request by the caller,
 * which reads the query to find the mechanism anyway.
 */
export type PresignParameters = ReadonlyMap<string, string>;

/**
 * The access key id X-Amz-Credential names, read as authenticatePresigned reads it, for looking up
 * the credential before verifying.
 */
export function presignedAccessKeyId(parameters: PresignParameters): string | undefined {
  const credential = parameters.get('x-amz-credential');
  if (credential === undefined) return undefined;
  const slash = credential.indexOf('/');
  return slash === -1 ? credential : credential.slice(0, slash);
}

/** Verifies a presigned request; `parameters` are its query's (see PresignParameters). */
export function authenticatePresigned(
  req: SignableRequest,
  parameters: PresignParameters,
  lookupSecret: SecretLookup,
  options: AuthenticateOptions,
): SigV4Authentication {
  for (const name of REQUIRED_LOWER_CASE) {
    if (!parameters.has(name)) {
      throw queryError(
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      );
    }
  }
  const get = (lowerCaseName: string) => parameters.get(lowerCaseName) ?? '';

  if (get('x-amz-algorithm') !== SIGV4_ALGORITHM) {
    throw queryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"');
  }
  const credential = parseCredential(get('x-amz-credential'), options.region, QUERY_CREDENTIAL_ERRORS);
  const amzDate = get('x-amz-date');
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) throw queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  const expiresSeconds = parseExpires(get('x-amz-expires'));
  assertCredentialDate(credential, amzDate, QUERY_CREDENTIAL_ERRORS);

  const signedHeaderList = get('x-amz-signedheaders');
  const signedHeaders = signedHeaderList === '' ? [] : signedHeaderList.split(';');
  const payloadHash = presignedPayloadHash(req, signedHeaders, parameters.get('x-amz-content-sha256'));
  const signature = get('x-amz-signature');
  const signingKey = verifyRequestSignature(
    req,
    { credential, signedHeaders, signature, amzDate, payloadHash, presigned: true },
    lookupSecret,
  );

  const now = options.now ?? new Date();
  if (signedAt.getTime() - now.getTime() > MAX_CLOCK_SKEW_MS) {
    throw new S3Error('AccessDenied', 'Request is not yet valid', {
      'X-Amz-Date': amzDate,
      ServerTime: formatIsoSeconds(now),
    });
  }
  const expiresAt = signedAt.getTime() + expiresSeconds * 1000;
  // X-Amz-Expires=0 is valid syntax but a URL that is never usable.
  if (expiresSeconds === 0 || now.getTime() > expiresAt) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(expiresSeconds),
      Expires: formatIsoSeconds(new Date(expiresAt)),
      ServerTime: formatIsoSeconds(now),
    });
  }
  return {
    accessKeyId: credential.accessKeyId,
    kind: 'presigned',
    payloadHash,
    signingKey,
    amzDate,
    scope: credential.scope,
    signature: signature.toLowerCase(),
  };
}

function parseExpires(value: string): number {
  if (!/^-?\d+$/.test(value)) throw queryError('X-Amz-Expires should be a number');
  const seconds = Number(value);
  if (seconds < 0) throw queryError('X-Amz-Expires must be non-negative');
  if (seconds > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw queryError(
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  return seconds;
}

/**
 * A presigned request's body is unsigned unless the client signed an x-amz-content-sha256 header,
 * or put the value in the query (the JS SDK's presigner sends X-Amz-Content-Sha256=UNSIGNED-PAYLOAD).
 */
function presignedPayloadHash(req: SignableRequest, signedHeaders: readonly string[], fromQuery: string | undefined): string {
  const header = req.headers['x-amz-content-sha256'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  const signed = signedHeaders.some((name) => name.toLowerCase() === 'x-amz-content-sha256');
  const payloadHash = (signed ? fromHeader : undefined) ?? fromQuery ?? UNSIGNED_PAYLOAD;
  assertValidPayloadHash(payloadHash);
  return payloadHash;
}

function queryError(message: string): S3Error {
  return new S3Error('AuthorizationQueryParametersError', message);
}
