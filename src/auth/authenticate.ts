/**
 * The "authenticate" stage: who signed the request. AWS Signature Version 4 (AWS4-HMAC-SHA256,
 * service s3) by Authorization header or presigned URL, and SigV2 where accepted
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html).
 * Throws the S3Error S3 would return; undefined means anonymous.
 */
import { S3Error } from '../s3/s3-error.js';
import { UNSUPPORTED_MECHANISM_MESSAGE, authenticateWithHeader, headerAccessKeyId } from './header-auth.js';
import { PRESIGN_PARAMETER_NAMES, authenticatePresigned, presignedAccessKeyId, type PresignParameters } from './presigned-auth.js';
import { authenticateSigV2Header, authenticateSigV2Query, sigV2HeaderAccessKeyId, sigV2QueryAccessKeyId } from './sigv2.js';
import type {
  AuthenticateOptions,
  Authenticated,
  Authentication,
  BucketCredential,
  CredentialLookup,
  SecretLookup,
  SignableRequest,
} from './types.js';
import { parseQuery } from './uri-encoding.js';

const ONE_MECHANISM_MESSAGE =
  'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified';

/** How a request carries its signature. */
type Mechanism =
  | { kind: 'header'; authorization: string }
  | { kind: 'sigv2-header'; authorization: string }
  /** With the query's parameters, read to find the mechanism, so that it is parsed once. */
  | { kind: 'presigned'; parameters: PresignParameters }
  | { kind: 'sigv2-query' };

/**
 * Looks up the credential of the access key the request's signature names, then verifies the
 * signature with its secret. A missing credential is reported in its place among the checks, as S3
 * orders them: a request malformed before its key is read is refused as malformed, key or not.
 * @returns who signed it and how; undefined for an anonymous request (no credentials at all).
 * @throws S3Error as S3 answers: InvalidAccessKeyId for an access key without a credential,
 *   SignatureDoesNotMatch, AuthorizationHeaderMalformed, AccessDenied (expired) …
 */
export async function authenticate<C extends BucketCredential>(
  req: SignableRequest,
  lookup: CredentialLookup<C>,
  options: AuthenticateOptions,
): Promise<Authenticated<C> | undefined> {
  const mechanism = signatureMechanism(req, options);
  if (!mechanism) return undefined;
  const accessKeyId = claimedAccessKeyId(req, mechanism);
  const credential = accessKeyId === undefined ? undefined : await lookup(accessKeyId);
  const authentication = verifyMechanism(req, mechanism, (id) => (id === accessKeyId ? credential?.secretKey : undefined), options);
  // Verified with a secret, so with the claimed key's credential: this only tells TypeScript.
  if (!credential) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: authentication.accessKeyId });
  return { principal: { accessKeyId: authentication.accessKeyId, bucket: credential.bucket }, credential, authentication };
}

/**
 * Verifies the request's signature with the secret `lookupSecret` gives for the access key it names;
 * synchronous, so `authenticate` looks the credential up first. undefined means anonymous.
 * @throws S3Error as `authenticate` does.
 */
export function verifySignature(req: SignableRequest, lookupSecret: SecretLookup, options: AuthenticateOptions): Authentication | undefined {
  const mechanism = signatureMechanism(req, options);
  return mechanism && verifyMechanism(req, mechanism, lookupSecret, options);
}

/**
 * Which mechanism signs the request; undefined: none (anonymous).
 * @throws S3Error InvalidArgument for two mechanisms at once; InvalidRequest for SigV2 when it is refused.
 */
function signatureMechanism(req: SignableRequest, options: AuthenticateOptions): Mechanism | undefined {
  const header = req.headers.authorization;
  const authorization = Array.isArray(header) ? header[0] : header;
  const parameters = authQueryParameters(req.rawQuery);
  let presigned = false;
  for (const name of PRESIGN_PARAMETER_NAMES) presigned ||= parameters.has(name);
  const signatureV2Query = parameters.has('signature');
  if (authorization) {
    if (presigned || signatureV2Query) {
      throw new S3Error('InvalidArgument', ONE_MECHANISM_MESSAGE, {
        ArgumentName: 'Authorization',
        ArgumentValue: authorization,
      });
    }
    if (authorization.startsWith('AWS ')) {
      if (options.sigv2 !== 'accept') throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM_MESSAGE);
      return { kind: 'sigv2-header', authorization };
    }
    return { kind: 'header', authorization };
  }
  if (presigned) return { kind: 'presigned', parameters };
  // A SigV2 presigned URL (AWSAccessKeyId, Signature, Expires).
  if (signatureV2Query) {
    if (options.sigv2 !== 'accept') throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM_MESSAGE);
    return { kind: 'sigv2-query' };
  }
  return undefined;
}

/**
 * The access key the signature names, found where its verifier finds it; undefined when there is
 * no signature or it names none (it is then refused before any lookup).
 */
function claimedAccessKeyId(req: SignableRequest, mechanism: Mechanism): string | undefined {
  switch (mechanism.kind) {
    case 'header':
      return headerAccessKeyId(mechanism.authorization);
    case 'sigv2-header':
      return sigV2HeaderAccessKeyId(mechanism.authorization);
    case 'presigned':
      return presignedAccessKeyId(mechanism.parameters);
    case 'sigv2-query':
      return sigV2QueryAccessKeyId(req);
  }
}

function verifyMechanism(req: SignableRequest, mechanism: Mechanism, lookupSecret: SecretLookup, options: AuthenticateOptions): Authentication {
  switch (mechanism.kind) {
    case 'header':
      return authenticateWithHeader(req, mechanism.authorization, lookupSecret, options);
    case 'sigv2-header':
      return authenticateSigV2Header(req, mechanism.authorization, lookupSecret, sigV2Target(options));
    case 'presigned':
      return authenticatePresigned(req, mechanism.parameters, lookupSecret, options);
    case 'sigv2-query':
      return authenticateSigV2Query(req, lookupSecret, sigV2Target(options));
  }
}

/** What SigV2 signs of the request's address, and the time to check its expiry against. */
function sigV2Target(options: AuthenticateOptions) {
  return { bucket: options.bucket, virtualHosted: options.virtualHosted ?? false, now: options.now };
}

const NO_PARAMETERS: PresignParameters = new Map();

/** The query's parameters by lower-case name, the first of a repeated name counting; skips parsing when no auth parameter can be there. */
function authQueryParameters(rawQuery: string): PresignParameters {
  if (!/x-amz-|signature/i.test(rawQuery)) return NO_PARAMETERS;
  const byName = new Map<string, string>();
  for (const [name, value] of parseQuery(rawQuery)) {
    const lowerCaseName = name.toLowerCase();
    if (!byName.has(lowerCaseName)) byName.set(lowerCaseName, value);
  }
  return byName;
}
