import { MAX_KEY_BYTES } from './limits.js';
import { S3Error } from './s3-error.js';

/** The object `x-amz-copy-source` names. */
export interface CopySource {
  bucket: string;
  key: string;
  /** Present (possibly empty) when the value carries `?versionId=`: a specific version is asked for. */
  versionId?: string;
}

function invalidCopySource(value: string, message = 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey'): S3Error {
  return new S3Error('InvalidArgument', message, { ArgumentName: 'x-amz-copy-source', ArgumentValue: value });
}

/**
 * Parses an `x-amz-copy-source` value: URL-encoded `bucket/key`, with or without a leading `/`,
 * optionally followed by `?versionId=…`. Read by the authorizer (the source is a second resource
 * to authorize) and by CopyObject and UploadPartCopy (the object to read).
 * Throws InvalidArgument (no bucket or no key, or bad percent-encoding) and KeyTooLongError
 * (a key over 1024 bytes).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html#API_CopyObject_RequestSyntax
 */
export function parseCopySource(value: string): CopySource {
  const queryStart = value.indexOf('?');
  const encodedPath = queryStart === -1 ? value : value.slice(0, queryStart);
  let path: string;
  try {
    path = decodeURIComponent(encodedPath);
  } catch {
    throw invalidCopySource(value, 'Invalid copy source encoding.');
  }
  if (path.startsWith('/')) path = path.slice(1);
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw invalidCopySource(value);
  const source: CopySource = { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
  if (Buffer.byteLength(source.key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', undefined, { Size: Buffer.byteLength(source.key), MaxSizeAllowed: MAX_KEY_BYTES });
  }
  const versionId = queryStart === -1 ? null : new URLSearchParams(value.slice(queryStart + 1)).get('versionId');
  if (versionId !== null) source.versionId = versionId;
  return source;
}
