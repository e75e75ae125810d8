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
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '%' && isHexDigit(text[i + 1]) && isHexDigit(text[i + 2])) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (char === '+' && plusIsSpace) {
      bytes.push(0x20);
    } else {
      // Whole code points, so characters outside the BMP encode as their UTF-8 bytes.
      const piece = String.fromCodePoint(text.codePointAt(i) ?? 0);
      bytes.push(...Buffer.from(piece, 'utf8'));
      i += piece.length - 1;
    }
  }
  return Buffer.from(bytes);
}

/** Splits a raw query into decoded [name, value] pairs, in order; a bare `name` has the value ''. */
export function parseQuery(rawQuery: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? '' : part.slice(equals + 1);
    pairs.push([percentDecode(name, true).toString('utf8'), percentDecode(value, true).toString('utf8')]);
  }
  return pairs;
}

function isUnreserved(byte: number): boolean {
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

function isHexDigit(char: string | undefined): boolean {
  return char !== undefined && /^[0-9A-Fa-f]$/.test(char);
}
