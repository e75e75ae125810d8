import { S3Error } from '../s3/s3-error.js';
import { renderXml } from '../s3/xml.js';
import { MAX_PART_NUMBER, checksumElement, uploadOf } from './multipart-common.js';
import { checksumHeaders, xmlResponse } from './response.js';
import type { ObjectRequest, OperationHandler } from './types.js';

const DEFAULT_MAX_PARTS = 1000;

function nonNegativeInteger(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name);
  if (value === null) return fallback;
  if (!/^\d+$/.test(value)) {
    throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: value });
  }
  return Number(value);
}

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
 * Needs s3:ListMultipartUploadParts, which SMLL credentials lack unless the bucket is given it (`--allow`).
 */
export const ListParts: OperationHandler<ObjectRequest> = async ({ req, store }) => {
  const upload = await uploadOf(req, store, { open: true });
  const maxParts = Math.min(nonNegativeInteger(req.query, 'max-parts', DEFAULT_MAX_PARTS), DEFAULT_MAX_PARTS);
  const marker = Math.min(nonNegativeInteger(req.query, 'part-number-marker', 0), MAX_PART_NUMBER);
  const after = (await store.listParts(upload.id)).filter((part) => part.partNumber > marker);
  const page = after.slice(0, maxParts);
  const isTruncated = after.length > page.length;
  return xmlResponse(
    renderXml('ListPartsResult', {
      Bucket: upload.bucket,
      Key: upload.key,
      UploadId: upload.id,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
      MaxParts: maxParts,
      IsTruncated: isTruncated,
      ...(upload.checksum ? { ChecksumAlgorithm: upload.checksum.algorithm, ChecksumType: upload.checksum.type } : {}),
      Part: page.map((part) => ({
        PartNumber: part.partNumber,
        LastModified: part.lastModified.toISOString(),
        ETag: part.etag,
        Size: part.size,
        ...(upload.checksum && part.checksum ? { [checksumElement(upload.checksum.algorithm)]: part.checksum } : {}),
      })),
      StorageClass: 'STANDARD',
    }),
    checksumHeaders(upload.checksum),
  );
};
