/**
 * The checksums of multipart uploads: which algorithm and type an upload is created with, and
 * the object checksum its completion yields. COMPOSITE: the algorithm over the concatenated
 * binary part checksums, then `-N`. FULL_OBJECT (CRC32, CRC32C, CRC64NVME): the algorithm over
 * the whole object's bytes, combined from the parts' CRCs and sizes (crc-combine.ts) so that
 * completion reads no part again; a part without a stored CRC (uploaded by an older version) is
 * read once. An upload created without an algorithm completes to S3's default, a FULL_OBJECT
 * CRC64NVME, the same way from the CRC64NVMEs its parts keep.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { headerValue } from '../s3/headers.js';
import { S3Error } from '../s3/s3-error.js';
import {
  CHECKSUM_ALGORITHMS,
  createChecksum,
  isChecksumValue,
  parseChecksumAlgorithm,
  type ChecksumAlgorithm,
} from '../auth/checksums.js';
import { combineCrcs, type CombinableAlgorithm } from '../auth/crc-combine.js';
import type { ChecksumType, PartRecord } from '../store/types.js';

export interface UploadChecksum {
  algorithm: ChecksumAlgorithm;
  type: ChecksumType;
}

/** Whether `type` can be made with `algorithm`: only CRCs combine to FULL_OBJECT, and CRC64NVME has no COMPOSITE. */
function typeSupports(type: ChecksumType, algorithm: ChecksumAlgorithm): boolean {
  return type === 'FULL_OBJECT' ? algorithm.startsWith('CRC') : algorithm !== 'CRC64NVME';
}

/** CreateMultipartUpload's `x-amz-checksum-algorithm` and `x-amz-checksum-type`, with S3's defaults and refusals. */
export function uploadChecksumFrom(headers: IncomingHttpHeaders): UploadChecksum | undefined {
  const algorithmHeader = headerValue(headers, 'x-amz-checksum-algorithm');
  const typeHeader = headerValue(headers, 'x-amz-checksum-type');
  if (algorithmHeader === undefined) {
    if (typeHeader !== undefined) {
      throw new S3Error('InvalidRequest', 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    }
    return undefined;
  }
  const algorithm = parseChecksumAlgorithm(algorithmHeader);
  if (!algorithm) {
    throw new S3Error(
      'InvalidRequest',
      `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${CHECKSUM_ALGORITHMS.join(', ')}]`,
    );
  }
  let type: ChecksumType = algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
  if (typeHeader !== undefined) {
    const upper = typeHeader.trim().toUpperCase();
    if (upper !== 'FULL_OBJECT' && upper !== 'COMPOSITE') throw new S3Error('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
    type = upper;
  }
  if (!typeSupports(type, algorithm)) {
    throw new S3Error('InvalidRequest', `The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
  return { algorithm, type };
}

/** COMPOSITE: the algorithm over the concatenated binary part checksums, base64, then `-<part count>`. */
export async function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: readonly string[]): Promise<string> {
  const checksum = createChecksum(algorithm);
  for (const value of partChecksums) checksum.update(Buffer.from(value, 'base64'));
  return `${await checksum.digestBase64()}-${partChecksums.length}`;
}

/**
 * FULL_OBJECT: the CRC of the parts' concatenated bytes, from each part's CRC (`crcOf`) and size;
 * `openPart` streams a part whose CRC is not known.
 */
export async function fullObjectChecksum(
  algorithm: CombinableAlgorithm,
  parts: readonly PartRecord[],
  crcOf: (part: PartRecord) => string | undefined,
  openPart: (part: PartRecord) => Promise<Readable>,
): Promise<string> {
  const pieces: Array<{ checksum: string; size: number }> = [];
  for (const part of parts) pieces.push({ checksum: crcOf(part) ?? (await streamChecksum(algorithm, await openPart(part))), size: part.size });
  return combineCrcs(algorithm, pieces);
}

/** The algorithm over every byte of `data` (FULL_OBJECT, and a part sent without its checksum). */
export async function streamChecksum(algorithm: ChecksumAlgorithm, data: Readable): Promise<string> {
  const checksum = createChecksum(algorithm);
  for await (const chunk of data) checksum.update(chunk as Buffer);
  return checksum.digestBase64();
}

/**
 * The whole-object checksum a CompleteMultipartUpload may carry in `x-amz-checksum-<alg>`,
 * checked against the computed one: malformed → InvalidRequest, different → BadDigest. A
 * COMPOSITE value may omit its `-N`; when present, N must be the part count.
 */
export function verifyObjectChecksumHeader(headers: IncomingHttpHeaders, upload: UploadChecksum, computed: string): void {
  const name = `x-amz-checksum-${upload.algorithm.toLowerCase()}`;
  const sent = headerValue(headers, name);
  if (sent === undefined) return;
  const [value, count, ...rest] = sent.split('-');
  const wellFormed =
    isChecksumValue(upload.algorithm, value) &&
    rest.length === 0 &&
    (count === undefined || (upload.type === 'COMPOSITE' && /^\d+$/.test(count)));
  if (!wellFormed) throw new S3Error('InvalidRequest', `Value for ${name} header is invalid.`);
  const expected = count === undefined ? computed.split('-')[0] : computed;
  if (sent !== expected) {
    throw new S3Error('BadDigest', `The ${upload.algorithm.toLowerCase()} you specified did not match the calculated checksum.`);
  }
}

/** Passes `source` through unchanged, feeding every chunk to `update` (errors pass through too). */
export function tap(source: AsyncIterable<Buffer>, update: (chunk: Buffer) => void): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      update(chunk);
      yield chunk;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
