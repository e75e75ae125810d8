import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Authentication } from '../auth/types.js';
import type { BodyContract, DecodedBody } from '../auth/payload.js';
import type { PostForm } from '../auth/post-policy-form.js';
import type { OperationAccess } from '../auth/policy.js';
import type { Store } from '../store/types.js';

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
  /** PostObject: the form fields read by the authenticate stage, and the file still to be read. */
  form?: PostForm;
}

/**
 * A request to a bucket as its handler receives it: authenticated, and authorized for the
 * credential's own bucket. It carries no HTTP, so that callers other than the HTTP front (the
 * console, the gateway, tests) can build one.
 */
export interface BucketRequest {
  /** The authorized bucket: the credential's own. */
  bucket: string;
  /** The bucket's region (HeadBucket, GetBucketLocation). */
  region: string;
  query: URLSearchParams;
  /** Lower-case names, as Node's parser gives them; read them with s3/headers.ts's headerValue. */
  headers: IncomingHttpHeaders;
  /** The bucket was addressed in the Host name (BUCKET.localhost), not in the path. */
  virtualHosted: boolean;
  /** Scheme and host the client addressed (`http://localhost:9000`): the start of a `Location`. */
  endpoint: string;
}

/** A request to an object of the authorized bucket. */
export interface ObjectRequest extends BucketRequest {
  /** The object key, decoded; never empty. */
  key: string;
}

/** What a request of a row that reads a body (`readsBody`) carries besides: the decoded body, and how it was signed. */
export interface RequestBody {
  body: DecodedBody;
  auth: Authentication;
}

/** PostObject's request: the form the authenticate stage read, its file still to be read, and the form's signature. */
export interface FormRequest extends BucketRequest {
  form: PostForm;
  auth: Authentication;
}

/**
 * What a handler answers: S3's status, headers and body, which http/app.ts alone renders.
 * The body is none, a document (string), bytes already in memory (Buffer: an inline object),
 * or a stream; a stored object is never read into memory to be sent.
 */
export interface S3Response {
  status: number;
  /** Header names as they are sent. */
  headers: Readonly<Record<string, string>>;
  body?: string | Buffer | Readable;
}

/** What a handler gets: its typed request, and the store. */
export interface OperationContext<Request extends BucketRequest> {
  req: Request;
  store: Store;
}

export type OperationHandler<Request extends BucketRequest> = (op: OperationContext<Request>) => Promise<S3Response> | S3Response;

/**
 * What every row of the operation table has, whatever its target; what its body is to the body
 * stage (BodyContract: defaultChecksum, checksumHeaders, lengthRequired) and the IAM actions it
 * needs (OperationAccess, what the authorizer reads) among it.
 */
interface OperationRow extends BodyContract, OperationAccess {
  name: string;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Query parameter whose presence identifies the operation (e.g. `uploads`, `acl`). */
  subresource?: string;
  /** Query parameter with a fixed value that identifies it (e.g. list-type=2). */
  queryValue?: [string, string];
  /** Request header whose presence identifies it (e.g. x-amz-copy-source). */
  header?: string;
  /** Why a granted operation has no handler (shown in the README table). */
  unimplementedReason?: string;
}

/**
 * What a row's requests are and the handler typed for them (none: the emulator knows the
 * operation but SMLL never grants it): the target says whether the request has a key,
 * `readsBody` whether the decode stage runs and the request has a body (the stage runs only
 * then), `authenticatesFromForm` that the credential and signature are fields of a
 * multipart/form-data body (PostObject): the authenticate stage reads the form up to the file.
 */
type RowShape =
  | { target: 'service'; readsBody?: false; authenticatesFromForm?: false; handler?: undefined }
  | { target: 'bucket'; readsBody?: false; authenticatesFromForm?: false; handler?: OperationHandler<BucketRequest> }
  | { target: 'bucket'; readsBody: true; authenticatesFromForm?: false; handler?: OperationHandler<BucketRequest & RequestBody> }
  | { target: 'bucket'; readsBody?: false; authenticatesFromForm: true; handler?: OperationHandler<FormRequest> }
  | { target: 'object'; readsBody?: false; authenticatesFromForm?: false; handler?: OperationHandler<ObjectRequest> }
  | { target: 'object'; readsBody: true; authenticatesFromForm?: false; handler?: OperationHandler<ObjectRequest & RequestBody> };

/**
 * One row of the operation table: how a request is recognised, the IAM actions it needs, and
 * its handler, typed for the request the row's shape makes.
 */
export type OperationSpec = OperationRow & RowShape;
