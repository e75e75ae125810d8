import { S3Error } from '../s3/s3-error.js';
import { renderXml, type XmlTree } from '../s3/xml.js';
import { compareUtf8 } from '../s3/key-order.js';
import { encoderFor, ownerOf, parseListParameters } from './listing.js';
import { xmlResponse } from './response.js';
import type { BucketRequest, OperationHandler } from './types.js';

const MAX_UPLOADS_LIMIT = 1000;

function maxUploadsOf(query: URLSearchParams): number {
  const raw = query.get('max-uploads');
  if (raw === null) return MAX_UPLOADS_LIMIT;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value > 2 ** 31 - 1) {
    throw new S3Error('InvalidArgument', 'Provided max-uploads not an integer or within integer range', { ArgumentName: 'max-uploads', ArgumentValue: raw });
  }
  return Math.min(value, MAX_UPLOADS_LIMIT);
}

type Entry = { kind: 'upload'; key: string; id: string; tree: XmlTree } | { kind: 'prefix'; prefix: string };

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
 * Needs s3:ListBucketMultipartUploads, which SMLL credentials lack unless the bucket is given it
 * (`--allow`). Open uploads by key, then initiation; prefix, delimiter, key-marker and
 * upload-id-marker paging as S3 pages them.
 */
export const ListMultipartUploads: OperationHandler<BucketRequest> = async ({ req, store }) => {
  const list = parseListParameters(req.query);
  const maxUploads = maxUploadsOf(req.query);
  const keyMarker = req.query.get('key-marker') || undefined;
  const uploadIdMarker = keyMarker === undefined ? undefined : req.query.get('upload-id-marker') || undefined;
  const prefix = list.prefix ?? '';
  const bucket = req.bucket;
  const owner = ownerOf(bucket);
  const encode = encoderFor(list);

  const entries: Entry[] = [];
  let passedUploadIdMarker = false;
  const start = keyMarker !== undefined && compareUtf8(keyMarker, prefix) > 0 ? keyMarker : prefix;
  for await (const upload of store.listUploads(bucket, start)) {
    if (!upload.key.startsWith(prefix)) break; // past every key under the prefix
    if (upload.key === keyMarker && !passedUploadIdMarker) {
      // Within the marker's key, only the uploads after the upload-id-marker (none without one).
      passedUploadIdMarker = upload.id === uploadIdMarker;
      continue;
    }
    const at = list.delimiter === undefined ? -1 : upload.key.indexOf(list.delimiter, prefix.length);
    if (at >= 0) {
      const commonPrefix = upload.key.slice(0, at + list.delimiter!.length);
      const last = entries.at(-1);
      if ((last?.kind === 'prefix' && last.prefix === commonPrefix) || keyMarker?.startsWith(commonPrefix)) continue;
      entries.push({ kind: 'prefix', prefix: commonPrefix });
    } else {
      entries.push({
        kind: 'upload',
        key: upload.key,
        id: upload.id,
        tree: {
          Key: encode(upload.key),
          UploadId: upload.id,
          Initiator: owner,
          Owner: owner,
          StorageClass: 'STANDARD',
          Initiated: upload.initiated.toISOString(),
          ChecksumAlgorithm: upload.checksum?.algorithm,
          ChecksumType: upload.checksum?.type,
        },
      });
    }
    if (entries.length > maxUploads) break;
  }
  const isTruncated = entries.length > maxUploads;
  if (isTruncated) entries.length = maxUploads;
  const last = entries.at(-1);

  return xmlResponse(
    renderXml('ListMultipartUploadsResult', {
      Bucket: bucket,
      KeyMarker: encode(keyMarker) ?? '',
      UploadIdMarker: uploadIdMarker ?? '',
      NextKeyMarker: isTruncated && last ? encode(last.kind === 'upload' ? last.key : last.prefix) : undefined,
      NextUploadIdMarker: isTruncated && last?.kind === 'upload' ? last.id : undefined,
      Delimiter: encode(list.delimiter),
      Prefix: encode(list.prefix) ?? '',
      EncodingType: list.urlEncoded ? 'url' : undefined,
      MaxUploads: maxUploads,
      IsTruncated: isTruncated,
      Upload: entries.flatMap((entry) => (entry.kind === 'upload' ? [entry.tree] : [])),
      CommonPrefixes: entries.flatMap((entry) => (entry.kind === 'prefix' ? [{ Prefix: encode(entry.prefix) }] : [])),
    }),
  );
};
