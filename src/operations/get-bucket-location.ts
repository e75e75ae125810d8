import { renderXml } from '../s3/xml.js';
import { xmlResponse } from './response.js';
import type { BucketRequest, OperationHandler } from './types.js';

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
 * us-east-1 is the empty LocationConstraint, a quirk every SDK expects.
 */
export const GetBucketLocation: OperationHandler<BucketRequest> = ({ req }) =>
  xmlResponse(renderXml('LocationConstraint', req.region === 'us-east-1' ? '' : req.region));
