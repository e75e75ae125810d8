import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../s3/s3-error.js';
import { OPERATIONS } from './table.js';
import type { OperationSpec, Target } from './types.js';

/** How specific a row's match is: a sub-resource beats a fixed query value beats a header beats none. */
function specificity(spec: OperationSpec): number {
  return (spec.subresource ? 4 : 0) + (spec.queryValue ? 2 : 0) + (spec.header ? 1 : 0);
}

const rowsByShape = new Map<string, OperationSpec[]>();
for (const spec of OPERATIONS) {
  const shape = `${spec.method} ${spec.target}`;
  const rows = rowsByShape.get(shape) ?? [];
  rows.push(spec);
  rows.sort((a, b) => specificity(b) - specificity(a));
  rowsByShape.set(shape, rows);
}

/** Finds the operation table row a request addresses; no row for its method → MethodNotAllowed. */
export function resolveOperation(method: string, target: Target, query: URLSearchParams, headers: IncomingHttpHeaders): OperationSpec {
  const rows = rowsByShape.get(`${method} ${target}`);
  const match = rows?.find(
    (spec) =>
      (!spec.subresource || query.has(spec.subresource)) &&
      (!spec.queryValue || query.get(spec.queryValue[0]) === spec.queryValue[1]) &&
      (!spec.header || headers[spec.header] !== undefined),
  );
  if (!match) {
    throw new S3Error('MethodNotAllowed', undefined, { Method: method, ResourceType: target.toUpperCase() });
  }
  return match;
}
