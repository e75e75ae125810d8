import { renderXml } from '../s3/xml.js';
import { uploadChecksumFrom } from './multipart-checksums.js';
import { objectMetadataFrom } from './put-object.js';
import type { OperationHandler } from './types.js';

export const CreateMultipartUpload: OperationHandler = async ({ req, store, ctx }) => {
  const metadata = objectMetadataFrom(req.headers);
  const checksum = uploadChecksumFrom(req.headers);
  const upload = await store.createUpload(req.bucketRecord.name, req.key!, metadata, checksum);
  ctx.status = 200;
  if (checksum) {
    ctx.set('x-amz-checksum-algorithm', checksum.algorithm);
    ctx.set('x-amz-checksum-type', checksum.type);
  }
  ctx.type = 'application/xml';
  ctx.body = renderXml('InitiateMultipartUploadResult', { Bucket: upload.bucket, Key: upload.key, UploadId: upload.id });
};
