import { prepareObjectRead } from './object-response.js';
import type { OperationHandler } from './types.js';

export const GetObject: OperationHandler = (op) => {
  const { record, range } = prepareObjectRead(op);
  const length = range ? range.end - range.start + 1 : record.size;
  op.ctx.body = op.store.inlineBytes(record, range) ?? op.store.openObjectStream(record, range);
  // After the body: koa drops Content-Length when a stream body replaces another.
  op.ctx.set('Content-Length', String(length));
};
