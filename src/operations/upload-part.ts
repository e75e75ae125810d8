import { DEFAULT_CHECKSUM_ALGORITHM, createChecksum, type ChecksumAlgorithm } from '../auth/checksums.js';
import { S3Error } from '../s3/s3-error.js';
import { partNumberOf, uploadOf } from './multipart-common.js';
import { tap } from './multipart-checksums.js';
import { checksumHeaders } from './response.js';
import type { ObjectRequest, OperationHandler, RequestBody } from './types.js';

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html */
export const UploadPart: OperationHandler<ObjectRequest & RequestBody> = async ({ req, store }) => {
  const partNumber = partNumberOf(req);
  const upload = await uploadOf(req, store, { open: true });
  const { body } = req;

  // A part of an upload created with a checksum algorithm carries that algorithm's checksum
  // (S3 computes it only for FULL_OBJECT uploads); the decode stage verifies the value.
  const sent = body.requestedChecksum?.algorithm;
  const expected = upload.checksum?.algorithm as ChecksumAlgorithm | undefined;
  const computeHere = expected !== undefined && sent === undefined && upload.checksum?.type === 'FULL_OBJECT';
  if (expected !== undefined && sent !== expected && !computeHere) {
    throw new S3Error(
      'InvalidRequest',
      `Checksum Type mismatch occurred, expected checksum Type: ${expected.toLowerCase()}, actual checksum Type: ${sent?.toLowerCase() ?? 'null'}`,
    );
  }

  // An upload created without an algorithm completes to S3's default checksum, combined from
  // its parts' CRC64NVMEs: each part's is computed as it streams in (unless it came with one).
  const defaultChecksumUpload = upload.checksum === undefined;
  const tapped = computeHere
    ? createChecksum(expected)
    : defaultChecksumUpload && sent !== DEFAULT_CHECKSUM_ALGORITHM
      ? createChecksum(DEFAULT_CHECKSUM_ALGORITHM)
      : undefined;
  let partChecksum: { algorithm: string; value: string } | undefined;
  const part = await store.uploadPart(upload.id, partNumber, {
    body: tapped ? tap(body.stream, (chunk) => tapped.update(chunk)) : body.stream,
    size: body.declaredLength,
    describe: async () => {
      const { md5, checksum } = body.result();
      const tappedValue = tapped && (await tapped.digestBase64());
      partChecksum = checksum ?? (computeHere && expected && tappedValue !== undefined ? { algorithm: expected, value: tappedValue } : undefined);
      return {
        etag: `"${md5.toString('hex')}"`,
        // Only a checksum of the upload's own algorithm means anything for the object.
        checksum: partChecksum?.algorithm === expected ? partChecksum?.value : undefined,
        crc64nvme: defaultChecksumUpload ? (checksum?.algorithm === DEFAULT_CHECKSUM_ALGORITHM ? checksum.value : tappedValue) : undefined,
      };
    },
  });
  if (!part) throw new S3Error('NoSuchUpload', undefined, { UploadId: upload.id });

  return { status: 200, headers: { ETag: part.etag, ...checksumHeaders(partChecksum) } };
};
