import type { IncomingHttpHeaders } from 'node:http';
import type Koa from 'koa';
import type { ChecksumAlgorithm } from '../auth/checksums.js';
import type { Authentication } from '../auth/sigv4.js';
import type { DecodedBody } from '../auth/payload.js';
import type { PostForm } from '../auth/post-policy-form.js';
import type { OperationAccess } from '../auth/policy.js';
import type { BucketRecord, Store } from '../store/index.js';

export type Target = 'service' | 'bucket' | 'object';

/** What the resolve stage found out about a request, filled in stage by stage. */
export interface S3Request {
  id: string;
  method: string;
  target: Target;
  bucket?: string;
  key?: string;
  /** The bucket came in the Host header (BUCKET.localhost), not in the path. */
  virtualHosted?: boolean;
  rawPath: string;
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  operation: OperationSpec;
  auth?: Authentication;
  bucketRecord?: BucketRecord;
  body?: DecodedBody;
  /** PostObject: the form fields read by the authenticate stage, and the file still to be read. */
  form?: PostForm;
}

/** What an operation handler gets: the request, the store, and koa's context to answer on. */
export interface OperationContext {
  req: S3Request & { bucketRecord: BucketRecord };
  store: Store;
  ctx: Koa.Context;
}

export type OperationHandler = (op: OperationContext) => Promise<void> | void;

/**
 * One row of the operation table: how a request is recognised, the IAM actions it needs (what
 * the authorizer reads, OperationAccess), and its handler (none: the emulator knows the
 * operation but SMLL never grants it).
 */
export interface OperationSpec extends OperationAccess {
  name: string;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  target: Target;
  /** Query parameter whose presence identifies the operation (e.g. `uploads`, `acl`). */
  subresource?: string;
  /** Query parameter with a fixed value that identifies it (e.g. list-type=2). */
  queryValue?: [string, string];
  /** Request header whose presence identifies it (e.g. x-amz-copy-source). */
  header?: string;
  /**
   * The credential and signature are fields of a multipart/form-data body (PostObject), not
   * headers: the authenticate stage reads the form up to the file part.
   */
  authenticatesFromForm?: boolean;
  /** Whether the handler reads a request body (the decode stage runs only then). */
  readsBody?: boolean;
  /** The checksum the decode stage computes when the request names none: the body becomes an object (PutObject). */
  defaultChecksum?: ChecksumAlgorithm;
  /**
   * Its `x-amz-checksum-*` headers give the checksum of the object being made, not of this
   * request's body (CompleteMultipartUpload): the decode stage must not verify the body with them.
   */
  checksumHeadersDescribeObject?: boolean;
  handler?: OperationHandler;
  /** Why a granted operation has no handler (shown in the README table). */
  unimplementedReason?: string;
}
