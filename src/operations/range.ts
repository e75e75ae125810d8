import { S3Error } from '../s3/s3-error.js';
import type { ByteRange } from '../store/types.js';

/**
 * Parses a Range header against an object size as S3 does: `bytes=a-b`, `a-`, `-n`; an end
 * past the object is clamped; an unsatisfiable range is 416 InvalidRange; a header S3 cannot
 * use (other units, several ranges, garbage) is ignored and the whole object is sent.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const unsatisfiable = () =>
    new S3Error('InvalidRange', undefined, { RangeRequested: header, ActualObjectSize: size }, { headers: { 'Content-Range': `bytes */${size}` } });

  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end };
}
