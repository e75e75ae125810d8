import { prepareObjectRead } from './object-response.js';
import type { ObjectRequest, OperationHandler } from './types.js';

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html */
export const HeadObject: OperationHandler<ObjectRequest> = async ({ req, store }) => {
  const { status, headers } = await prepareObjectRead(req, store, false);
  return { status, headers };
};
