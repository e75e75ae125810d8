/**
 * The client side of SigV4, for tests and the benchmark's load generator: sign a request's headers,
 * or presign a URL. Built from the same canonical-request code the server verifies with.
 */
import { formatAmzDate } from './amz-date.js';
import { buildCanonicalRequest } from './canonical-request.js';
import { UNSIGNED_PAYLOAD } from './payload-mode.js';
import { SIGV4_ALGORITHM, cachedSigningKey, credentialScope, signatureHex, stringToSign } from './sigv4-crypto.js';
import { uriEncodeText } from './uri-encoding.js';

export interface SigningCredentials {
  accessKeyId: string;
  secretKey: string;
  region: string;
}

export interface PresignUrlInput extends SigningCredentials {
  method: string;
  /** The URL to presign; its path should already be percent-encoded, any query it has is kept and signed. */
  url: string | URL;
  expiresSeconds: number;
  now?: Date;
}

/** A SigV4 presigned URL that signs only `host`, with an unsigned payload (as the AWS SDKs make them). */
export function presignUrl(input: PresignUrlInput): string {
  const url = new URL(input.url);
  const amzDate = formatAmzDate(input.now ?? new Date());
  const scope = credentialScope(amzDate.slice(0, 8), input.region);
  const presignParameters = [
    ['X-Amz-Algorithm', SIGV4_ALGORITHM],
    ['X-Amz-Credential', `${input.accessKeyId}/${scope}`],
    ['X-Amz-Date', amzDate],
    ['X-Amz-Expires', String(input.expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
  ]
    .map(([name, value]) => `${name}=${uriEncodeText(value ?? '', false)}`)
    .join('&');
  const existingQuery = url.search.slice(1);
  const rawQuery = existingQuery === '' ? presignParameters : `${existingQuery}&${presignParameters}`;
  const canonicalRequest = buildCanonicalRequest({
    method: input.method,
    rawPath: url.pathname,
    rawQuery,
    headers: { host: url.host },
    signedHeaders: ['host'],
    payloadHash: UNSIGNED_PAYLOAD,
    omitSignatureParameter: true,
  });
  const signingKey = cachedSigningKey(input.secretKey, amzDate.slice(0, 8), input.region);
  const signature = signatureHex(signingKey, stringToSign(amzDate, scope, canonicalRequest));
  return `${url.origin}${url.pathname}?${rawQuery}&X-Amz-Signature=${signature}`;
}

export interface SignRequestInput extends SigningCredentials {
  method: string;
  url: string | URL;
  /**
   * Extra headers to send and sign (any letter case). Values are byte strings, one char per byte,
   * as node:http writes them: to send text's UTF-8 bytes, pass `Buffer.from(text).toString('latin1')`.
   */
  headers?: Record<string, string>;
  /** x-amz-content-sha256: a hex SHA-256 of the body, UNSIGNED-PAYLOAD (the default) or a STREAMING-… value. */
  payloadHash?: string;
  now?: Date;
}

export interface SignedRequest {
  /** Every header to send, lower-case names, including host, x-amz-date, x-amz-content-sha256 and authorization. */
  headers: Record<string, string>;
  /** The seed signature, which chunk signatures of an aws-chunked body chain from. */
  signature: string;
  amzDate: string;
  scope: string;
  signingKey: Buffer;
}

/** Signs a request with an Authorization header, signing every header it sends. */
export function signRequest(input: SignRequestInput): SignedRequest {
  const url = new URL(input.url);
  const amzDate = formatAmzDate(input.now ?? new Date());
  const scope = credentialScope(amzDate.slice(0, 8), input.region);
  const headers: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['x-amz-date'] = amzDate;
  headers['x-amz-content-sha256'] = input.payloadHash ?? UNSIGNED_PAYLOAD;
  const signedHeaders = Object.keys(headers).sort();
  const canonicalRequest = buildCanonicalRequest({
    method: input.method,
    rawPath: url.pathname,
    rawQuery: url.search.slice(1),
    headers,
    signedHeaders,
    payloadHash: headers['x-amz-content-sha256'],
  });
  const signingKey = cachedSigningKey(input.secretKey, amzDate.slice(0, 8), input.region);
  const signature = signatureHex(signingKey, stringToSign(amzDate, scope, canonicalRequest));
  headers.authorization =
    `${SIGV4_ALGORITHM} Credential=${input.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { headers, signature, amzDate, scope, signingKey };
}
