import type Koa from 'koa';
import type { ObjectRecord } from '../store/index.js';
import { S3Error } from '../http/s3-error.js';
import { evaluateReadConditions, readConditionsFrom } from './conditions.js';
import { parseRange, type ByteRange } from './range.js';
import type { OperationContext } from './types.js';

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

function setObjectHeaders(ctx: Koa.Context, record: ObjectRecord, query: URLSearchParams, withChecksum: boolean): void {
  ctx.set('Last-Modified', record.lastModified.toUTCString());
  ctx.set('ETag', record.etag);
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Content-Type', record.contentType ?? DEFAULT_CONTENT_TYPE);
  const stored: Array<[string, string | undefined]> = [
    ['Cache-Control', record.cacheControl],
    ['Content-Disposition', record.contentDisposition],
    ['Content-Encoding', record.contentEncoding],
    ['Content-Language', record.contentLanguage],
    ['Expires', record.expires],
  ];
  for (const [name, value] of stored) if (value !== undefined) ctx.set(name, value);
  for (const [name, value] of Object.entries(record.userMetadata)) ctx.set(`x-amz-meta-${name}`, value);
  for (const [param, header] of RESPONSE_OVERRIDES) {
    const value = query.get(param);
    if (value !== null) ctx.set(header, value);
  }
  if (withChecksum && record.checksum) {
    ctx.set(`x-amz-checksum-${record.checksum.algorithm.toLowerCase()}`, record.checksum.value);
    ctx.set('x-amz-checksum-type', record.checksum.type);
  }
}

/**
 * What GetObject and HeadObject share: find the object, evaluate the conditions and the
 * range, and set the response headers. Returns the object and the range to send.
 */
export function prepareObjectRead({ req, store, ctx }: OperationContext): { record: ObjectRecord; range?: ByteRange } {
  const record = store.getObject(req.bucketRecord.name, req.key!);
  if (!record) throw new S3Error('NoSuchKey');
  evaluateReadConditions(readConditionsFrom(req.headers), record);
  const rangeHeader = req.headers.range;
  const range = parseRange(rangeHeader, record.size);
  // A whole-object checksum says nothing about a part of it: never sent for a range.
  const withChecksum = String(req.headers['x-amz-checksum-mode']).toUpperCase() === 'ENABLED' && range === undefined;
  setObjectHeaders(ctx, record, req.query, withChecksum);
  if (range) {
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${record.size}`);
  } else {
    ctx.status = 200;
  }
  return { record, range };
}
