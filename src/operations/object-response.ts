import type { ByteRange, ObjectRecord, Store } from '../store/types.js';
import { headerValue } from '../s3/headers.js';
import { S3Error } from '../s3/s3-error.js';
import { evaluateReadConditions, readConditionsFrom } from './conditions.js';
import { renderHeaderValue, responseOverrideValue, userMetadataHeaders } from './header-values.js';
import { parseRange } from './range.js';
import { parsePartNumber } from './multipart-common.js';
import { checksumHeaders } from './response.js';
import type { ObjectRequest } from './types.js';

/** S3's default type for an object stored without Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** `response-*` query parameters and the header each one overrides. */
const RESPONSE_OVERRIDES: ReadonlyArray<[string, string]> = [
  ['response-content-type', 'Content-Type'],
  ['response-content-language', 'Content-Language'],
  ['response-expires', 'Expires'],
  ['response-cache-control', 'Cache-Control'],
  ['response-content-disposition', 'Content-Disposition'],
  ['response-content-encoding', 'Content-Encoding'],
];

type SentChecksum = NonNullable<ObjectRecord['checksum']>;

/**
 * The `response-*` overrides the request asks for, as [header, value].
 * @throws S3Error InvalidArgument for a value that cannot be a header value (see responseOverrideValue).
 */
function responseOverridesOf(query: URLSearchParams): Array<[string, string]> {
  const overrides: Array<[string, string]> = [];
  for (const [parameter, header] of RESPONSE_OVERRIDES) {
    const value = query.get(parameter);
    if (value !== null) overrides.push([header, responseOverrideValue(parameter, value)]);
  }
  return overrides;
}

/** Every stored value goes through renderHeaderValue: an object an older version stored with a bad value stays readable. */
function objectHeaders(record: ObjectRecord, overrides: Array<[string, string]>, checksum: SentChecksum | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'Last-Modified': record.lastModified.toUTCString(),
    ETag: renderHeaderValue(record.etag),
    'Accept-Ranges': 'bytes',
    'Content-Type': renderHeaderValue(record.contentType ?? DEFAULT_CONTENT_TYPE),
  };
  const stored: Array<[string, string | undefined]> = [
    ['Cache-Control', record.cacheControl],
    ['Content-Disposition', record.contentDisposition],
    ['Content-Encoding', record.contentEncoding],
    ['Content-Language', record.contentLanguage],
    ['Expires', record.expires],
  ];
  for (const [name, value] of stored) if (value !== undefined) headers[name] = renderHeaderValue(value);
  const metadata = userMetadataHeaders(record.userMetadata);
  for (const [name, value] of metadata.headers) headers[name] = value;
  if (metadata.missing > 0) headers['x-amz-missing-meta'] = String(metadata.missing);
  for (const [header, value] of overrides) headers[header] = value;
  return Object.assign(headers, checksumHeaders(checksum && { ...checksum, value: renderHeaderValue(checksum.value) }));
}

interface PartRead {
  range?: ByteRange;
  /** The checksum that describes exactly the part's bytes, if any. */
  checksum?: SentChecksum;
}

/**
 * `?partNumber=N`: the bytes of the part uploaded as part N of a multipart object (its parts may
 * skip numbers: completed from parts 1 and 3, part 3 is the second and there is no part 2), or
 * of the whole object for N=1 of any other object. Any other N: 416 InvalidPartNumber with
 * PartNumberRequested and ActualPartCount.
 *
 * Sources: LocalStack's snapshot `test_get_object_part` recorded against AWS (validated
 * 2026-02-21: 416 InvalidPartNumber for part 10 of 2, and for part 2 of a PutObject with
 * ActualPartCount 1) and AWS's error-code table
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html); parts addressed by
 * their number as LocalStack keys them and as Apache Ozone (HDDS-15740) and SeaweedFS changed to
 * in 2026. The ceph s3-tests and Ozone answer 400 InvalidPart instead, without a recording.
 */
async function readPart(store: Store, record: ObjectRecord, partNumber: number): Promise<PartRead> {
  const parts = await store.objectParts(record);
  const index = parts.findIndex((part) => part.partNumber === partNumber);
  if (index < 0) throw new S3Error('InvalidPartNumber', undefined, { PartNumberRequested: partNumber, ActualPartCount: parts.length });
  const start = parts.slice(0, index).reduce((sum, part) => sum + part.size, 0);
  const { size, checksum } = parts[index];
  const range = size > 0 ? { start, end: start + size - 1 } : undefined;
  if (record.partsCount === undefined) return { range, checksum: record.checksum };
  // A FULL_OBJECT checksum describes a part only when that part is the whole object (LocalStack's
  // `test_get_object_part_checksum[FULL_OBJECT]`, recorded against AWS); a COMPOSITE object's
  // parts keep their own checksums.
  if (record.checksum?.type === 'FULL_OBJECT') return { range, checksum: parts.length === 1 ? record.checksum : undefined };
  const partChecksum =
    record.checksum?.type === 'COMPOSITE' && checksum !== undefined ? { ...record.checksum, value: checksum } : undefined;
  return { range, checksum: partChecksum };
}

/** What GetObject and HeadObject answer with, but the body. */
export interface ObjectRead {
  record: ObjectRecord;
  /** The bytes to send; none: the whole object. */
  range?: ByteRange;
  /** 200, or 206 for a range or a part. */
  status: 200 | 206;
  /** The object's headers, Content-Length included. */
  headers: Record<string, string>;
}

/**
 * What GetObject and HeadObject share: find the object, evaluate the conditions and the range
 * (or `partNumber`), and make the response headers. `forBody`: the record is for reading the
 * bytes (GetObject); HeadObject's record comes from store.headObject, which reads none.
 * @throws S3Error NoSuchKey, NotModified/PreconditionFailed (conditions), InvalidRange,
 *   InvalidPartNumber, InvalidArgument (partNumber, `response-*`), InvalidRequest (Range with partNumber).
 */
export async function prepareObjectRead(req: ObjectRequest, store: Store, forBody: boolean): Promise<ObjectRead> {
  const partNumberParameter = req.query.get('partNumber');
  const partNumber = partNumberParameter === null ? undefined : parsePartNumber(partNumberParameter);
  const overrides = responseOverridesOf(req.query);
  const rangeHeader = headerValue(req.headers, 'range');
  if (partNumber !== undefined && rangeHeader !== undefined) {
    throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  }
  const record = await (forBody ? store.getObject(req.bucket, req.key) : store.headObject(req.bucket, req.key));
  if (!record) throw new S3Error('NoSuchKey');
  evaluateReadConditions(readConditionsFrom(req.headers), record);
  const checksumMode = headerValue(req.headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
  let range: ByteRange | undefined;
  let checksum: SentChecksum | undefined;
  if (partNumber !== undefined) {
    const part = await readPart(store, record, partNumber);
    range = part.range;
    checksum = checksumMode ? part.checksum : undefined;
  } else {
    range = parseRange(rangeHeader, record.size);
    // A whole-object checksum says nothing about a part of it: never sent for a range.
    checksum = checksumMode && range === undefined ? record.checksum : undefined;
  }
  const headers = objectHeaders(record, overrides, checksum);
  if (record.partsCount !== undefined && partNumber !== undefined) headers['x-amz-mp-parts-count'] = String(record.partsCount);
  // An empty object has no byte range to name, even as part 1: it is a 200.
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${record.size}`;
  headers['Content-Length'] = String(range ? range.end - range.start + 1 : record.size);
  return { record, range, status: range ? 206 : 200, headers };
}
