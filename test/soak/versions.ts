/**
 * Object bodies that name their own version: `KEY|VERSION|` followed by bytes derived from the
 * version, so that a GET proves which single write it returns and that it returns all of it.
 */
import { createHash } from 'node:crypto';

/** 5 MiB: the smallest part that may be followed by another. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** The body of `version` of `key`, `size` bytes (at least its `KEY|VERSION|` header). */
export function bodyOf(key: string, version: number, size: number): Buffer {
  const head = Buffer.from(`${key}|${version}|`);
  const body = Buffer.alloc(Math.max(size, head.length));
  head.copy(body);
  let state = (version * 2654435761) >>> 0 || 1;
  for (let i = head.length; i < body.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    body[i] = state & 0xff;
  }
  return body;
}

/** The version a body claims to be, if it has the header of `key`. */
export function versionOf(key: string, body: Buffer): number | undefined {
  const prefix = `${key}|`;
  if (body.subarray(0, prefix.length).toString() !== prefix) return undefined;
  const end = body.indexOf('|', prefix.length);
  const version = Number(body.subarray(prefix.length, end).toString());
  return end === -1 || !Number.isSafeInteger(version) ? undefined : version;
}

export function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** What was written: every version ever sent for a key, acknowledged or not, with its size. */
export class VersionLog {
  readonly #sizes = new Map<number, { key: string; size: number }>();
  #next = 1;

  /** A new version of `key` about to be written, of `size` bytes (or its header's, if longer). */
  issue(key: string, size: number): number {
    const version = this.#next++;
    this.#sizes.set(version, { key, size: Math.max(size, Buffer.byteLength(`${key}|${version}|`)) });
    return version;
  }

  /**
   * Why `body` (read back as `key`) is not exactly one written version, or undefined when it is:
   * the header must name a version written for this key, and every byte must be that version's.
   */
  problemWith(key: string, body: Buffer): string | undefined {
    const version = versionOf(key, body);
    if (version === undefined) return `${key}: body names no version (${body.length} bytes: ${JSON.stringify(body.subarray(0, 40).toString('latin1'))})`;
    const written = this.#sizes.get(version);
    if (written?.key !== key) return `${key}: body is version ${version}, never written for this key`;
    if (!bodyOf(key, version, written.size).equals(body)) return `${key}: version ${version} is torn (${body.length} of ${written.size} bytes, or different bytes)`;
    return undefined;
  }

  sizeOf(version: number): number {
    return this.#sizes.get(version)!.size;
  }
}
