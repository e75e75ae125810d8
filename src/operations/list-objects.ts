import { renderXml } from '../s3/xml.js';
import { contentsOf, encoderFor, ownerOf, parseListQuery } from './listing.js';
import type { OperationHandler } from './types.js';

/** ListObjects (v1): marker paging; NextMarker only with a delimiter, as S3 answers. */
export const ListObjects: OperationHandler = async ({ req, store, ctx }) => {
  const list = parseListQuery(req.query);
  const marker = req.query.get('marker') || undefined;
  const bucket = req.bucketRecord.name;
  const page = await store.listObjects(bucket, { prefix: list.prefix, delimiter: list.delimiter, after: marker, maxKeys: list.maxKeys });
  const encode = encoderFor(list);
  ctx.type = 'application/xml';
  ctx.body = renderXml('ListBucketResult', {
    Name: bucket,
    Prefix: encode(list.prefix) ?? '',
    Marker: encode(marker) ?? '',
    NextMarker: list.delimiter && page.isTruncated ? encode(page.lastReturned) : undefined,
    MaxKeys: list.maxKeys,
    Delimiter: encode(list.delimiter),
    EncodingType: list.urlEncoded ? 'url' : undefined,
    IsTruncated: page.isTruncated,
    ...contentsOf(page, encode, ownerOf(bucket)),
  });
};
