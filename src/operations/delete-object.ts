import type { OperationHandler } from './types.js';

/** S3 answers 204 whether or not the key existed. */
export const DeleteObject: OperationHandler = async ({ req, store, ctx }) => {
  await store.deleteObject(req.bucketRecord.name, req.key!);
  ctx.status = 204;
};
