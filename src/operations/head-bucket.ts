import type { OperationHandler } from './types.js';

export const HeadBucket: OperationHandler = ({ req, ctx }) => {
  ctx.status = 200;
  ctx.set('x-amz-bucket-region', req.bucketRecord.region);
  ctx.set('x-amz-access-point-alias', 'false');
};
