import { InMemoryBody } from '../store/index.js';
import { prepareObjectRead } from './object-response.js';
import type { OperationHandler } from './types.js';

/**
 * Node re-reads a Content-Disposition value as UTF-8 when the whole body is handed to
 * `res.end()` (nodejs/node#46528), which changes any byte ≥ 0x80 the header carries; a streamed
 * body leaves the header's bytes as they were set.
 */
const rewrittenByNode = (contentDisposition: string) => /[\x80-\xff]/.test(contentDisposition);

export const GetObject: OperationHandler = async (op) => {
  const { record, range } = await prepareObjectRead(op);
  const length = range ? range.end - range.start + 1 : record.size;
  const body = await op.store.readObject(record, range);
  // A body already in memory goes out in one write, unless Node would rewrite a header.
  op.ctx.body = body instanceof InMemoryBody && !rewrittenByNode(op.ctx.response.get('Content-Disposition')) ? body.bytes : body;
  // After the body: koa drops Content-Length when a stream body replaces another.
  op.ctx.set('Content-Length', String(length));
};
