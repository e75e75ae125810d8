import { S3Error } from '../s3/s3-error.js';
import type { Store, UploadRecord } from '../store/types.js';
import type { ObjectRequest } from './types.js';

/** S3's limits on multipart uploads. */
export const MAX_PART_NUMBER = 10_000;
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** `partNumber` of UploadPart, UploadPartCopy and GetObject/HeadObject: an integer 1..10000. */
export function parsePartNumber(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > MAX_PART_NUMBER) {
    throw new S3Error('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, {
      ArgumentName: 'partNumber',
      ArgumentValue: value,
    });
  }
  return number;
}

/** The partNumber query parameter of a part request (UploadPart, UploadPartCopy). */
export function partNumberOf(req: ObjectRequest): number {
  return parsePartNumber(req.query.get('partNumber') ?? '');
}

/**
 * The upload `?uploadId=` names, if it is an upload of this bucket and key; with `open`, it
 * must also not be completed yet. Anything else is NoSuchUpload, as S3 answers.
 */
export async function uploadOf(req: ObjectRequest, store: Store, { open }: { open: boolean }): Promise<UploadRecord> {
  const uploadId = req.query.get('uploadId') ?? '';
  const upload = uploadId === '' ? undefined : await store.getUpload(uploadId);
  if (!upload || upload.bucket !== req.bucket || upload.key !== req.key || (open && upload.completion)) {
    throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
  }
  return upload;
}

/** The element name of a checksum in S3's XML documents: ChecksumCRC32, ChecksumSHA256 … */
export function checksumElement(algorithm: string): string {
  return `Checksum${algorithm.toUpperCase()}`;
}
