import { InMemoryBody } from '../store/in-memory-body.js';
import { prepareObjectRead } from './object-response.js';
import type { ObjectRequest, OperationHandler } from './types.js';

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 * A body the store holds in memory (an InMemoryBody: an object kept inline) is answered as bytes; any other streams.
 */
export const GetObject: OperationHandler<ObjectRequest> = async ({ req, store }) => {
  const { record, range, status, headers } = await prepareObjectRead(req, store, true);
  const body = await store.readObject(record, range);
  return { status, headers, body: body instanceof InMemoryBody ? body.bytes : body };
};
