/**
 * Every failure anywhere in the pipeline is an S3Error; the app renders it once as
 * S3's XML error document. The catalogue keeps code → HTTP status and S3's own default
 * message in one place so that stages only name the code (and extra fields).
 */
const catalogue = {
  AccessDenied: [403, 'Access Denied'],
  AccessForbidden: [403, 'Access Forbidden'],
  AuthorizationHeaderMalformed: [400, 'The authorization header is malformed.'],
  AuthorizationQueryParametersError: [400, 'Error parsing the X-Amz-Credential parameter.'],
  BadDigest: [400, 'The Content-MD5 you specified did not match what we received.'],
  BadRequest: [400, 'Bad Request'],
  ConditionalRequestConflict: [409, 'A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.'],
  EntityTooLarge: [400, 'Your proposed upload exceeds the maximum allowed object size.'],
  EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed object size.'],
  IncompleteBody: [400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.'],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
  InvalidAccessKeyId: [403, 'The AWS Access Key Id you provided does not exist in our records.'],
  InvalidArgument: [400, 'Invalid Argument'],
  InvalidBucketName: [400, 'The specified bucket is not valid.'],
  InvalidDigest: [400, 'The Content-MD5 you specified was invalid.'],
  InvalidPart: [400, 'One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.'],
  InvalidPartNumber: [416, 'The requested partnumber is not satisfiable'],
  InvalidPartOrder: [400, 'The list of parts was not in ascending order. Parts must be ordered by part number.'],
  InvalidPolicyDocument: [400, 'The content of the form does not meet the conditions specified in the policy document.'],
  InvalidRange: [416, 'The requested range is not satisfiable'],
  InvalidRequest: [400, 'Invalid Request'],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  KeyTooLongError: [400, 'Your key is too long'],
  MalformedPOSTRequest: [400, 'The body of your POST request is not well-formed multipart/form-data.'],
  MalformedTrailerError: [400, 'The request contained trailing data that was not well-formed or did not conform to our published schema.'],
  MalformedXML: [400, 'The XML you provided was not well-formed or did not validate against our published schema'],
  MaxPostPreDataLengthExceededError: [400, 'Your POST request fields preceding the upload file were too large.'],
  MetadataTooLarge: [400, 'Your metadata headers exceed the maximum allowed metadata size.'],
  MethodNotAllowed: [405, 'The specified method is not allowed against this resource.'],
  MissingContentLength: [411, 'You must provide the Content-Length HTTP header.'],
  MissingSecurityHeader: [400, 'Your request is missing a required header.'],
  NoSuchBucket: [404, 'The specified bucket does not exist'],
  NoSuchKey: [404, 'The specified key does not exist.'],
  NoSuchUpload: [404, 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.'],
  NotImplemented: [501, 'A header you provided implies functionality that is not implemented'],
  NotModified: [304, 'Not Modified'],
  OperationAborted: [409, 'A conflicting conditional operation is currently in progress against this resource. Please try again.'],
  PreconditionFailed: [412, 'At least one of the pre-conditions you specified did not hold'],
  RequestHeaderSectionTooLarge: [400, 'Your request header section exceeds the maximum allowed size.'],
  RequestTimeout: [400, 'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.'],
  RequestTimeTooSkewed: [403, 'The difference between the request time and the current time is too large.'],
  ServiceUnavailable: [503, 'Service is unable to handle request.'],
  SignatureDoesNotMatch: [403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'],
  XAmzContentSHA256Mismatch: [400, 'The provided \'x-amz-content-sha256\' header does not match what was computed.'],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof catalogue;

/** Extra elements of the error document, in order (e.g. Key, Condition, StringToSign). */
export type S3ErrorFields = Record<string, string | number | undefined>;

/**
 * What an AccessDenied of the authorize stage refused: the IAM action, and the request headers,
 * presigned URL query parameters or form fields that asked for it ([] when the operation itself
 * needs it). For the request log and the console's badge.
 */
export interface Refusal {
  action: string;
  headers: string[];
}

/** How an S3Error is answered beyond its code, message and fields. */
export interface S3ErrorOptions {
  /** Response headers S3 sends with this error (e.g. Last-Modified/ETag on 304). */
  headers?: Record<string, string>;
  /** false: the status alone, no error document. Default true. */
  document?: boolean;
  /** One sentence naming the part of the request that caused the error, also for the request log. */
  hint?: string;
  /** An authorization refusal: the action refused and what asked for it, for the request log. */
  refusal?: Refusal;
}

export class S3Error extends Error {
  readonly code: S3ErrorCode;
  readonly status: number;
  readonly fields: S3ErrorFields;
  /** Response headers S3 sends with this error (e.g. Last-Modified/ETag on 304). */
  readonly headers: Record<string, string>;
  /** false: S3 answers with the status alone and no error document (a `..` segment above the bucket). */
  readonly document: boolean;
  /** One sentence naming the part of the request that caused the error, also for the request log. */
  readonly hint: string | undefined;
  /** An authorization refusal: the action refused and what asked for it, for the request log. */
  readonly refusal: Refusal | undefined;

  constructor(code: S3ErrorCode, message?: string, fields: S3ErrorFields = {}, options: S3ErrorOptions = {}) {
    const [status, defaultMessage] = catalogue[code];
    super(message ?? defaultMessage);
    this.name = 'S3Error';
    this.code = code;
    this.status = status;
    this.fields = fields;
    this.headers = options.headers ?? {};
    this.document = options.document ?? true;
    this.hint = options.hint;
    this.refusal = options.refusal;
  }
}

export function isS3Error(err: unknown): err is S3Error {
  return err instanceof S3Error;
}
