import { S3Error } from '../s3/s3-error.js';
import { renderXml } from '../s3/xml.js';
import { contentsOf, encoderFor, ownerOf, parseListParameters } from './listing.js';
import { xmlResponse } from './response.js';
import type { BucketRequest, OperationHandler } from './types.js';

const TOKEN_PREFIX = 'smll1:';

/** Continuation tokens are opaque to clients: the last key or common prefix returned, wrapped. */
function encodeToken(after: string): string {
  return Buffer.from(TOKEN_PREFIX + after).toString('base64url');
}

function decodeToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith(TOKEN_PREFIX) || encodeToken(decoded.slice(TOKEN_PREFIX.length)) !== token) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  return decoded.slice(TOKEN_PREFIX.length);
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html */
export const ListObjectsV2: OperationHandler<BucketRequest> = async ({ req, store }) => {
  const list = parseListParameters(req.query);
  const token = req.query.get('continuation-token');
  const startAfter = req.query.get('start-after') || undefined;
  const bucket = req.bucket;
  const after = token !== null ? decodeToken(token) : startAfter;
  const page = await store.listObjects(bucket, { prefix: list.prefix, delimiter: list.delimiter, after, maxKeys: list.maxKeys });
  const encode = encoderFor(list);
  const fetchOwner = req.query.get('fetch-owner') === 'true';
  return xmlResponse(
    renderXml('ListBucketResult', {
      Name: bucket,
      Prefix: encode(list.prefix) ?? '',
      Delimiter: encode(list.delimiter),
      MaxKeys: list.maxKeys,
      EncodingType: list.urlEncoded ? 'url' : undefined,
      KeyCount: page.entries.length,
      IsTruncated: page.isTruncated,
      ContinuationToken: token ?? undefined,
      NextContinuationToken: page.isTruncated && page.lastReturned !== undefined ? encodeToken(page.lastReturned) : undefined,
      // A continuation token displaces start-after, and S3 then does not echo it (LocalStack's
      // snapshot `list-objects-start-after-token`, recorded against AWS).
      StartAfter: token === null ? encode(startAfter) : undefined,
      ...contentsOf(page, encode, fetchOwner ? ownerOf(bucket) : undefined),
    }),
  );
};
