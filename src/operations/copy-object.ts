import type { IncomingHttpHeaders } from 'node:http';
import { CHECKSUM_ALGORITHMS, DEFAULT_CHECKSUM_ALGORITHM, parseChecksumAlgorithm, type ChecksumAlgorithm } from '../auth/checksums.js';
import { headerValue } from '../s3/headers.js';
import { S3Error } from '../s3/s3-error.js';
import { renderXml } from '../s3/xml.js';
import type { ObjectMetadata, ObjectRecord } from '../store/types.js';
import { assertCopyableSize, copySourceConditionsFrom, copySourceOf, evaluateCopySourceConditions } from './copy-source.js';
import { renderHeaderValue, renderUserMetadata } from './header-values.js';
import { checksumElement } from './multipart-common.js';
import { streamChecksum } from './multipart-checksums.js';
import { objectMetadataFrom, writePrecondition } from './put-object.js';
import { xmlResponse } from './response.js';
import type { ObjectRequest, OperationHandler } from './types.js';
import { refuseReservedKey } from './reserved-keys.js';

function metadataDirective(headers: IncomingHttpHeaders): 'COPY' | 'REPLACE' {
  const value = headerValue(headers, 'x-amz-metadata-directive');
  const directive = value?.trim().toUpperCase() ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: String(value) });
  }
  return directive;
}

/**
 * The metadata a COPY directive carries over: content headers and user metadata rendered as
 * GetObject renders them (user metadata as kept, its RFC 2047 form is made when it is sent), so
 * that a value an older version stored unsendable is not copied as it was.
 */
function metadataOf(record: ObjectRecord): ObjectMetadata {
  const rendered = (value: string | undefined) => (value === undefined ? undefined : renderHeaderValue(value));
  const userMetadata = Object.fromEntries(renderUserMetadata(record.userMetadata).entries);
  return {
    contentType: rendered(record.contentType),
    cacheControl: rendered(record.cacheControl),
    contentDisposition: rendered(record.contentDisposition),
    contentEncoding: rendered(record.contentEncoding),
    contentLanguage: rendered(record.contentLanguage),
    expires: rendered(record.expires),
    userMetadata,
  };
}

/** `x-amz-checksum-algorithm`: the algorithm the copy's checksum is to be of, if not the source's. */
function requestedChecksumAlgorithm(headers: IncomingHttpHeaders): ChecksumAlgorithm | undefined {
  const text = headerValue(headers, 'x-amz-checksum-algorithm');
  if (text === undefined) return undefined;
  const algorithm = parseChecksumAlgorithm(text);
  if (!algorithm) {
    throw new S3Error(
      'InvalidRequest',
      `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${CHECKSUM_ALGORITHMS.join(', ')}]`,
    );
  }
  return algorithm;
}

/** The source changed between computing the copy's new checksum and copying. */
class SourceChanged extends Error {}
const MAX_COPY_ATTEMPTS = 3;

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 * A copy within the bucket. The copy shares the source's blobs (and so its ETag and parts): only
 * rows are written, in one transaction that also reads the source and checks the
 * x-amz-copy-source-if-* conditions, so the copy is of exactly the object the conditions saw.
 * The checksum is the source's, unless x-amz-checksum-algorithm asks for another one, or the
 * source has none (S3's default CRC64NVME then): that one (FULL_OBJECT) is computed by reading
 * the source once, and the copy made only if the source is still the object that was read.
 */
export const CopyObject: OperationHandler<ObjectRequest> = async ({ req, store }) => {
  refuseReservedKey(store, req.key);
  const source = copySourceOf(req.headers);
  const target = { bucket: req.bucket, key: req.key };
  const directive = metadataDirective(req.headers);
  const algorithm = requestedChecksumAlgorithm(req.headers);
  if (directive === 'COPY' && algorithm === undefined && source.bucket === target.bucket && source.key === target.key) {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const replacement = directive === 'REPLACE' ? objectMetadataFrom(req.headers) : undefined;
  const conditions = copySourceConditionsFrom(req.headers);
  const precondition = writePrecondition(req.headers);
  const copyOf = (expected?: { snapshot: ObjectRecord; checksum: ObjectRecord['checksum'] }) =>
    store.copyObject(
      source,
      target,
      (sourceRecord) => {
        if (!sourceRecord) throw new S3Error('NoSuchKey');
        evaluateCopySourceConditions(conditions, sourceRecord);
        assertCopyableSize(sourceRecord.size);
        if (expected && (sourceRecord.etag !== expected.snapshot.etag || sourceRecord.lastModified.getTime() !== expected.snapshot.lastModified.getTime())) {
          throw new SourceChanged();
        }
        const checksum = expected ? expected.checksum : sourceRecord.checksum;
        return { ...(replacement ?? metadataOf(sourceRecord)), checksum, etag: sourceRecord.etag };
      },
      precondition,
    );

  /** `keepSourceChecksum`: `wanted` only for a source without any checksum (S3's default). */
  const copyWithChecksum = async (wanted: ChecksumAlgorithm, keepSourceChecksum: boolean): Promise<ObjectRecord> => {
    for (let attempt = 1; ; attempt++) {
      const snapshot = await store.getObject(source.bucket, source.key);
      if (!snapshot) throw new S3Error('NoSuchKey');
      evaluateCopySourceConditions(conditions, snapshot);
      const current = snapshot.checksum;
      const checksum =
        current && (keepSourceChecksum || (current.algorithm === wanted && current.type === 'FULL_OBJECT'))
          ? current
          : { algorithm: wanted, value: await streamChecksum(wanted, await store.readObject(snapshot)), type: 'FULL_OBJECT' as const };
      try {
        return await copyOf({ snapshot, checksum });
      } catch (err) {
        if (!(err instanceof SourceChanged)) throw err;
        if (attempt === MAX_COPY_ATTEMPTS) throw new S3Error('OperationAborted');
      }
    }
  };
  // A source stored without a checksum (by a version before S3's default) is read once, so
  // that the copy, a new object, gets the default CRC64NVME as every new object does.
  const record =
    algorithm !== undefined
      ? await copyWithChecksum(algorithm, false)
      : (await store.getObject(source.bucket, source.key))?.checksum === undefined
        ? await copyWithChecksum(DEFAULT_CHECKSUM_ALGORITHM, true)
        : await copyOf();

  return xmlResponse(
    renderXml('CopyObjectResult', {
      ETag: record.etag,
      LastModified: record.lastModified.toISOString(),
      ...(record.checksum ? { ChecksumType: record.checksum.type, [checksumElement(record.checksum.algorithm)]: record.checksum.value } : {}),
    }),
  );
};
