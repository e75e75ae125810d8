import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../http/s3-error.js';
import { renderXml } from '../http/xml.js';
import type { ObjectMetadata, ObjectRecord } from '../store/index.js';
import { copySourceConditionsFrom, copySourceOf, evaluateCopySourceConditions } from './copy-source.js';
import { checksumElement } from './multipart-common.js';
import { objectMetadataFrom, writePrecondition } from './put-object.js';
import type { OperationHandler } from './types.js';

function metadataDirective(headers: IncomingHttpHeaders): 'COPY' | 'REPLACE' {
  const value = headers['x-amz-metadata-directive'];
  const directive = (Array.isArray(value) ? value[0] : value)?.trim().toUpperCase() ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: String(value) });
  }
  return directive;
}

/** The metadata a COPY directive carries over: content headers and user metadata. */
function metadataOf(record: ObjectRecord): ObjectMetadata {
  const { contentType, cacheControl, contentDisposition, contentEncoding, contentLanguage, expires, userMetadata } = record;
  return { contentType, cacheControl, contentDisposition, contentEncoding, contentLanguage, expires, userMetadata };
}

/**
 * A copy within the bucket. The copy shares the source's blobs (and so its ETag, checksum and
 * parts): only rows are written, in one transaction that also reads the source and checks the
 * x-amz-copy-source-if-* conditions, so the copy is of exactly the object the conditions saw.
 */
export const CopyObject: OperationHandler = ({ req, store, ctx, granted }) => {
  const source = copySourceOf({ req, granted });
  const target = { bucket: req.bucketRecord.name, key: req.key! };
  const directive = metadataDirective(req.headers);
  if (directive === 'COPY' && source.bucket === target.bucket && source.key === target.key) {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const replacement = directive === 'REPLACE' ? objectMetadataFrom(req.headers) : undefined;
  const conditions = copySourceConditionsFrom(req.headers);
  const record = store.copyObject(
    source,
    target,
    (sourceRecord) => {
      if (!sourceRecord) throw new S3Error('NoSuchKey');
      evaluateCopySourceConditions(conditions, sourceRecord);
      return { ...(replacement ?? metadataOf(sourceRecord)), checksum: sourceRecord.checksum, etag: sourceRecord.etag };
    },
    writePrecondition(req.headers),
  );

  ctx.status = 200;
  ctx.type = 'application/xml';
  ctx.body = renderXml('CopyObjectResult', {
    ETag: record.etag,
    LastModified: record.lastModified.toISOString(),
    ...(record.checksum ? { ChecksumType: record.checksum.type, [checksumElement(record.checksum.algorithm)]: record.checksum.value } : {}),
  });
};
