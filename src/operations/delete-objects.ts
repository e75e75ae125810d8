import { S3Error } from '../s3/s3-error.js';
import { StorageFault, storageFaultError } from '../store/storage-fault.js';
import { MAX_KEY_BYTES } from '../s3/limits.js';
import { childElements, parseXml, renderXml, textOf, type XmlTree } from '../s3/xml.js';
import { readSmallBody } from './small-body.js';
import { reservedKeyError } from './reserved-keys.js';
import { xmlResponse } from './response.js';
import type { BucketRequest, OperationHandler, RequestBody } from './types.js';

const MAX_KEYS_PER_REQUEST = 1000;
/** 1000 keys of 1024 bytes each, with their markup, fit well within this. */
const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html */
export const DeleteObjects: OperationHandler<BucketRequest & RequestBody> = async ({ req, store }) => {
  const hasIntegrityHeader =
    req.headers['content-md5'] !== undefined ||
    req.headers['x-amz-trailer'] !== undefined ||
    Object.keys(req.headers).some((h) => h.startsWith('x-amz-checksum-') && h !== 'x-amz-checksum-mode');
  if (!hasIntegrityHeader) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5 or x-amz-checksum-*');
  }

  // More than 1,000 keys is MalformedXML, refused as the 1,001st <Object> is read (https://github.com/aws/aws-sdk/issues/602).
  const root = parseXml(await readSmallBody(req.body.stream, MAX_DOCUMENT_BYTES), {
    root: 'Delete',
    repeated: 'Object',
    maxRepeated: MAX_KEYS_PER_REQUEST,
  });
  const objects = childElements(root, 'Object');
  if (objects.length === 0) throw new S3Error('MalformedXML');
  const quiet = textOf(childElements(root, 'Quiet')[0])?.trim().toLowerCase() === 'true';

  // Validate the whole document before deleting anything.
  const entries = objects.map((object) => {
    const key = textOf(childElements(object, 'Key')[0]);
    if (key === undefined || key === '') throw new S3Error('MalformedXML');
    return { key, versionId: textOf(childElements(object, 'VersionId')[0]) };
  });

  const deleted: XmlTree[] = [];
  const errors: XmlTree[] = [];
  for (const { key, versionId } of entries) {
    const reserved = reservedKeyError(store, key);
    if (versionId !== undefined) {
      // Deleting a version needs s3:DeleteObjectVersion, which SMLL credentials lack.
      errors.push({ Key: key, VersionId: versionId, Code: 'AccessDenied', Message: 'Access Denied' });
    } else if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      errors.push({ Key: key, Code: 'KeyTooLongError', Message: 'Your key is too long' });
    } else if (reserved) {
      // Reported for this key, as S3 reports each key it refuses, next to the deleted ones.
      errors.push({ Key: key, Code: reserved.code, Message: reserved.message });
    } else {
      try {
        await store.deleteObject(req.bucket, key);
      } catch (err) {
        if (!(err instanceof StorageFault)) throw err;
        // Reported for this key, as S3 reports each key it could not delete, next to the deleted ones.
        const { code, message } = storageFaultError(err);
        errors.push({ Key: key, Code: code, Message: message });
        continue;
      }
      if (!quiet) deleted.push({ Key: key });
    }
  }
  return xmlResponse(renderXml('DeleteResult', { Deleted: deleted, Error: errors }));
};
