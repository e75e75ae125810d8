/**
 * PostObject: the browser form upload (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html;
 * S3 has no API_PostObject page). The authenticate stage has read the form fields and verified
 * the policy (`req.form`); this streams the file part to the blob store through the
 * content-length-range and checksum checks, and answers as `success_action_*` asks.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { DEFAULT_CHECKSUM_ALGORITHM } from '../auth/checksums.js';
import { decodeBody } from '../auth/payload.js';
import { formFieldsAsHeaders } from '../auth/post-policy-form.js';
import { uriEncodeText } from '../auth/uri-encoding.js';
import { S3Error } from '../s3/s3-error.js';
import { renderXml } from '../s3/xml.js';
import { MAX_KEY_BYTES } from '../s3/limits.js';
import { assertStorableHeaderValue, formFieldAsHeaderValue } from './header-values.js';
import { objectMetadataFrom } from './put-object.js';
import { checksumHeaders, xmlResponse } from './response.js';
import type { FormRequest, OperationHandler } from './types.js';
import { refuseReservedKey } from './reserved-keys.js';

/** Fails the stream as soon as more than `max` bytes have passed, so an oversized file is not read to its end. */
class MaxSizeGuard extends Transform {
  private size = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.max) {
      callback(
        new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: this.size, MaxSizeAllowed: this.max }),
      );
      return;
    }
    callback(null, chunk);
  }
}

/** The key field, with `${filename}` replaced by the file part's name as S3 does. */
function objectKey(key: string | undefined, filename: string | undefined): string {
  if (key === undefined) {
    throw new S3Error('InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", {
      ArgumentName: 'key',
      ArgumentValue: '',
    });
  }
  const resolved = key.replaceAll('${filename}', filename ?? '');
  if (resolved === '') throw new S3Error('InvalidArgument', 'User key must have a length greater than 0.', { ArgumentName: 'key', ArgumentValue: '' });
  if (Buffer.byteLength(resolved) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', undefined, { Size: Buffer.byteLength(resolved), MaxSizeAllowed: MAX_KEY_BYTES });
  }
  return resolved;
}

/**
 * success_action_redirect (or the older `redirect`) when it is an absolute http(s) URL; S3 ignores
 * anything else. It becomes the Location header, so a control character in it is refused.
 * @throws S3Error InvalidArgument naming the field.
 */
function redirectTarget(fields: ReadonlyMap<string, string>): URL | undefined {
  const name = fields.has('success_action_redirect') ? 'success_action_redirect' : 'redirect';
  const value = fields.get(name);
  if (!value) return undefined;
  assertStorableHeaderValue(name, value);
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

export const PostObject: OperationHandler<FormRequest> = async ({ req, store }) => {
  const { form } = req;
  const key = objectKey(form.fields.get('key'), form.filename);
  refuseReservedKey(store, key);
  const headers = formFieldsAsHeaders(form.fields);
  // The fields' text as the bytes a header would carry, so that form and header uploads store alike.
  const metadata = objectMetadataFrom(
    Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, typeof value === 'string' ? formFieldAsHeaderValue(value) : value])),
  );
  const redirect = redirectTarget(form.fields);
  const range = form.contentLengthRange;

  // Only the x-amz-checksum-* fields speak about the payload; the rest are metadata.
  const payloadChecksumHeaders = Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('x-amz-checksum-')));
  const source = range ? form.file.pipe(new MaxSizeGuard(range.max)) : form.file;
  if (range) {
    form.file.on('error', (err) => source.destroy(err));
    // decodeBody forwards the guard's error to the body's reader; when it refuses the request
    // first (a bad checksum field), the file still flows into the guard, and its error must not
    // go unheard (an 'error' with no listener would end the process).
    source.on('error', () => {});
  }
  const body = decodeBody(source, req.auth, payloadChecksumHeaders, { defaultChecksum: DEFAULT_CHECKSUM_ALGORITHM });

  const bucket = req.bucket;
  const record = await store.putObject(bucket, key, {
    body: body.stream,
    describe: async () => {
      // The form must end well-formed, and the file be long enough, before the object exists.
      await form.finished;
      const { size, md5, checksum } = body.result();
      if (range && size < range.min) {
        throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: size, MinSizeAllowed: range.min });
      }
      return { ...metadata, etag: `"${md5.toString('hex')}"`, checksum: checksum && { ...checksum, type: 'FULL_OBJECT' } };
    },
    mayInline: true,
  });

  const location = `${req.endpoint}/${req.virtualHosted ? '' : `${bucket}/`}${uriEncodeText(key, true)}`;
  // The form answers with the object's checksum value, not its type.
  const answered = { ETag: record.etag, Location: location, ...checksumHeaders(record.checksum && { ...record.checksum, type: undefined }) };

  if (redirect) {
    redirect.searchParams.append('bucket', bucket);
    redirect.searchParams.append('key', key);
    redirect.searchParams.append('etag', record.etag);
    return { status: 303, headers: { ...answered, Location: redirect.toString() } };
  }
  const status = form.fields.get('success_action_status');
  if (status === '201') {
    return xmlResponse(renderXml('PostResponse', { Location: location, Bucket: bucket, Key: key, ETag: record.etag }, null), answered, 201);
  }
  return { status: status === '200' ? 200 : 204, headers: answered };
};
