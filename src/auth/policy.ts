import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../s3/s3-error.js';
import type { S3Request } from '../operations/types.js';
import { formFieldOfHeader, formFieldsAsHeaders } from './post-policy-form.js';

/** The account id in the ARNs of refusal messages; SMLL credentials are users of one account. */
const ACCOUNT_ID = '000000000000';

function resourceArn(req: S3Request): string {
  if (req.bucket === undefined) return 'arn:aws:s3:::*';
  return req.key === undefined ? `arn:aws:s3:::${req.bucket}` : `arn:aws:s3:::${req.bucket}/${req.key}`;
}

/**
 * AccessDenied worded as IAM words it, naming the action, so the refusal says what to grant.
 * `cause`, when a part of the request rather than the operation asked for the action, is one
 * more sentence saying which (appended to IAM's message, and the error's `hint` for the log).
 */
export function accessDeniedFor(req: S3Request, credentialBucket: string, action: string, cause?: string): S3Error {
  const message = `User: arn:aws:iam::${ACCOUNT_ID}:user/${credentialBucket} is not authorized to perform: ${action} on resource: "${resourceArn(req)}" because no identity-based policy allows the ${action} action`;
  return new S3Error('AccessDenied', cause ? `${message}. ${cause}` : message, {}, { hint: cause });
}

/**
 * The headers a request carries, for authorization. A presigned URL also carries x-amz-* values
 * in its query (the SDK presigners hoist headers such as x-amz-acl and x-amz-tagging there), and
 * S3 applies them as headers; a PostObject form's fields stand for the headers of a PUT (acl is
 * x-amz-acl …). Either way they need the same actions.
 */
function headersOfRequest(req: S3Request): IncomingHttpHeaders {
  if (req.form) return formFieldsAsHeaders(req.form.fields);
  if (req.auth?.kind !== 'presigned' && req.auth?.kind !== 'sigv2') return req.headers;
  const hoisted: IncomingHttpHeaders = {};
  for (const [name, value] of req.query) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-')) hoisted[lower] = value;
  }
  return { ...hoisted, ...req.headers };
}

type Origin = 'header' | 'query' | 'form';

/** Where the value of `header` came from, as the user would look for it: a form field, a presigned URL's query, or a header. */
function originOf(req: S3Request, header: string): Origin {
  if (req.form) return 'form';
  return req.headers[header] === undefined ? 'query' : 'header';
}

const ORIGIN_WORDS: Record<Origin, { one: string; many: string; after: string; remedy: string }> = {
  header: { one: 'request header', many: 'request headers', after: '', remedy: 'send the request without' },
  query: { one: 'query parameter', many: 'query parameters', after: ' of the presigned URL', remedy: 'presign the URL without' },
  form: { one: 'form field', many: 'form fields', after: '', remedy: 'send the form (and its policy) without' },
};

/**
 * One sentence naming what in the request asks for `action`, by the names the user wrote
 * (`acl` for a form's x-amz-acl), e.g. "The request header x-amz-acl asks for s3:PutObjectAcl:
 * send the request without it."
 */
export function causeSentence(req: S3Request, headers: readonly string[], action: string): string {
  const groups = new Map<Origin, string[]>();
  for (const header of [...headers].sort()) {
    const origin = originOf(req, header);
    groups.set(origin, [...(groups.get(origin) ?? []), origin === 'form' ? formFieldOfHeader(header) : header]);
  }
  const named = [...groups].map(([origin, names]) => {
    const words = ORIGIN_WORDS[origin];
    return `the ${names.length === 1 ? words.one : words.many} ${names.join(' and ')}${words.after}`;
  });
  const subject = named.join(' and ');
  const [verb, pronoun] = headers.length === 1 ? ['asks', 'it'] : ['ask', 'them'];
  const remedy = ORIGIN_WORDS[groups.keys().next().value!].remedy;
  return `${subject.charAt(0).toUpperCase()}${subject.slice(1)} ${verb} for ${action}: ${remedy} ${pronoun}.`;
}

/**
 * The authorize stage: a credential reaches its own bucket only, and every IAM action the
 * request needs must be among the bucket's granted actions. An action a header asks for (not
 * the operation itself) is refused with a sentence naming that header.
 */
export function authorize(req: S3Request, credentialBucket: string, granted: ReadonlySet<string>): void {
  const spec = req.operation;
  if (req.bucket !== credentialBucket || !granted.has(spec.action)) throw accessDeniedFor(req, credentialBucket, spec.action);
  for (const { action, headers } of spec.extraActions?.(headersOfRequest(req)) ?? []) {
    if (!granted.has(action)) throw accessDeniedFor(req, credentialBucket, action, causeSentence(req, headers, action));
  }
  if (!spec.handler) {
    throw new S3Error(
      'NotImplemented',
      `${spec.name} is not implemented by smll-storage${spec.unimplementedReason ? `: ${spec.unimplementedReason}` : ''}.`,
    );
  }
}
