import { prepareObjectRead } from './object-response.js';
import type { OperationHandler } from './types.js';

export const HeadObject: OperationHandler = async (op) => {
  const { record, range } = await prepareObjectRead(op);
  op.ctx.set('Content-Length', String(range ? range.end - range.start + 1 : record.size));
};
