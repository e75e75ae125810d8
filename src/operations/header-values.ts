/**
 * Values that enter as, or leave as, HTTP header fields.
 *
 * Node writes a header only if its name is a token and its value holds nothing but HTAB, SP-~ and
 * obs-text (U+0080-U+00FF, one byte each); anything else throws, which would answer 500. Values
 * from Node's own header parser always qualify, but values from query strings (`response-*`),
 * POST form fields and objects stored by older versions may not. So every value is checked where
 * it enters (control characters refused with InvalidArgument naming the header or field) and
 * passes through {@link renderHeaderValue} where it leaves, so no stored value can make a read fail.
 */
import { S3Error } from '../http/s3-error.js';

// Control characters that no HTTP field value may hold (RFC 9110 §5.5): C0 except HTAB, and DEL.
// C1 (U+0080-U+009F) stays allowed: it is how the Latin-1 reading of UTF-8 bytes looks.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\x00-\x08\x0a-\x1f\x7f]/g;
const BEYOND_LATIN1 = /[^\x00-\xff]/;
/** RFC 9110 §5.6.2 token: what a field name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `name` may be sent as a header field name. */
export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/**
 * A header value to be stored (PutObject, CreateMultipartUpload, CopyObject REPLACE, PostObject
 * fields): one with a control character is refused.
 * @throws S3Error 400 InvalidArgument naming the header (or form field) `name`.
 */
export function assertStorableHeaderValue(name: string, value: string): void {
  if (CONTROL_CHARACTER.test(value)) {
    throw new S3Error('InvalidArgument', 'Header value contains a control character.', { ArgumentName: name, ArgumentValue: value });
  }
}

/**
 * A user-metadata header name to be stored: refused unless it is a token (a form field's name
 * can be anything; a header's never is).
 * @throws S3Error 400 InvalidArgument naming the field.
 */
export function assertStorableHeaderName(name: string): void {
  if (!isHeaderName(name)) {
    throw new S3Error('InvalidArgument', 'Metadata name is not a valid HTTP header name.', { ArgumentName: name, ArgumentValue: name });
  }
}

/**
 * A `response-*` override of GetObject/HeadObject, as the header value to send.
 * S3 refuses text outside ISO-8859-1 with InvalidArgument "Header value cannot be represented
 * using ISO-8859-1." naming the parameter (as reported from S3 in guardian/grid#1716,
 * IQSS/dataverse#4524, Coursemology/coursemology2#3206); control characters are refused alike.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 * @throws S3Error 400 InvalidArgument naming the parameter.
 */
export function responseOverrideValue(parameter: string, value: string): string {
  if (BEYOND_LATIN1.test(value)) {
    throw new S3Error('InvalidArgument', 'Header value cannot be represented using ISO-8859-1.', { ArgumentName: parameter, ArgumentValue: value });
  }
  assertStorableHeaderValue(parameter, value);
  return value;
}

/**
 * A form field's text as the header value it stands for: a header carries bytes, which the header
 * parser reads as Latin-1, so the field's UTF-8 bytes are read the same way and a form upload
 * stores what a header upload of the same bytes stores.
 */
export function formFieldAsHeaderValue(value: string): string {
  return BEYOND_LATIN1.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

/**
 * Any stored value as a header value Node will send: text beyond Latin-1 as its UTF-8 bytes, and
 * each control character replaced by SP, as RFC 9110 §5.5 has a recipient do with CR, LF and NUL.
 * Values validated on entry pass unchanged; only what an older version stored is altered.
 */
export function renderHeaderValue(value: string): string {
  const bytes = formFieldAsHeaderValue(String(value));
  return CONTROL_CHARACTER.test(bytes) ? bytes.replace(CONTROL_CHARACTERS, ' ') : bytes;
}

/**
 * Stored user metadata as `x-amz-meta-*` headers, each value through {@link renderHeaderValue}.
 * An entry whose name cannot be a header is left out and counted in `missing`, as S3 does with
 * metadata it cannot return (the `x-amz-missing-meta` header):
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html
 */
export function userMetadataHeaders(userMetadata: Readonly<Record<string, string>>): { headers: Array<[string, string]>; missing: number } {
  const headers: Array<[string, string]> = [];
  let missing = 0;
  for (const [name, value] of Object.entries(userMetadata)) {
    const header = `x-amz-meta-${name}`;
    if (isHeaderName(header)) headers.push([header, renderHeaderValue(value)]);
    else missing++;
  }
  return { headers, missing };
}
