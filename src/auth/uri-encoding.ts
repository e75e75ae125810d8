/**
 * Percent-encoding with S3's strict SigV4 rule, and lenient percent-decoding to bytes, so that
 * a path or query decoded and re-encoded comes out canonical whatever escapes the client chose.
 */

const HEX = '0123456789ABCDEF';

/** The strict S3 rule: unreserved bytes (A-Z a-z 0-9 - . _ ~) kept, every other byte as upper-case %XX. */
export function uriEncode(bytes: Buffer): string {
  let encoded = '';
  for (const byte of bytes) {
    encoded += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return encoded;
}

/** The same rule applied to text (as UTF-8), keeping `/` when asked: for building request paths. */
export function uriEncodeText(text: string, keepSlash: boolean): string {
  if (!keepSlash) return uriEncode(Buffer.from(text, 'utf8'));
  return text
    .split('/')
    .map((segment) => uriEncode(Buffer.from(segment, 'utf8')))
    .join('/');
}

/**
 * Decodes to bytes, not to a string, so any byte sequence survives the round trip. A `%` that does
 * not start a valid escape stays a literal `%` (which then encodes as %25). In queries `+` is a space.
 */
export function percentDecode(text: string, plusIsSpace: boolean): Buffer {
  if (!text.includes('%') && !(plusIsSpace && text.includes('+'))) return Buffer.from(text, 'utf8');
  // `%`, `+` and hex digits are ASCII, so they are the same single bytes in the UTF-8 encoding:
  // decoding the bytes in place needs no per-character work (this runs on every query parameter).
  const source = Buffer.from(text, 'utf8');
  const decoded = Buffer.allocUnsafe(source.length);
  let length = 0;
  for (let i = 0; i < source.length; i++) {
    const byte = source[i];
    const high = byte === 0x25 && i + 2 < source.length ? hexValue(source[i + 1]) : -1;
    const low = high === -1 ? -1 : hexValue(source[i + 2]);
    if (low !== -1) {
      decoded[length++] = high * 16 + low;
      i += 2;
    } else {
      decoded[length++] = byte === 0x2b && plusIsSpace ? 0x20 : byte;
    }
  }
  return decoded.subarray(0, length);
}

/** Splits a raw query into decoded [name, value] pairs, in order; a bare `name` has the value ''. */
export function parseQuery(rawQuery: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? '' : part.slice(equals + 1);
    pairs.push([decodeQueryComponent(name), decodeQueryComponent(value)]);
  }
  return pairs;
}

/**
 * Most query components need no decoding; most others are valid escapes of UTF-8, which
 * decodeURIComponent decodes as the trip through bytes does, without a buffer. It throws on the
 * rest (a stray `%`, escapes that are not UTF-8): those take the trip, which keeps them.
 */
function decodeQueryComponent(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return percentDecode(text, true).toString('utf8');
  }
}

/** Whether a byte (or a char code) is unreserved: A-Z a-z 0-9 - . _ ~, which the strict encoding keeps as is. */
export function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

/** The value of an ASCII hex digit byte, or -1. */
function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}
