import type { ObjectRequest, OperationHandler } from './types.js';
import { refuseReservedKey } from './reserved-keys.js';

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
 * S3 answers 204 whether or not the key existed.
 */
export const DeleteObject: OperationHandler<ObjectRequest> = async ({ req, store }) => {
  refuseReservedKey(store, req.key);
  await store.deleteObject(req.bucket, req.key);
  return { status: 204, headers: {} };
};
