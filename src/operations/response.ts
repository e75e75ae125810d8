/** Building blocks of the response values handlers return (see S3Response in types.ts). */
import type { S3Response } from './types.js';

/** A 200 (or `status`) answer carrying an XML document. */
export function xmlResponse(document: string, headers: Readonly<Record<string, string>> = {}, status = 200): S3Response {
  return { status, headers: { ...headers, 'Content-Type': 'application/xml' }, body: document };
}

/**
 * The response headers that report a checksum: `x-amz-checksum-<algorithm>` with its base64
 * value (an object's or a part's), or, without a value, `x-amz-checksum-algorithm` (what an
 * upload's parts carry); then `x-amz-checksum-type` when the type is given. None for no checksum.
 */
export function checksumHeaders(checksum: { algorithm: string; value?: string; type?: string } | undefined): Record<string, string> {
  if (!checksum) return {};
  const headers: Record<string, string> =
    checksum.value === undefined
      ? { 'x-amz-checksum-algorithm': checksum.algorithm }
      : { [`x-amz-checksum-${checksum.algorithm.toLowerCase()}`]: checksum.value };
  if (checksum.type !== undefined) headers['x-amz-checksum-type'] = checksum.type;
  return headers;
}
