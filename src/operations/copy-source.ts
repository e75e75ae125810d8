/**
 * The source side of CopyObject and UploadPartCopy: the object `x-amz-copy-source` names (parsed
 * in src/s3/copy-source.ts, authorized by the authorize stage), its `x-amz-copy-source-if-*`
 * conditions and UploadPartCopy's `x-amz-copy-source-range`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseCopySource } from '../s3/copy-source.js';
import { headerValue } from '../s3/headers.js';
import { S3Error, isS3Error } from '../s3/s3-error.js';
import { MAX_PUT_BYTES } from '../s3/limits.js';
import type { ByteRange, ObjectRecord } from '../store/types.js';
import { evaluateReadConditions, readConditionsFrom, type ReadConditions } from './conditions.js';

/**
 * The object `x-amz-copy-source` names. The authorize stage has parsed it and checked that the
 * credential may read it (the row's `source`), so it cannot fail here. A versionId (which needs
 * s3:GetObjectVersion) is not read: the store keeps one version of each key.
 */
export function copySourceOf(headers: IncomingHttpHeaders): { bucket: string; key: string } {
  const { bucket, key } = parseCopySource(headerValue(headers, 'x-amz-copy-source') ?? '');
  return { bucket, key };
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
