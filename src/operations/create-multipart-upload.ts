import { renderXml } from '../s3/xml.js';
import { uploadChecksumFrom } from './multipart-checksums.js';
import { objectMetadataFrom } from './put-object.js';
import { checksumHeaders, xmlResponse } from './response.js';
import type { ObjectRequest, OperationHandler } from './types.js';
import { refuseReservedKey } from './reserved-keys.js';

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html */
export const CreateMultipartUpload: OperationHandler<ObjectRequest> = async ({ req, store }) => {
  refuseReservedKey(store, req.key);
  const metadata = objectMetadataFrom(req.headers);
  const checksum = uploadChecksumFrom(req.headers);
  const upload = await store.createUpload(req.bucket, req.key, metadata, checksum);
  return xmlResponse(
    renderXml('InitiateMultipartUploadResult', { Bucket: upload.bucket, Key: upload.key, UploadId: upload.id }),
    checksumHeaders(checksum),
  );
};
