import type { IncomingHttpHeaders } from 'node:http';
import type Koa from 'koa';
import type { Authentication } from '../auth/types.js';
import type { BodyContract, DecodedBody } from '../auth/payload.js';
import type { PostForm } from '../auth/post-policy-form.js';
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
  /** The IAM actions the credential holds, for checks an operation makes itself (e.g. CopyObject's source). */
  granted: ReadonlySet<string>;
}

export type OperationHandler = (op: OperationContext) => Promise<void> | void;

/** An IAM action a request needs beyond its operation's, and the headers that ask for it (in request order). */
export interface ExtraAction {
  action: string;
  headers: string[];
}

/**
 * One row of the operation table: how a request is recognised, the IAM action it needs, what its
 * body is to the body stage (BodyContract: defaultChecksum, checksumHeaders, lengthRequired), and
 * its handler (none: the emulator knows the operation but SMLL never grants it).
 */
export interface OperationSpec extends BodyContract {
  name: string;
  action: string;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  target: Target;
  /** Query parameter whose presence identifies the operation (e.g. `uploads`, `acl`). */
  subresource?: string;
  /** Query parameter with a fixed value that identifies it (e.g. list-type=2). */
  queryValue?: [string, string];
  /** Request header whose presence identifies it (e.g. x-amz-copy-source). */
  header?: string;
  /** Further IAM actions a request needs because of what it carries (e.g. x-amz-acl → s3:PutObjectAcl). */
  extraActions?: (headers: IncomingHttpHeaders) => ExtraAction[];
  /**
   * The credential and signature are fields of a multipart/form-data body (PostObject), not
   * headers: the authenticate stage reads the form up to the file part.
   */
  authenticatesFromForm?: boolean;
  /** Whether the handler reads a request body (the decode stage runs only then). */
  readsBody?: boolean;
  handler?: OperationHandler;
  /** Why a granted operation has no handler (shown in the README table). */
  unimplementedReason?: string;
}
