/**
 * AWS Signature Version 2: in the query string (`AWSAccessKeyId`, `Expires`, `Signature`), what
 * stock boto3 `generate_presigned_url` emits for S3 in us-east-1 unless configured for `s3v4`,
 * and in the header (`Authorization: AWS AKID:signature`), what clients configured with
 * `signature_version='s3'` send. AWS has deprecated it, so the emulator accepts it (with a
 * warning per request) or, with `sigv2: 'reject'`, refuses it as S3 refuses it where SigV2 is off.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../s3/s3-error.js';
import { MAX_CLOCK_SKEW_MS, formatIsoSeconds, parseAmzDate } from './amz-date.js';
import { UNSIGNED_PAYLOAD, isSha256Hex } from './payload-mode.js';
import { signedText, spacedHex } from './signature-match.js';
import type { SecretLookup, SigV2Authentication, SignableRequest } from './types.js';
import { parseQuery, percentDecode } from './uri-encoding.js';

/** Query parameters that are part of the signed resource: S3's sub-resources and the response-* overrides. */
const SIGNED_SUBRESOURCES: ReadonlySet<string> = new Set([
  'accelerate', 'acl', 'analytics', 'cors', 'defaultObjectAcl', 'delete', 'inventory', 'lifecycle', 'location',
  'logging', 'metrics', 'notification', 'object-lock', 'partNumber', 'policy', 'replication', 'requestPayment',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires', 'restore', 'select', 'select-type', 'storageClass', 'tagging',
  'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website',
]);

/** Constant-time comparison of two base64 signatures (base64 is case-sensitive). */
function signaturesEqual(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(provided, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Base64 HMAC-SHA1 of the string to sign, a byte string (one char per byte): the SigV2 signature. */
export function sigV2Signature(secretKey: string, stringToSign: string): string {
  return createHmac('sha1', secretKey).update(stringToSign, 'latin1').digest('base64');
}

/** Text from the query (decoded as UTF-8) as the bytes it was sent as, one char per byte. */
function queryBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * `VERB\nContent-MD5\nContent-Type\nTIME\n[x-amz-* lines]CanonicalizedResource`, where TIME is
 * the Expires parameter of a presigned URL, or the Date header of a signed request (empty when
 * x-amz-date stands in for it). boto3 moves Content-Type, Content-MD5 and x-amz-* values into the
 * query of a presigned URL, so a value absent from the headers is taken from the query parameter
 * of the same name.
 *
 * Returns the strings a client may have signed, the canonical one first: boto3 signs a bucket
 * itself as `/bucket/` whatever its URL, other signers take the URL's `/bucket`. Each is a byte
 * string: header values are the bytes received (node:http reads them as Latin-1), values from the
 * query their UTF-8 bytes, so nothing is encoded twice.
 */
export function sigV2StringsToSign(
  req: SignableRequest,
  bucket: string | undefined,
  virtualHosted: boolean,
  timeLine?: string,
): string[] {
  const query = parseQuery(req.rawQuery);
  const fromQuery = (name: string) => {
    const value = query.find(([key]) => key.toLowerCase() === name)?.[1];
    return value === undefined ? undefined : queryBytes(value);
  };
  const standard = (name: string) => (headerValue(req.headers, name) ?? fromQuery(name) ?? '').trim();

  const amzHeaders = new Map<string, string>();
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith('x-amz-') || value === undefined) continue;
    amzHeaders.set(name, (Array.isArray(value) ? value : [value]).map((v) => v.trim()).join(','));
  }
  for (const [name, value] of query) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') && !amzHeaders.has(lower)) amzHeaders.set(lower, queryBytes(value).trim());
  }
  const amzLines = [...amzHeaders.keys()].sort().map((name) => `${name}:${amzHeaders.get(name)}\n`);

  const time = timeLine ?? fromQuery('expires') ?? '';
  const head = `${req.method}\n${standard('content-md5')}\n${standard('content-type')}\n${time}\n${amzLines.join('')}`;
  const path = virtualHosted && bucket !== undefined ? `/${bucket}${req.rawPath}` : req.rawPath;
  const paths = bucket !== undefined && path === `/${bucket}` ? [`${path}/`, path] : [path];
  const subresources = signedSubresources(req.rawQuery);
  return paths.map((resourcePath) => head + resourcePath + subresources);
}

/** `?name=value&…` of the signed sub-resources, sorted by name, values decoded to their bytes; '' when there are none. */
function signedSubresources(rawQuery: string): string {
  const subresources: Array<[string, string | undefined]> = [];
  for (const part of rawQuery.split('&')) {
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    if (!SIGNED_SUBRESOURCES.has(name)) continue;
    subresources.push([name, equals === -1 ? undefined : percentDecode(part.slice(equals + 1), false).toString('latin1')]);
  }
  if (subresources.length === 0) return '';
  subresources.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `?${subresources.map(([name, value]) => (value === undefined ? name : `${name}=${value}`)).join('&')}`;
}

export interface SigV2Target {
  bucket: string | undefined;
  /** The bucket came in the Host header (virtual-host-style): it is not in the path but is signed. */
  virtualHosted: boolean;
  now?: Date;
}

/** `AWS AKID:signature` */
const SIGV2_AUTHORIZATION = /^AWS ([^:\s]+):(\S+)$/;

/** The access key id of a SigV2 presigned URL (AWSAccessKeyId), for looking up the credential before verifying. */
export function sigV2QueryAccessKeyId(req: SignableRequest): string | undefined {
  return parseQuery(req.rawQuery).find(([key]) => key === 'AWSAccessKeyId')?.[1];
}

/** The access key id of `Authorization: AWS AKID:signature`, for looking up the credential before verifying. */
export function sigV2HeaderAccessKeyId(authorization: string): string | undefined {
  return SIGV2_AUTHORIZATION.exec(authorization)?.[1];
}

/** Verifies a SigV2 presigned URL. The body of such a request is not signed. */
export function authenticateSigV2Query(
  req: SignableRequest,
  lookupSecret: SecretLookup,
  target: SigV2Target,
): SigV2Authentication {
  const query = parseQuery(req.rawQuery);
  const parameter = (name: string) => query.find(([key]) => key === name)?.[1];
  const accessKeyId = parameter('AWSAccessKeyId');
  const signature = parameter('Signature');
  const expires = parameter('Expires');
  if (accessKeyId === undefined || signature === undefined || expires === undefined) {
    throw new S3Error('AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
  }
  if (!/^\d{1,12}$/.test(expires)) {
    throw new S3Error('AccessDenied', `Invalid date (should be seconds since epoch): ${expires}`);
  }
  const payloadHash = sigV2PayloadHash(req.headers);
  const secret = lookupSecret(accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });

  assertSignedOneOf(sigV2StringsToSign(req, target.bucket, target.virtualHosted), secret, accessKeyId, signature);
  const now = target.now ?? new Date();
  const expiresAt = new Date(Number(expires) * 1000);
  if (now.getTime() > expiresAt.getTime()) {
    throw new S3Error('AccessDenied', 'Request has expired', { Expires: formatIsoSeconds(expiresAt), ServerTime: formatIsoSeconds(now) });
  }
  return sigV2Authentication(accessKeyId, payloadHash, signature);
}

/**
 * Verifies `Authorization: AWS AKID:signature`. The signed time is the Date header, or x-amz-date
 * (then among the signed x-amz-* lines) when present; it must be within 15 minutes of ours.
 */
export function authenticateSigV2Header(
  req: SignableRequest,
  authorization: string,
  lookupSecret: SecretLookup,
  target: SigV2Target,
): SigV2Authentication {
  const match = SIGV2_AUTHORIZATION.exec(authorization);
  if (!match) {
    throw new S3Error('InvalidArgument', 'Authorization header is invalid -- one and only one \' \' (space) required', {
      ArgumentName: 'Authorization',
      ArgumentValue: authorization,
    });
  }
  const [, accessKeyId, signature] = match as unknown as [string, string, string];
  const amzDate = headerValue(req.headers, 'x-amz-date');
  const dateHeader = headerValue(req.headers, 'date');
  const signedAt = requestTime(amzDate ?? dateHeader);
  if (!signedAt) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  const payloadHash = sigV2PayloadHash(req.headers);
  const secret = lookupSecret(accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });

  assertSignedOneOf(sigV2StringsToSign(req, target.bucket, target.virtualHosted, amzDate === undefined ? dateHeader : ''), secret, accessKeyId, signature);
  const now = target.now ?? new Date();
  if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: amzDate ?? dateHeader,
      ServerTime: formatIsoSeconds(now),
      MaxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS,
    });
  }
  return sigV2Authentication(accessKeyId, payloadHash, signature);
}

/** An HTTP date (`Fri, 15 Jan 2027 08:00:00 GMT`) or an ISO 8601 basic one (`20270115T080000Z`). */
function requestTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const amz = parseAmzDate(value);
  if (amz) return amz;
  const millis = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(millis) ? undefined : new Date(millis);
}

/** Throws SignatureDoesNotMatch, showing the canonical string to sign, unless one of them was signed. */
function assertSignedOneOf(candidates: string[], secret: string, accessKeyId: string, signature: string): void {
  if (candidates.some((candidate) => signaturesEqual(sigV2Signature(secret, candidate), signature))) return;
  const toSign = candidates[0]!;
  throw new S3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: accessKeyId,
    StringToSign: signedText(toSign),
    SignatureProvided: signature,
    StringToSignBytes: spacedHex(toSign),
  });
}

function sigV2Authentication(accessKeyId: string, payloadHash: string, signature: string): SigV2Authentication {
  return { accessKeyId, kind: 'sigv2', payloadHash, signature };
}

/** The body is unsigned; a hex x-amz-content-sha256 is still verified, a signed aws-chunked body cannot be. */
function sigV2PayloadHash(headers: IncomingHttpHeaders): string {
  const value = headerValue(headers, 'x-amz-content-sha256');
  if (value === undefined || value === UNSIGNED_PAYLOAD) return UNSIGNED_PAYLOAD;
  if (isSha256Hex(value)) return value;
  throw new S3Error('InvalidRequest', `x-amz-content-sha256 ${value} requires AWS4-HMAC-SHA256 authentication.`);
}
