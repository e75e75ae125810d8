import type { Readable } from 'node:stream';
import { S3Error } from '../s3/s3-error.js';

/**
 * Reads a request document (XML of DeleteObjects, CompleteMultipartUpload …) into memory,
 * refusing more than `limit` bytes: these are small by S3's own rules, never object bodies. The
 * bytes are returned as they came: decoding them is the XML parser's (it refuses invalid UTF-8).
 */
export async function readSmallBody(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      stream.destroy();
      throw new S3Error('MalformedXML');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
