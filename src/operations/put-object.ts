import type { IncomingHttpHeaders } from 'node:http';
import { headerValue } from '../s3/headers.js';
import { S3Error } from '../s3/s3-error.js';
import type { ObjectMetadata, ObjectRecord } from '../store/types.js';
import { etagListMatches } from './conditions.js';
import { assertStorableHeaderName, assertStorableHeaderValue } from './header-values.js';
import { checksumHeaders } from './response.js';
import type { ObjectRequest, OperationHandler, RequestBody } from './types.js';
import { refuseReservedKey } from './reserved-keys.js';

/** S3 limits user metadata (names and values of x-amz-meta-*) to 2 KB. */
const MAX_USER_METADATA_BYTES = 2048;

/** Content-Encoding as stored: the `aws-chunked` framing is transport, not the object's encoding. */
function storedContentEncoding(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const codings = header.split(',').map((c) => c.trim()).filter((c) => c !== '' && c.toLowerCase() !== 'aws-chunked');
  return codings.length ? codings.join(', ') : undefined;
}

/** The content headers an object keeps and returns. */
const STORED_CONTENT_HEADERS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

/**
 * The object metadata a write request carries (PutObject, CreateMultipartUpload, CopyObject
 * REPLACE, and PostObject's fields as headers). Every value is one a later GET can send back.
 * @throws S3Error InvalidArgument for a control character in a stored value or a metadata name
 *   that is not a header name (both reach here only from form fields); MetadataTooLarge over 2 KB.
 */
export function objectMetadataFrom(headers: IncomingHttpHeaders): ObjectMetadata {
  const userMetadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const name of STORED_CONTENT_HEADERS) {
    const value = headerValue(headers, name);
    if (value !== undefined) assertStorableHeaderValue(name, value);
  }
  for (const name of Object.keys(headers)) {
    const text = name.startsWith('x-amz-meta-') ? headerValue(headers, name) : undefined;
    if (text === undefined) continue;
    assertStorableHeaderName(name);
    assertStorableHeaderValue(name, text);
    const metaName = name.slice('x-amz-meta-'.length);
    userMetadata[metaName] = text;
    // One char per byte: header values (and form fields, as objectMetadataFrom receives them) are read as Latin-1.
    metadataBytes += Buffer.byteLength(metaName, 'latin1') + Buffer.byteLength(text, 'latin1');
  }
  if (metadataBytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error('MetadataTooLarge', undefined, { Size: metadataBytes, MaxSizeAllowed: MAX_USER_METADATA_BYTES });
  }
  return {
    contentType: headerValue(headers, 'content-type'),
    cacheControl: headerValue(headers, 'cache-control'),
    contentDisposition: headerValue(headers, 'content-disposition'),
    contentEncoding: storedContentEncoding(headerValue(headers, 'content-encoding')),
    contentLanguage: headerValue(headers, 'content-language'),
    expires: headerValue(headers, 'expires'),
    userMetadata,
  };
}

/** The write conditions of PutObject (and CompleteMultipartUpload): If-None-Match: * and If-Match. */
export function writePrecondition(headers: IncomingHttpHeaders): ((existing: ObjectRecord | undefined) => void) | undefined {
  const ifNoneMatch = headerValue(headers, 'if-none-match');
  const ifMatch = headerValue(headers, 'if-match');
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new S3Error('NotImplemented', undefined, { Header: 'If-None-Match', additionalMessage: 'We don\'t accept the provided value of If-None-Match header for this API' });
  }
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  return (existing) => {
    if (ifNoneMatch !== undefined && existing) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
    if (ifMatch !== undefined) {
      // S3 answers a conditional overwrite of a missing key with NoSuchKey, not 412.
      if (!existing) throw new S3Error('NoSuchKey');
      if (!etagListMatches(ifMatch, existing.etag)) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
    }
  };
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html */
export const PutObject: OperationHandler<ObjectRequest & RequestBody> = async ({ req, store }) => {
  refuseReservedKey(store, req.key);
  const metadata = objectMetadataFrom(req.headers);
  const precondition = writePrecondition(req.headers);
  const { body } = req;

  const record = await store.putObject(req.bucket, req.key, {
    body: body.stream,
    size: body.declaredLength,
    describe: () => {
      const { md5, checksum } = body.result();
      return { ...metadata, etag: `"${md5.toString('hex')}"`, checksum: checksum && { ...checksum, type: 'FULL_OBJECT' } };
    },
    precondition,
    mayInline: true,
  });

  return { status: 200, headers: { ETag: record.etag, ...checksumHeaders(record.checksum) } };
};
