import { createHash } from 'node:crypto';
import { DEFAULT_CHECKSUM_ALGORITHM, createChecksum, type ChecksumAlgorithm } from '../auth/checksums.js';
import { S3Error } from '../s3/s3-error.js';
import { renderXml } from '../s3/xml.js';
import { assertCopyableSize, copySourceConditionsFrom, copySourceOf, copySourceRangeOf, evaluateCopySourceConditions } from './copy-source.js';
import { checksumElement, partNumberOf, uploadOf } from './multipart-common.js';
import { tap } from './multipart-checksums.js';
import { xmlResponse } from './response.js';
import type { ObjectRequest, OperationHandler } from './types.js';

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
 * A part copied from an object of the bucket (all of it or `x-amz-copy-source-range`). The bytes
 * are copied into the part's own blob: a part is exactly one blob.
 */
export const UploadPartCopy: OperationHandler<ObjectRequest> = async ({ req, store }) => {
  const partNumber = partNumberOf(req);
  const upload = await uploadOf(req, store, { open: true });
  const source = copySourceOf(req.headers);
  const record = await store.getObject(source.bucket, source.key);
  if (!record) throw new S3Error('NoSuchKey');
  evaluateCopySourceConditions(copySourceConditionsFrom(req.headers), record);
  const range = copySourceRangeOf(req.headers, record.size);
  assertCopyableSize(range ? range.end - range.start + 1 : record.size);

  const md5 = createHash('md5');
  const algorithm = upload.checksum?.algorithm as ChecksumAlgorithm | undefined;
  const checksum = algorithm && createChecksum(algorithm);
  // Without an algorithm the part's CRC64NVME is kept for the object's default checksum (see UploadPart).
  const crc64nvme = algorithm === undefined ? createChecksum(DEFAULT_CHECKSUM_ALGORITHM) : undefined;
  const data = await store.readObject(record, range);
  const part = await store.uploadPart(upload.id, partNumber, {
    size: range ? range.end - range.start + 1 : record.size,
    body: tap(data, (chunk) => {
      md5.update(chunk);
      checksum?.update(chunk);
      crc64nvme?.update(chunk);
    }),
    describe: async () => ({
      etag: `"${md5.digest('hex')}"`,
      checksum: checksum && (await checksum.digestBase64()),
      crc64nvme: crc64nvme && (await crc64nvme.digestBase64()),
    }),
  });
  if (!part) throw new S3Error('NoSuchUpload', undefined, { UploadId: upload.id });

  return xmlResponse(
    renderXml('CopyPartResult', {
      ETag: part.etag,
      LastModified: part.lastModified.toISOString(),
      ...(algorithm && part.checksum ? { [checksumElement(algorithm)]: part.checksum } : {}),
    }),
  );
};
