import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../s3/s3-error.js';
import { MAX_PUT_BYTES } from '../s3/limits.js';
import type { ObjectMetadata, ObjectRecord } from '../store/index.js';
import { etagListMatches } from './conditions.js';
import { assertStorableHeaderName, assertStorableHeaderValue } from './header-values.js';
import type { OperationHandler } from './types.js';

/** S3 limits user metadata (names and values of x-amz-meta-*) to 2 KB. */
const MAX_USER_METADATA_BYTES = 2048;

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

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
    const value = single(headers, name);
    if (value !== undefined) assertStorableHeaderValue(name, value);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : value;
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
    contentType: single(headers, 'content-type'),
    cacheControl: single(headers, 'cache-control'),
    contentDisposition: single(headers, 'content-disposition'),
    contentEncoding: storedContentEncoding(single(headers, 'content-encoding')),
    contentLanguage: single(headers, 'content-language'),
    expires: single(headers, 'expires'),
    userMetadata,
  };
}

/** The declared payload size: Content-Length, or x-amz-decoded-content-length for aws-chunked bodies. */
export function declaredSize(headers: IncomingHttpHeaders, streaming: boolean): number {
  const raw = streaming ? single(headers, 'x-amz-decoded-content-length') : single(headers, 'content-length');
  if (raw === undefined) throw new S3Error('MissingContentLength');
  const size = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(size)) {
    throw new S3Error('InvalidArgument', undefined, {
      ArgumentName: streaming ? 'x-amz-decoded-content-length' : 'Content-Length',
      ArgumentValue: raw,
    });
  }
  return size;
}

/** The write conditions of PutObject (and CompleteMultipartUpload): If-None-Match: * and If-Match. */
export function writePrecondition(headers: IncomingHttpHeaders): ((existing: ObjectRecord | undefined) => void) | undefined {
  const ifNoneMatch = single(headers, 'if-none-match');
  const ifMatch = single(headers, 'if-match');
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

export const PutObject: OperationHandler = async ({ req, store, ctx }) => {
  const streaming = req.auth!.payloadHash.startsWith('STREAMING-');
  const size = declaredSize(req.headers, streaming);
  if (size > MAX_PUT_BYTES) {
    throw new S3Error('EntityTooLarge', undefined, { ProposedSize: size, MaxSizeAllowed: MAX_PUT_BYTES });
  }
  const metadata = objectMetadataFrom(req.headers);
  const precondition = writePrecondition(req.headers);
  const body = req.body!;

  const record = await store.putObject(req.bucketRecord.name, req.key!, {
    body: body.stream,
    describe: () => {
      const { md5, checksum } = body.result();
      return { ...metadata, etag: `"${md5.toString('hex')}"`, checksum: checksum && { ...checksum, type: 'FULL_OBJECT' } };
    },
    precondition,
    mayInline: true,
  });

  ctx.status = 200;
  ctx.set('ETag', record.etag);
  if (record.checksum) {
    ctx.set(`x-amz-checksum-${record.checksum.algorithm.toLowerCase()}`, record.checksum.value);
    ctx.set('x-amz-checksum-type', record.checksum.type);
  }
  ctx.body = '';
};
