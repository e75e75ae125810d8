/**
 * The SigV4 canonical request, as S3 builds it: the path is URI-encoded once (no double encoding,
 * no normalisation of `//` or `.`, an encoded slash counts as a slash), the query is decoded and re-encoded with the strict rule, and
 * header values are trimmed with inner whitespace runs collapsed.
 *
 * The result is a byte string: one char per byte. Path and query come out percent-encoded (ASCII);
 * header values are the bytes received, as node:http reads them (Latin-1, one char per byte), so a
 * value a client sent as the UTF-8 bytes of `ö` (C3 B6) is signed as C3 B6, as S3 verifies it, and
 * not encoded to UTF-8 a second time. `stringToSign` hashes these bytes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isUnreserved, percentDecode, uriEncode } from './uri-encoding.js';

export interface CanonicalRequestInput {
  method: string;
  /** As received on the wire, still percent-encoded, without the query. */
  rawPath: string;
  /** As received, without '?'. */
  rawQuery: string;
  /** Values as byte strings (one char per byte), as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** The names listed in SignedHeaders, in the client's order. */
  signedHeaders: readonly string[];
  payloadHash: string;
  /** Presigned URLs sign their query without X-Amz-Signature. */
  omitSignatureParameter?: boolean;
}

export function buildCanonicalRequest(input: CanonicalRequestInput): string {
  let headerLines = '';
  for (const name of input.signedHeaders) {
    headerLines += `${name}:${canonicalHeaderValue(input.headers[name.toLowerCase()])}\n`;
  }
  return [
    input.method,
    canonicalUri(input.rawPath),
    canonicalQuery(input.rawQuery, input.omitSignatureParameter ?? false),
    headerLines,
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

/** Paths made only of unreserved characters and `/` are already canonical (the common case). */
const CANONICAL_PATH = /^[A-Za-z0-9\-._~/]*$/;

/**
 * The path percent-decoded, then re-encoded strictly with every `/` kept. S3 decodes an encoded
 * slash before canonicalising: the Java SDK v2 sends the key `a//b` as `a/%2Fb` (so that no HTTP
 * layer collapses the slashes) and signs it as `a//b`.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  if (CANONICAL_PATH.test(rawPath)) return rawPath;
  // Only a `/` byte encodes to %2F: a literal "%2F" in a key arrives as %252F and stays %252F.
  return uriEncode(percentDecode(rawPath, false)).replaceAll('%2F', '/');
}

/** Pairs decoded, re-encoded strictly, sorted by name then value; a bare `name` becomes `name=`. */
export function canonicalQuery(rawQuery: string, omitSignatureParameter: boolean): string {
  if (rawQuery === '') return '';
  const names: string[] = [];
  const values: string[] = [];
  // Clients sort their queries when signing: for those the canonical query is built as the pairs
  // come, without a sort or its index array.
  let sorted = true;
  let canonical = '';
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = canonicalQueryComponent(equals === -1 ? part : part.slice(0, equals));
    // Presign parameter names are matched case-insensitively, as S3 does.
    if (omitSignatureParameter && name.length === SIGNATURE_PARAMETER.length && name.toLowerCase() === SIGNATURE_PARAMETER) continue;
    const value = equals === -1 ? '' : canonicalQueryComponent(part.slice(equals + 1));
    const last = names.length - 1;
    if (sorted && last >= 0 && (compare(names[last], name) || compare(values[last], value)) > 0) sorted = false;
    names.push(name);
    values.push(value);
    if (sorted) canonical += `${last === -1 ? '' : '&'}${name}=${value}`;
  }
  if (sorted) return canonical;
  // By name, then value: sorting the joined "name=value" text would put "k=" after "k-x=".
  const order = names.map((_, index) => index).sort((a, b) => compare(names[a], names[b]) || compare(values[a], values[b]));
  canonical = '';
  for (let i = 0; i < order.length; i++) canonical += `${i === 0 ? '' : '&'}${names[order[i]]}=${values[order[i]]}`;
  return canonical;
}

const SIGNATURE_PARAMETER = 'x-amz-signature';

/** A query component as it is signed: most already are (the clients encode them so), and are kept without a trip through bytes. */
function canonicalQueryComponent(raw: string): string {
  return isCanonicalComponent(raw) ? raw : uriEncode(percentDecode(raw, true));
}

/**
 * Whether `raw` is already in the strict encoding, so that decoding and re-encoding it would give
 * it back: only unreserved characters and `%XX` escapes (upper-case hex) of bytes that are not
 * unreserved. A `+` (a space in a query), a lower-case escape or a stray `%` is not.
 */
function isCanonicalComponent(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (isUnreserved(code)) continue;
    if (code !== 0x25 || i + 2 >= raw.length) return false;
    const high = upperHexValue(raw.charCodeAt(i + 1));
    const low = upperHexValue(raw.charCodeAt(i + 2));
    if (high === -1 || low === -1 || isUnreserved(high * 16 + low)) return false;
    i += 2;
  }
  return true;
}

/** The value of an upper-case hex digit's char code, or -1 (the strict encoding writes escapes in upper case). */
function upperHexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/** Trimmed, with runs of spaces and tabs collapsed to one space; repeated headers joined with ','. */
export function canonicalHeaderValue(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined.trim().replace(/[ \t]+/g, ' ');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
