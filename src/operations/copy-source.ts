/**
 * The source side of CopyObject and UploadPartCopy: `x-amz-copy-source` (URL-encoded
 * `bucket/key`, with or without a leading `/`, optionally `?versionId=`), the s3:GetObject it
 * needs, its `x-amz-copy-source-if-*` conditions and UploadPartCopy's `x-amz-copy-source-range`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { accessDeniedFor } from '../auth/policy.js';
import { headerValue } from '../s3/headers.js';
import { S3Error, isS3Error } from '../s3/s3-error.js';
import { MAX_KEY_BYTES, MAX_PUT_BYTES } from '../s3/limits.js';
import type { ByteRange, ObjectRecord } from '../store/index.js';
import { evaluateReadConditions, readConditionsFrom, type ReadConditions } from './conditions.js';
import type { ObjectRequest, OperationContext, S3Request } from './types.js';

export interface CopySource {
  bucket: string;
  key: string;
}

function invalidCopySource(value: string, message = 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey'): S3Error {
  return new S3Error('InvalidArgument', message, { ArgumentName: 'x-amz-copy-source', ArgumentValue: value });
}

/**
 * Parses `x-amz-copy-source` and checks that the credential may read it: its own bucket only
 * (credentials are per bucket), s3:GetObject granted, and no versionId (s3:GetObjectVersion).
 */
export function copySourceOf({ req, granted }: Pick<OperationContext<ObjectRequest>, 'req' | 'granted'>): CopySource {
  const raw = headerValue(req.headers, 'x-amz-copy-source') ?? '';
  const queryStart = raw.indexOf('?');
  const encodedPath = queryStart === -1 ? raw : raw.slice(0, queryStart);
  let path: string;
  try {
    path = decodeURIComponent(encodedPath);
  } catch {
    throw invalidCopySource(raw, 'Invalid copy source encoding.');
  }
  if (path.startsWith('/')) path = path.slice(1);
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw invalidCopySource(raw);
  const source = { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
  if (Buffer.byteLength(source.key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', undefined, { Size: Buffer.byteLength(source.key), MaxSizeAllowed: MAX_KEY_BYTES });
  }

  const credentialBucket = req.bucket;
  // accessDeniedFor names the resource from the bucket and key alone.
  const sourceRequest = { bucket: source.bucket, key: source.key } as S3Request;
  const versioned = queryStart !== -1 && new URLSearchParams(raw.slice(queryStart + 1)).has('versionId');
  const action = versioned ? 's3:GetObjectVersion' : 's3:GetObject';
  if (source.bucket !== credentialBucket) {
    throw accessDeniedFor(sourceRequest, credentialBucket, action, `The request header x-amz-copy-source names the bucket ${source.bucket}: these credentials reach ${credentialBucket} only.`);
  }
  if (!granted.has(action)) {
    throw accessDeniedFor(sourceRequest, credentialBucket, action, versioned ? 'The versionId in the request header x-amz-copy-source asks for s3:GetObjectVersion: send the request without it.' : undefined);
  }
  return source;
}

export function copySourceConditionsFrom(headers: IncomingHttpHeaders): ReadConditions {
  return readConditionsFrom(headers, 'x-amz-copy-source-if-');
}

/**
 * The x-amz-copy-source-if-* conditions, with GetObject's precedence; a copy that does not
 * happen is always 412 PreconditionFailed (never 304), as S3 answers.
 */
export function evaluateCopySourceConditions(conditions: ReadConditions, source: ObjectRecord): void {
  try {
    evaluateReadConditions(conditions, source);
  } catch (err) {
    if (!isS3Error(err)) throw err;
    const condition =
      err.code === 'NotModified'
        ? conditions.ifNoneMatch !== undefined
          ? 'If-None-Match'
          : 'If-Modified-Since'
        : String(err.fields.Condition ?? 'If-Match');
    throw new S3Error('PreconditionFailed', undefined, { Condition: `x-amz-copy-source-${condition}` });
  }
}

/** UploadPartCopy's `x-amz-copy-source-range: bytes=first-last` (both required, inclusive), within the source. */
export function copySourceRangeOf(headers: IncomingHttpHeaders, sourceSize: number): ByteRange | undefined {
  const value = headerValue(headers, 'x-amz-copy-source-range');
  if (value === undefined) return undefined;
  const match = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  const fields = { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: value };
  if (!match) {
    throw new S3Error(
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      fields,
    );
  }
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (start > end || end >= sourceSize) {
    throw new S3Error('InvalidArgument', `Range specified is not valid for source object of size: ${sourceSize}`, fields);
  }
  return { start, end };
}

/** A single copy (CopyObject, or one UploadPartCopy) moves at most 5 GiB, as a single PUT. */
export function assertCopyableSize(size: number): void {
  if (size > MAX_PUT_BYTES) {
    throw new S3Error('InvalidRequest', `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PUT_BYTES}`);
  }
}
