/**
 * Authentication of a browser form upload (PostObject) by its POST policy: a base64 JSON document
 * `{expiration, conditions}` that the form carries in its `policy` field, signed with SigV4 as
 * `@aws-sdk/s3-presigned-post` signs it (`x-amz-signature` = HMAC of the base64 policy under the
 * signing key of `x-amz-credential`). The policy then says what the form may contain: every field
 * must satisfy the conditions, and every field must be covered by one.
 */
import { timingSafeEqual } from 'node:crypto';
import { S3Error } from '../s3/s3-error.js';
import { parseAmzDate } from './amz-date.js';
import { QUERY_CREDENTIAL_ERRORS, assertCredentialDate, parseCredential } from './credential-scope.js';
import { UNSIGNED_PAYLOAD } from './payload-mode.js';
import { assertSignatureMatches } from './signature-match.js';
import { SIGV4_ALGORITHM, cachedSigningKey } from './sigv4-crypto.js';
import { UNSUPPORTED_MECHANISM_MESSAGE } from './header-auth.js';
import { sigV2Signature } from './sigv2.js';
import type { Authenticated, Authentication, BucketCredential, CredentialLookup, SigV2Policy } from './types.js';

/** Sizes the file must lie within (both inclusive), from a content-length-range condition. */
export interface ContentLengthRange {
  min: number;
  max: number;
}

export interface PostPolicyAuthentication<C extends BucketCredential = BucketCredential> {
  authenticated: Authenticated<C>;
  contentLengthRange?: ContentLengthRange;
}

export interface PostPolicyOptions {
  region: string;
  /** The bucket of the URL: what `$bucket` conditions are checked against. */
  bucket: string;
  sigv2: SigV2Policy;
  now?: Date;
}

/** Fields S3 never asks a condition for: the signature itself, the file, the policy, and x-ignore-*. */
function exemptFromConditions(name: string): boolean {
  return ['x-amz-signature', 'file', 'policy', 'signature', 'awsaccesskeyid'].includes(name) || name.startsWith('x-ignore-');
}

function missingField(name: string): S3Error {
  return new S3Error('InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
    ArgumentName: name,
    ArgumentValue: '',
  });
}

/** The credential of `accessKeyId`; S3's InvalidAccessKeyId when there is none. */
async function credentialOf<C extends BucketCredential>(lookup: CredentialLookup<C>, accessKeyId: string): Promise<C> {
  const credential = await lookup(accessKeyId);
  if (!credential) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  return credential;
}

/**
 * Verifies the form's signature and policy
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html). `fields`
 * are the form fields before the file, with lower-case names.
 * @returns who signed it, and the policy's content-length-range; undefined for a form that carries
 *   no credentials at all (anonymous).
 * @throws S3Error InvalidArgument (a missing or malformed field), InvalidAccessKeyId,
 *   SignatureDoesNotMatch, InvalidPolicyDocument, AccessDenied (expired, or a condition failed).
 */
export async function authenticatePostPolicy<C extends BucketCredential>(
  fields: ReadonlyMap<string, string>,
  lookup: CredentialLookup<C>,
  options: PostPolicyOptions,
): Promise<PostPolicyAuthentication<C> | undefined> {
  const policy = fields.get('policy');
  const sigV2 = fields.has('awsaccesskeyid') || fields.has('signature');
  if (policy === undefined && !sigV2 && !fields.has('x-amz-signature') && !fields.has('x-amz-credential')) return undefined;

  const authenticated = sigV2 ? await verifySigV2Form(fields, lookup, options) : await verifySigV4Form(fields, lookup, options);
  const document = parsePolicyDocument(policy!, options.now ?? new Date());
  const contentLengthRange = evaluatePolicyConditions(document.conditions, fields, options.bucket);
  return { authenticated, contentLengthRange };
}

function authenticatedAs<C extends BucketCredential>(credential: C, authentication: Authentication): Authenticated<C> {
  return { principal: { accessKeyId: authentication.accessKeyId, bucket: credential.bucket }, credential, authentication };
}

async function verifySigV4Form<C extends BucketCredential>(
  fields: ReadonlyMap<string, string>,
  lookup: CredentialLookup<C>,
  options: PostPolicyOptions,
): Promise<Authenticated<C>> {
  const required = (name: string) => {
    const value = fields.get(name);
    if (value === undefined) throw missingField(name);
    return value;
  };
  const algorithm = required('x-amz-algorithm');
  const credentialField = required('x-amz-credential');
  const amzDate = required('x-amz-date');
  const signature = required('x-amz-signature');
  const policy = required('policy');
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new S3Error('InvalidArgument', `Unsupported POST algorithm: ${algorithm}; use ${SIGV4_ALGORITHM}.`, {
      ArgumentName: 'x-amz-algorithm',
      ArgumentValue: algorithm,
    });
  }
  const credential = parseCredential(credentialField, options.region, QUERY_CREDENTIAL_ERRORS);
  if (!parseAmzDate(amzDate)) {
    throw new S3Error('InvalidArgument', `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`, {
      ArgumentName: 'x-amz-date',
      ArgumentValue: amzDate,
    });
  }
  assertCredentialDate(credential, amzDate, QUERY_CREDENTIAL_ERRORS);
  const found = await credentialOf(lookup, credential.accessKeyId);
  const signingKey = cachedSigningKey(found.secretKey, credential.date, credential.region);
  // The string a POST signature signs is the base64 policy itself.
  assertSignatureMatches({ signingKey, stringToSign: policy, signatureProvided: signature, accessKeyId: credential.accessKeyId });
  return authenticatedAs(found, {
    accessKeyId: credential.accessKeyId,
    kind: 'post-policy',
    payloadHash: UNSIGNED_PAYLOAD,
    signingKey,
    amzDate,
    scope: credential.scope,
    signature: signature.toLowerCase(),
  });
}

/** The SigV2 form (AWSAccessKeyId, signature = base64 HMAC-SHA1 of the policy), under the same switch as SigV2 URLs. */
async function verifySigV2Form<C extends BucketCredential>(
  fields: ReadonlyMap<string, string>,
  lookup: CredentialLookup<C>,
  options: PostPolicyOptions,
): Promise<Authenticated<C>> {
  if (options.sigv2 !== 'accept') throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM_MESSAGE);
  const accessKeyId = fields.get('awsaccesskeyid');
  if (accessKeyId === undefined) throw missingField('AWSAccessKeyId');
  const signature = fields.get('signature');
  if (signature === undefined) throw missingField('signature');
  const policy = fields.get('policy');
  if (policy === undefined) throw missingField('policy');
  const found = await credentialOf(lookup, accessKeyId);
  const expected = Buffer.from(sigV2Signature(found.secretKey, policy), 'latin1');
  const provided = Buffer.from(signature, 'latin1');
  if (expected.length !== provided.length || !timingSafeEqual(expected, provided)) {
    throw new S3Error('SignatureDoesNotMatch', undefined, { AWSAccessKeyId: accessKeyId, StringToSign: policy, SignatureProvided: signature });
  }
  return authenticatedAs(found, { accessKeyId, kind: 'sigv2', payloadHash: UNSIGNED_PAYLOAD, signature });
}

function invalidPolicy(detail: string): S3Error {
  return new S3Error('InvalidPolicyDocument', `Invalid Policy: ${detail}`);
}

/** Decodes the base64 JSON policy and checks its expiration. */
export function parsePolicyDocument(policy: string, now: Date): { conditions: unknown[] } {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  // S3 wants ISO 8601 with a time and a zone (`2026-01-01T00:00:00Z`, milliseconds optional).
  const expiresAt = typeof expiration === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(expiration) ? Date.parse(expiration) : NaN;
  if (Number.isNaN(expiresAt)) throw invalidPolicy(`Invalid 'expiration' value: '${typeof expiration === 'string' ? expiration : JSON.stringify(expiration)}'`);
  if (!Array.isArray(conditions)) throw invalidPolicy('Policy missing conditions.');
  if (now.getTime() > expiresAt) throw new S3Error('AccessDenied', 'Invalid according to Policy: Policy expired.');
  return { conditions };
}

/** A condition as S3 prints it in "Policy Condition failed": `["eq", "$key", "a.txt"]`. */
function render(parts: readonly unknown[]): string {
  return `[${parts.map((part) => JSON.stringify(part)).join(', ')}]`;
}

function conditionFailed(parts: readonly unknown[]): S3Error {
  return new S3Error('AccessDenied', `Invalid according to Policy: Policy Condition failed: ${render(parts)}`);
}

/** A content-length-range bound: a non-negative integer, as a JSON number or a numeric string. */
function lengthBound(value: unknown, condition: readonly unknown[]): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw invalidPolicy(`Invalid content-length-range condition: ${render(condition)}`);
  }
  return number;
}

/**
 * Checks every condition against the form fields (names compared without case; `$bucket` is the
 * URL's bucket) and that no field goes unmentioned. Returns the content-length-range, which only
 * the streamed file can satisfy.
 */
export function evaluatePolicyConditions(
  conditions: readonly unknown[],
  fields: ReadonlyMap<string, string>,
  bucket: string,
): ContentLengthRange | undefined {
  const valueOf = (name: string) => (name === 'bucket' ? bucket : fields.get(name) ?? '');
  const covered = new Set<string>();
  let range: ContentLengthRange | undefined;

  const fieldName = (reference: unknown, condition: readonly unknown[]) => {
    if (typeof reference !== 'string' || !reference.startsWith('$') || reference.length < 2) {
      throw invalidPolicy(`Invalid condition, the field name must start with '$': ${render(condition)}`);
    }
    return reference.slice(1).toLowerCase();
  };

  for (const condition of conditions) {
    if (Array.isArray(condition)) {
      const [operator, subject, argument] = condition as unknown[];
      const op = typeof operator === 'string' ? operator.toLowerCase() : operator;
      if (op === 'content-length-range') {
        if (condition.length !== 3) throw invalidPolicy(`Invalid content-length-range condition: ${render(condition)}`);
        const min = lengthBound(subject, condition);
        const max = lengthBound(argument, condition);
        range = { min, max };
        continue;
      }
      if ((op !== 'eq' && op !== 'starts-with') || condition.length !== 3 || typeof argument !== 'string') {
        throw invalidPolicy(`Invalid condition: ${render(condition)}`);
      }
      const name = fieldName(subject, condition);
      covered.add(name);
      const value = valueOf(name);
      const holds = op === 'eq' ? value === argument : startsWith(name, value, argument);
      if (!holds) throw conditionFailed(condition);
      continue;
    }
    // The exact-match shorthand: {"key": "value"}, one pair per object.
    if (typeof condition !== 'object' || condition === null) throw invalidPolicy(`Invalid condition: ${JSON.stringify(condition)}`);
    const entries = Object.entries(condition);
    if (entries.length !== 1 || typeof entries[0]![1] !== 'string') throw invalidPolicy(`Invalid condition: ${JSON.stringify(condition)}`);
    const [name, expected] = entries[0] as [string, string];
    covered.add(name.toLowerCase());
    if (valueOf(name.toLowerCase()) !== expected) throw conditionFailed(['eq', `$${name}`, expected]);
  }

  const extra = [...fields.keys()].filter((name) => !exemptFromConditions(name) && !covered.has(name));
  if (extra.length > 0) throw new S3Error('AccessDenied', `Invalid according to Policy: Extra input fields: ${extra.join(', ')}`);
  return range;
}

/** For Content-Type, a comma-separated list of types must each start with the prefix. */
function startsWith(name: string, value: string, prefix: string): boolean {
  if (name !== 'content-type') return value.startsWith(prefix);
  return value.split(',').every((type) => type.trim().startsWith(prefix));
}
