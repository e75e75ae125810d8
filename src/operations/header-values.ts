/**
 * Values that enter as, or leave as, HTTP header fields.
 *
 * Node writes a header only if its name is a token and its value holds nothing but HTAB, SP-~ and
 * obs-text (U+0080-U+00FF, one byte each); anything else throws, which would answer 500. Values
 * from Node's own header parser always qualify, but values from query strings (`response-*`),
 * POST form fields and objects stored by older versions may not. So every value is checked where
 * it enters (control characters refused with InvalidArgument naming the header or field) and
 * passes through {@link renderHeaderValue} where it leaves, so no stored value can make a read fail.
 * User metadata leaves in the RFC 2047 form S3 returns non-ASCII values in ({@link encodeMetadataValue}).
 */
import { S3Error } from '../s3/s3-error.js';

// Control characters that no HTTP field value may hold (RFC 9110 §5.5): C0 except HTAB, and DEL.
// C1 (U+0080-U+009F) stays allowed: it is how the Latin-1 reading of UTF-8 bytes looks.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\x00-\x08\x0a-\x1f\x7f]/g;
const BEYOND_LATIN1 = /[^\x00-\xff]/;
const NON_ASCII = /[^\x00-\x7f]/;
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
 * A form field's text (decoded from the form's UTF-8) as the header value it stands for: a header
 * carries bytes, which the header parser reads as Latin-1, so every non-ASCII char of the field is
 * read as its UTF-8 bytes the same way (`ö` as `Ã¶`) and a form upload stores what a header upload
 * of the same bytes stores.
 */
export function formFieldAsHeaderValue(value: string): string {
  return NON_ASCII.test(value) ? utf8AsLatin1(value) : value;
}

/**
 * Any stored value as a header value Node will send: text beyond Latin-1 as its UTF-8 bytes, and
 * each control character replaced by SP, as RFC 9110 §5.5 has a recipient do with CR, LF and NUL.
 * Values validated on entry pass unchanged; only what an older version stored is altered.
 */
export function renderHeaderValue(value: string): string {
  const text = String(value);
  const bytes = BEYOND_LATIN1.test(text) ? utf8AsLatin1(text) : text;
  return CONTROL_CHARACTER.test(bytes) ? bytes.replace(CONTROL_CHARACTERS, ' ') : bytes;
}

function utf8AsLatin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/**
 * Stored user metadata with every value through {@link renderHeaderValue}, as it is kept (a
 * CopyObject COPY carries these over). An entry whose name cannot be a header is left out and
 * counted in `missing`, as S3 does with metadata it cannot return (the `x-amz-missing-meta`
 * header): https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html
 */
export function renderUserMetadata(userMetadata: Readonly<Record<string, string>>): { entries: Array<[string, string]>; missing: number } {
  const entries: Array<[string, string]> = [];
  let missing = 0;
  for (const [name, value] of Object.entries(userMetadata)) {
    if (isHeaderName(`x-amz-meta-${name}`)) entries.push([name, renderHeaderValue(value)]);
    else missing++;
  }
  return { entries, missing };
}

/** Stored user metadata as the `x-amz-meta-*` headers S3 sends: {@link renderUserMetadata}, then {@link encodeMetadataValue}. */
export function userMetadataHeaders(userMetadata: Readonly<Record<string, string>>): { headers: Array<[string, string]>; missing: number } {
  const { entries, missing } = renderUserMetadata(userMetadata);
  return { headers: entries.map(([name, value]) => [`x-amz-meta-${name}`, encodeMetadataValue(value)]), missing };
}

// RFC 2047 §2: an encoded-word is at most 75 chars; `=?UTF-8?Q?` and `?=` leave 63 for the text.
const MAX_ENCODED_TEXT = 75 - '=?UTF-8?Q??='.length;
const Q_SPECIALS = new Set([0x3d, 0x3f, 0x5f]); // = ? _
const HEX = '0123456789ABCDEF';

/** A char that is not US-ASCII text in the mail sense: ≥ DEL, or a control other than HTAB, CR, LF. */
function isNonAscii(code: number): boolean {
  return code >= 0x7f || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d);
}

/**
 * A user-metadata value as S3 returns it: a value with no char outside US-ASCII text is returned
 * as is; any other is returned as RFC 2047 encoded-words of the UTF-8 encoding of its chars
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html).
 *
 * `value` is a byte string (one char per byte, as node:http reads a header), and S3 encodes that
 * reading: the UTF-8 bytes of `ö` (C3 B6) are the chars `Ã¶`, returned as `=?UTF-8?B?w4PCtg==?=`
 * (observed from S3 in minio/minio#21282, which matched it). The encoding is Q (RFC 2047 §4.2)
 * when the value has more US-ASCII chars than others, else B (§4.1): S3 returned
 * `=?UTF-8?Q?Mini=C3=83=C2=B6?=` for `Miniö` (minio/minio#21282) and `=?UTF-8?Q?=04mymeta?=` for
 * `\x04mymeta` (ceph/s3-tests test_object_set_get_non_utf8_metadata, before 2023). A value whose
 * encoded text would exceed 63 chars is split in half, repeatedly, into several encoded-words
 * joined by a space (RFC 2047 §2 limits an encoded-word to 75 chars; where S3 splits is not on
 * record: halving is the rule of JavaMail's MimeUtility.encodeText, whose choice of Q or B above
 * matches every S3 answer on record). An ASCII value is kept and returned as sent, even one that
 * looks like an encoded-word: the page has S3 examine a value for non-US-ASCII chars only.
 */
export function encodeMetadataValue(value: string): string {
  let nonAscii = 0;
  for (let i = 0; i < value.length; i++) if (isNonAscii(value.charCodeAt(i))) nonAscii++;
  if (nonAscii === 0) return value;
  const base64 = value.length - nonAscii <= nonAscii;
  const words: string[] = [];
  const encode = (text: string): void => {
    const bytes = Buffer.from(text, 'utf8');
    const length = base64 ? Math.ceil(bytes.length / 3) * 4 : qEncodedLength(bytes);
    if (length > MAX_ENCODED_TEXT && text.length > 1) {
      const half = Math.floor(text.length / 2);
      encode(text.slice(0, half));
      encode(text.slice(half));
      return;
    }
    words.push(base64 ? `=?UTF-8?B?${bytes.toString('base64')}?=` : `=?UTF-8?Q?${qEncode(bytes)}?=`);
  };
  encode(value);
  return words.join(' ');
}

/** RFC 2047 §4.2 "Q": SP as `_`; controls, bytes ≥ DEL, `=`, `?` and `_` as `=XX`; the rest as is. */
function qEncode(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) {
    if (byte === 0x20) text += '_';
    else if (qEscaped(byte)) text += `=${HEX[byte >> 4]}${HEX[byte & 15]}`;
    else text += String.fromCharCode(byte);
  }
  return text;
}

function qEncodedLength(bytes: Buffer): number {
  let length = 0;
  for (const byte of bytes) length += qEscaped(byte) ? 3 : 1;
  return length;
}

function qEscaped(byte: number): boolean {
  return byte < 0x20 || byte >= 0x7f || Q_SPECIALS.has(byte);
}
