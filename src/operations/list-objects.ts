import { renderXml } from '../s3/xml.js';
import { contentsOf, encoderFor, ownerOf, parseListParameters } from './listing.js';
import { xmlResponse } from './response.js';
import type { BucketRequest, OperationHandler } from './types.js';

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
 * ListObjects (v1): marker paging; NextMarker only with a delimiter, as S3 answers.
 */
export const ListObjects: OperationHandler<BucketRequest> = async ({ req, store }) => {
  const list = parseListParameters(req.query);
  const marker = req.query.get('marker') || undefined;
  const bucket = req.bucket;
  const page = await store.listObjects(bucket, { prefix: list.prefix, delimiter: list.delimiter, after: marker, maxKeys: list.maxKeys });
  const encode = encoderFor(list);
  return xmlResponse(
    renderXml('ListBucketResult', {
      Name: bucket,
      Prefix: encode(list.prefix) ?? '',
      Marker: encode(marker) ?? '',
      NextMarker: list.delimiter && page.isTruncated ? encode(page.lastReturned) : undefined,
      MaxKeys: list.maxKeys,
      Delimiter: encode(list.delimiter),
      EncodingType: list.urlEncoded ? 'url' : undefined,
      IsTruncated: page.isTruncated,
      ...contentsOf(page, encode, ownerOf(bucket)),
    }),
  );
};
