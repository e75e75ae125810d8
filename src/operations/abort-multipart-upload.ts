import { S3Error } from '../s3/s3-error.js';
import { uploadOf } from './multipart-common.js';
import type { OperationHandler } from './types.js';

/** Needs s3:AbortMultipartUpload, which SMLL credentials lack unless the bucket is given it (`--allow`). */
export const AbortMultipartUpload: OperationHandler = async ({ req, store, ctx }) => {
  const upload = await uploadOf(req, store, { open: true });
  if (!(await store.abortUpload(upload.id))) throw new S3Error('NoSuchUpload', undefined, { UploadId: upload.id });
  ctx.status = 204;
  ctx.body = null;
};
