/**
 * The shapes the authenticate stage takes and gives: the request as signed, who signed it, and
 * what the body stage needs to verify the payload. Types only, so every auth file can share them
 * without importing one another.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface SignableRequest {
  method: string;
  /** Path exactly as received on the wire, still percent-encoded, no query. */
  rawPath: string;
  /** Query string exactly as received, without '?', may be ''. */
  rawQuery: string;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
}

/** SigV2 (presigned URLs, `Authorization: AWS …`, forms): verified and accepted, or refused as S3 refuses it where SigV2 is off. */
export type SigV2Policy = 'accept' | 'reject';

export interface AuthenticateOptions {
  region: string;
  now?: Date;
  /** SigV2 (presigned URLs and `Authorization: AWS …`): verified and accepted, or refused (default: refused). */
  sigv2?: SigV2Policy;
  /** The bucket the request addresses and whether it came in the Host header: SigV2 signs it. */
  bucket?: string;
  virtualHosted?: boolean;
}

/**
 * A request verified with SigV4 (AWS4-HMAC-SHA256): by the Authorization header, a presigned URL,
 * or a browser form's signed policy (PostObject). It carries what later chunk signatures of an
 * aws-chunked body chain from.
 */
export interface SigV4Authentication {
  kind: 'header' | 'presigned' | 'post-policy';
  accessKeyId: string;
  /**
   * The x-amz-content-sha256 value as signed (for presigned without one: 'UNSIGNED-PAYLOAD'); the
   * body stage reads it as a PayloadMode (payload-mode.ts).
   */
  payloadHash: string;
  /** The SigV4 signing key of the credential's date and region, for chunk signatures. */
  signingKey: Buffer;
  /** e.g. 20130524T000000Z */
  amzDate: string;
  /** e.g. 20130524/us-east-1/s3/aws4_request */
  scope: string;
  /** Seed signature (lower-case hex). */
  signature: string;
}

/** A request verified with SigV2 (a presigned URL, `Authorization: AWS …`, or a form): nothing to chain chunk signatures from. */
export interface SigV2Authentication {
  kind: 'sigv2';
  accessKeyId: string;
  /** 'UNSIGNED-PAYLOAD' or a hex SHA-256: SigV2 cannot sign an aws-chunked body. */
  payloadHash: string;
  /** As sent (base64). */
  signature: string;
  /** SigV2 has no signing key, date or scope to chain chunk signatures from. */
  signingKey?: never;
  amzDate?: never;
  scope?: never;
}

/**
 * A request the emulator's web console makes as a bucket's credential (its `/_smll/s3/` route):
 * the console's own checks (a loopback Host or its token, the same origin) stand for a signature,
 * and its body is taken as UNSIGNED-PAYLOAD (checksum headers are verified as usual).
 */
export interface ConsoleAuthentication {
  kind: 'console';
  accessKeyId: string;
  payloadHash: 'UNSIGNED-PAYLOAD';
  /** No signature: nothing to chain chunk signatures from. */
  signature?: never;
  signingKey?: never;
  amzDate?: never;
  scope?: never;
}

/** How a request proved its access key. */
export type Authentication = SigV4Authentication | SigV2Authentication | ConsoleAuthentication;

/** The secret of an access key, for verifying a signature; undefined: no such key. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

/** What a credential lookup finds for an access key: the bucket the credential belongs to, and its secret. */
export interface BucketCredential {
  bucket: string;
  secretKey: string;
}

/**
 * Finds the credential of an access key (undefined: no such key). Asynchronous, so that a store
 * over the network can answer it. `C` may carry more than the bucket and the secret (the store's
 * whole record), which `authenticate` hands back.
 */
export type CredentialLookup<C extends BucketCredential = BucketCredential> = (accessKeyId: string) => Promise<C | undefined>;

/** Who signed a request: the access key, and the bucket whose credential it is. */
export interface Principal {
  accessKeyId: string;
  bucket: string;
}

/** The authenticate stage's answer for a signed request. */
export interface Authenticated<C extends BucketCredential = BucketCredential> {
  principal: Principal;
  /** The credential as the lookup returned it. */
  credential: C;
  authentication: Authentication;
}
