import { S3Error } from '../s3/s3-error.js';
import { uploadOf } from './multipart-common.js';
import type { ObjectRequest, OperationHandler } from './types.js';

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
 * Needs s3:AbortMultipartUpload, which SMLL credentials lack unless the bucket is given it (`--allow`).
 */
export const AbortMultipartUpload: OperationHandler<ObjectRequest> = async ({ req, store }) => {
  const upload = await uploadOf(req, store, { open: true });
  if (!(await store.abortUpload(upload.id))) throw new S3Error('NoSuchUpload', undefined, { UploadId: upload.id });
  return { status: 204, headers: {} };
};
