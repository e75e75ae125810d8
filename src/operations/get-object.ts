import { prepareObjectRead } from './object-response.js';
import type { ObjectRequest, OperationHandler } from './types.js';

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 * An object small enough to be kept inline is answered from memory; any other streams from its blobs.
 */
export const GetObject: OperationHandler<ObjectRequest> = ({ req, store }) => {
  const { record, range, status, headers } = prepareObjectRead(req, store);
  const inline = store.inlineBytes(record, range);
  return { status, headers, body: inline ?? store.openObjectStream(record, range) };
};
