import type { IncomingHttpHeaders } from 'node:http';
import { parseCopySource } from '../s3/copy-source.js';
import { headerValue } from '../s3/headers.js';
import type { IamAction } from '../s3/iam-actions.js';
import { S3Error } from '../s3/s3-error.js';
import { formFieldOfHeader, formFieldsAsHeaders } from './post-policy-form.js';

/** An IAM action a request needs beyond its operation's, and the headers that ask for it (in request order). */
export interface ExtraAction {
  action: IamAction;
  headers: string[];
}

/**
 * A second resource a request acts on, named by a request header: the object CopyObject and
 * UploadPartCopy read, `x-amz-copy-source` (`bucket/key`, optionally `?versionId=`). Reading it
 * needs `action`, or `versionAction` when the header names a version.
 */
export interface SourceAccess {
  header: 'x-amz-copy-source';
  action: IamAction;
  versionAction: IamAction;
}

/** What the authorizer reads of an operation table row: the actions the operation needs. */
export interface OperationAccess {
  /** The IAM action the operation needs on the addressed bucket or object. */
  action: IamAction;
  /** Further IAM actions a request needs because of what it carries (e.g. x-amz-acl → s3:PutObjectAcl). */
  extraActions?: (headers: IncomingHttpHeaders) => ExtraAction[];
  /** A second resource the operation reads (CopyObject's source). */
  source?: SourceAccess;
}

/** What the authorize stage needs to know of a request, built by the pipeline from the resolved request and its row. */
export interface AuthorizationRequest {
  /** The addressed bucket; undefined for the service (ListBuckets). */
  bucket?: string;
  key?: string;
  operation: OperationAccess;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  /** Signed in the URL's query (SigV4 or SigV2 presigned): its x-amz-* query parameters stand for headers. */
  presigned: boolean;
  /** PostObject: the form's fields (lower-case names), which stand for the headers of a PUT. */
  form?: { fields: ReadonlyMap<string, string> };
}

/** A bucket or object an action is asked on; neither: the service. */
interface Resource {
  bucket?: string;
  key?: string;
}

/** The account id in the ARNs of refusal messages; SMLL credentials are users of one account. */
const ACCOUNT_ID = '000000000000';

function resourceArn({ bucket, key }: Resource): string {
  if (bucket === undefined) return 'arn:aws:s3:::*';
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/**
 * AccessDenied worded as IAM words it, naming the action and the resource's ARN, so the refusal
 * says what to grant. `cause`, when a part of the request rather than the operation asked for the
 * action, is one more sentence saying which (appended to IAM's message, and the error's `hint`
 * for the log); `askedBy` names those parts (the error's `refusal`, with the action). `note`,
 * without a cause, is the log's hint alone: IAM's message for the operation's own action stays
 * IAM's, word for word.
 */
function accessDenied(resource: Resource, credentialBucket: string, action: IamAction, cause?: string, askedBy: string[] = [], note?: string): S3Error {
  const message = `User: arn:aws:iam::${ACCOUNT_ID}:user/${credentialBucket} is not authorized to perform: ${action} on resource: "${resourceArn(resource)}" because no identity-based policy allows the ${action} action`;
  return new S3Error('AccessDenied', cause ? `${message}. ${cause}` : message, {}, { hint: cause ?? note, refusal: { action, headers: askedBy } });
}

/** Actions on buckets themselves, which SMLL performs at provisioning and never grants a bucket's credential. */
const PROVISIONING_ACTIONS: ReadonlySet<string> = new Set(['s3:CreateBucket', 's3:DeleteBucket', 's3:ListAllMyBuckets']);

/**
 * The log's sentence for a refusal of the operation's own action, saying what to change: the
 * credential used on another bucket (whose action it may well be granted on its own), or an
 * action its bucket is not granted (those it is, listed).
 */
function operationNote(request: AuthorizationRequest, credentialBucket: string, granted: ReadonlySet<string>): string {
  const action = request.operation.action;
  if (PROVISIONING_ACTIONS.has(action)) {
    return `SMLL creates, deletes and lists buckets itself, at provisioning (here: smll-storage --bucket NAME); a bucket's credentials reach that bucket's objects only.`;
  }
  if (request.bucket !== credentialBucket) return `These are ${credentialBucket}'s credentials: they reach ${credentialBucket} only, not ${request.bucket}.`;
  return `${credentialBucket}'s credentials are granted ${[...granted].join(', ')} only.`;
}

/** The names of `headers` as the user wrote them: a form's fields by their field names (`acl`), the others as they are. */
function namesAsWritten(request: Pick<AuthorizationRequest, 'form'>, headers: readonly string[]): string[] {
  return request.form ? headers.map(formFieldOfHeader) : [...headers];
}

/**
 * The headers a request carries, for authorization. A presigned URL also carries x-amz-* values
 * in its query (the SDK presigners hoist headers such as x-amz-acl and x-amz-tagging there), and
 * S3 applies them as headers; a PostObject form's fields stand for the headers of a PUT (acl is
 * x-amz-acl …). Either way they need the same actions.
 */
function headersOfRequest(request: AuthorizationRequest): IncomingHttpHeaders {
  if (request.form) return formFieldsAsHeaders(request.form.fields);
  if (!request.presigned) return request.headers;
  const hoisted: IncomingHttpHeaders = {};
  for (const [name, value] of request.query) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-')) hoisted[lower] = value;
  }
  return { ...hoisted, ...request.headers };
}

type Origin = 'header' | 'query' | 'form';

/** Where the value of `header` came from, as the user would look for it: a form field, a presigned URL's query, or a header. */
function originOf(request: Pick<AuthorizationRequest, 'headers' | 'form'>, header: string): Origin {
  if (request.form) return 'form';
  return request.headers[header] === undefined ? 'query' : 'header';
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
export function causeSentence(request: Pick<AuthorizationRequest, 'headers' | 'form'>, headers: readonly string[], action: IamAction): string {
  const groups = new Map<Origin, string[]>();
  for (const header of [...headers].sort()) {
    const origin = originOf(request, header);
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
 * The second resource's check: it must be in the credential's bucket (credentials are per
 * bucket), and reading it (or, with a versionId, its version) granted. Refusals name the source's
 * ARN and the header that named it. Throws the header's InvalidArgument or KeyTooLongError first
 * when it is malformed (see parseCopySource).
 */
function authorizeSource(request: AuthorizationRequest, access: SourceAccess, credentialBucket: string, granted: ReadonlySet<string>): void {
  const source = parseCopySource(headerValue(request.headers, access.header) ?? '');
  const versioned = source.versionId !== undefined;
  const action = versioned ? access.versionAction : access.action;
  if (source.bucket !== credentialBucket) {
    throw accessDenied(source, credentialBucket, action, `The request header ${access.header} names the bucket ${source.bucket}: these credentials reach ${credentialBucket} only.`, [access.header]);
  }
  if (!granted.has(action)) {
    const cause = versioned ? `The versionId in the request header ${access.header} asks for ${action}: send the request without it.` : undefined;
    throw accessDenied(source, credentialBucket, action, cause, [access.header]);
  }
}

/**
 * The authorize stage: a credential reaches its own bucket only, and every IAM action the
 * request needs must be among the bucket's granted actions: the operation's, those its headers
 * (or a form's fields, or a presigned URL's query) ask for, and a source's it reads. An action a
 * header asks for (not the operation itself) is refused with a sentence naming that header.
 * `granted` holds the credential's IAM actions; it is only asked whether it has an action, so a
 * set of plain names will do. Throws AccessDenied (IAM's message:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html), or the
 * copy source's parse errors.
 */
export function authorize(request: AuthorizationRequest, credentialBucket: string, granted: ReadonlySet<string>): void {
  const { operation } = request;
  if (request.bucket !== credentialBucket || !granted.has(operation.action)) {
    throw accessDenied(request, credentialBucket, operation.action, undefined, [], operationNote(request, credentialBucket, granted));
  }
  for (const { action, headers } of operation.extraActions?.(headersOfRequest(request)) ?? []) {
    if (!granted.has(action)) throw accessDenied(request, credentialBucket, action, causeSentence(request, headers, action), namesAsWritten(request, headers));
  }
  if (operation.source) authorizeSource(request, operation.source, credentialBucket, granted);
}
