import { Readable } from 'node:stream';
import { prepareObjectRead } from './object-response.js';
import type { OperationHandler } from './types.js';

/**
 * Node re-reads a Content-Disposition value as UTF-8 when the whole body is handed to
 * `res.end()` (nodejs/node#46528), which changes any byte ≥ 0x80 the header carries; a streamed
 * body leaves the header's bytes as they were set.
 */
const rewrittenByNode = (contentDisposition: string) => /[\x80-\xff]/.test(contentDisposition);

export const GetObject: OperationHandler = (op) => {
  const { record, range } = prepareObjectRead(op);
  const length = range ? range.end - range.start + 1 : record.size;
  const inline = op.store.inlineBytes(record, range);
  if (inline === undefined) op.ctx.body = op.store.openObjectStream(record, range);
  else op.ctx.body = rewrittenByNode(op.ctx.response.get('Content-Disposition')) ? Readable.from([inline]) : inline;
  // After the body: koa drops Content-Length when a stream body replaces another.
  op.ctx.set('Content-Length', String(length));
};
