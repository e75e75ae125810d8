/**
 * Authentication by `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
 * Checks run in the order S3 reports them: the header's shape and scope, the payload hash, the
 * date, then the key and signature, and only then the clock skew.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../s3/s3-error.js';
import { MAX_CLOCK_SKEW_MS, formatAmzDate, formatIsoSeconds, parseAmzDate } from './amz-date.js';
import { HEADER_CREDENTIAL_ERRORS, assertCredentialDate, parseCredential } from './credential-scope.js';
import { assertValidPayloadHash } from './payload-mode.js';
import { verifyRequestSignature } from './signed-request.js';
import { SIGV4_ALGORITHM } from './sigv4-crypto.js';
import type { AuthenticateOptions, SecretLookup, SigV4Authentication, SignableRequest } from './types.js';

export const UNSUPPORTED_MECHANISM_MESSAGE =
  'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';

interface AuthorizationHeader {
  credential: string;
  signedHeaders: string[];
  signature: string;
}

export function authenticateWithHeader(
  req: SignableRequest,
  authorization: string,
  lookupSecret: SecretLookup,
  options: AuthenticateOptions,
): SigV4Authentication {
  const parsed = parseAuthorizationHeader(authorization);
  const credential = parseCredential(parsed.credential, options.region, HEADER_CREDENTIAL_ERRORS);
  const payloadHash = singleHeader(req.headers, 'x-amz-content-sha256');
  if (payloadHash === undefined) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  assertValidPayloadHash(payloadHash);
  const timestamp = requestTimestamp(req.headers);
  assertCredentialDate(credential, timestamp.amzDate, HEADER_CREDENTIAL_ERRORS);
  const signingKey = verifyRequestSignature(
    req,
    {
      credential,
      signedHeaders: parsed.signedHeaders,
      signature: parsed.signature,
      amzDate: timestamp.amzDate,
      payloadHash,
      presigned: false,
    },
    lookupSecret,
  );
  const now = options.now ?? new Date();
  if (Math.abs(now.getTime() - timestamp.date.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: timestamp.raw,
      ServerTime: formatIsoSeconds(now),
      MaxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS,
    });
  }
  return {
    accessKeyId: credential.accessKeyId,
    kind: 'header',
    payloadHash,
    signingKey,
    amzDate: timestamp.amzDate,
    scope: credential.scope,
    signature: parsed.signature.toLowerCase(),
  };
}

const THREE_COMPONENTS_MESSAGE =
  'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.';

/**
 * The access key id the header's Credential names, read as authenticateWithHeader reads it, for
 * looking up the credential before verifying; undefined when the header is malformed (it is then
 * refused before any lookup).
 */
export function headerAccessKeyId(authorization: string): string | undefined {
  return authorizationComponents(authorization)?.get('Credential')?.split('/')[0];
}

/** `Name=value` components after the scheme; undefined when one has no name. */
function authorizationComponents(value: string): Map<string, string> | undefined {
  const space = value.indexOf(' ');
  const components = new Map<string, string>();
  // SDKs separate components with ", "; some clients with "," alone.
  for (const component of value.slice(space + 1).split(',')) {
    const trimmed = component.trim();
    const equals = trimmed.indexOf('=');
    if (equals <= 0) return undefined;
    components.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
  }
  return components;
}

function parseAuthorizationHeader(value: string): AuthorizationHeader {
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  // SigV2 ("AWS AKID:signature"), SigV4a and anything else: S3 only takes SigV4 for this endpoint.
  if (scheme !== SIGV4_ALGORITHM) throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM_MESSAGE);
  const components = authorizationComponents(value);
  if (!components) throw new S3Error('AuthorizationHeaderMalformed', THREE_COMPONENTS_MESSAGE);
  const credential = components.get('Credential');
  const signedHeaders = components.get('SignedHeaders');
  const signature = components.get('Signature');
  if (space === -1 || credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw new S3Error('AuthorizationHeaderMalformed', THREE_COMPONENTS_MESSAGE);
  }
  return { credential, signedHeaders: signedHeaders === '' ? [] : signedHeaders.split(';'), signature };
}

interface RequestTimestamp {
  /** As sent, for RequestTimeTooSkewed. */
  raw: string;
  /** The `yyyyMMdd'T'HHmmss'Z'` form that goes into the string to sign. */
  amzDate: string;
  date: Date;
}

/** x-amz-date if present (and then it must be valid), else the HTTP Date header. */
function requestTimestamp(headers: IncomingHttpHeaders): RequestTimestamp {
  const noDate = () => new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  const amzDate = singleHeader(headers, 'x-amz-date');
  if (amzDate !== undefined) {
    const date = parseAmzDate(amzDate);
    if (!date) throw noDate();
    return { raw: amzDate, amzDate, date };
  }
  const httpDate = singleHeader(headers, 'date');
  const time = httpDate === undefined ? NaN : Date.parse(httpDate);
  if (httpDate === undefined || Number.isNaN(time)) throw noDate();
  const date = new Date(time);
  return { raw: httpDate, amzDate: formatAmzDate(date), date };
}

function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
