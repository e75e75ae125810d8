import type { BucketRequest, OperationHandler } from './types.js';

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html */
export const HeadBucket: OperationHandler<BucketRequest> = ({ req }) => ({
  status: 200,
  headers: { 'x-amz-bucket-region': req.region, 'x-amz-access-point-alias': 'false' },
});
