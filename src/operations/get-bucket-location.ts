import { renderXml } from '../s3/xml.js';
import type { OperationHandler } from './types.js';

/** us-east-1 is the empty LocationConstraint, a quirk every SDK expects. */
export const GetBucketLocation: OperationHandler = ({ req, ctx }) => {
  const region = req.bucketRecord.region;
  ctx.type = 'application/xml';
  ctx.body = renderXml('LocationConstraint', region === 'us-east-1' ? '' : region);
};
