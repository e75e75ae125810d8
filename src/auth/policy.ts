import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../http/s3-error.js';
import type { S3Request } from '../operations/types.js';

/** The account id in the ARNs of refusal messages; SMLL credentials are users of one account. */
const ACCOUNT_ID = '000000000000';

function resourceArn(req: S3Request): string {
  if (req.bucket === undefined) return 'arn:aws:s3:::*';
  return req.key === undefined ? `arn:aws:s3:::${req.bucket}` : `arn:aws:s3:::${req.bucket}/${req.key}`;
}

/** AccessDenied worded as IAM words it, naming the action, so the refusal says what to grant. */
export function accessDeniedFor(req: S3Request, credentialBucket: string, action: string): S3Error {
  return new S3Error(
    'AccessDenied',
    `User: arn:aws:iam::${ACCOUNT_ID}:user/${credentialBucket} is not authorized to perform: ${action} on resource: "${resourceArn(req)}" because no identity-based policy allows the ${action} action`,
  );
}

/**
 * The headers a request carries, for authorization. A presigned URL also carries x-amz-* values
 * in its query (the SDK presigners hoist headers such as x-amz-acl and x-amz-tagging there), and
 * S3 applies them as headers: they need the same actions.
 */
function headersOfRequest(req: S3Request): IncomingHttpHeaders {
  if (req.auth?.kind !== 'presigned' && req.auth?.kind !== 'sigv2') return req.headers;
  const hoisted: IncomingHttpHeaders = {};
  for (const [name, value] of req.query) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-')) hoisted[lower] = value;
  }
  return { ...hoisted, ...req.headers };
}

/**
 * The authorize stage: a credential reaches its own bucket only, and every IAM action the
 * request needs must be among the bucket's granted actions.
 */
export function authorize(req: S3Request, credentialBucket: string, granted: ReadonlySet<string>): void {
  const spec = req.operation;
  const actions = [spec.action, ...(spec.extraActions?.(headersOfRequest(req)) ?? [])];
  for (const action of actions) {
    if (req.bucket !== credentialBucket || !granted.has(action)) throw accessDeniedFor(req, credentialBucket, action);
  }
  if (!spec.handler) {
    throw new S3Error(
      'NotImplemented',
      `${spec.name} is not implemented by smll-storage${spec.unimplementedReason ? `: ${spec.unimplementedReason}` : ''}.`,
    );
  }
}
