/**
 * The five "flexible checksum" algorithms S3 accepts (x-amz-checksum-*), as incremental hashers.
 * CRC32 comes from Node's zlib, CRC32C from the AWS-maintained package the SDKs themselves use,
 * CRC64NVME from ./crc64-nvme.ts (tested against the SDKs' package; 3.2× its speed, and S3
 * computes it for every upload without a checksum), SHA-1/SHA-256 from node:crypto.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import { Crc64Nvme } from './crc64-nvme.js';

// Loaded on first use (synchronously, it is CommonJS): most runs never see this algorithm.
const require = createRequire(import.meta.url);
let crc32cModule: typeof import('@aws-crypto/crc32c') | undefined;

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/**
 * The checksum S3 stores (FULL_OBJECT) for an object uploaded without one, by PutObject,
 * PostObject, CompleteMultipartUpload and CopyObject, and returns with `x-amz-checksum-mode:
 * ENABLED` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Checksum.html, ChecksumCRC64NVME).
 */
export const DEFAULT_CHECKSUM_ALGORITHM = 'CRC64NVME' satisfies ChecksumAlgorithm;

export interface Checksum {
  update(chunk: Buffer): void;
  /** Async since the former CRC64NVME package digested asynchronously; every algorithm here is synchronous now. */
  digestBase64(): Promise<string>;
}

/** Length in bytes of each algorithm's digest: a header value must decode to exactly this. */
const DIGEST_LENGTH: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'CRC32':
      return createCrc32();
    case 'CRC32C':
      return createCrc32c();
    case 'CRC64NVME':
      return createCrc64Nvme();
    case 'SHA1':
      return createDigest('sha1');
    case 'SHA256':
      return createDigest('sha256');
  }
}

/** `x-amz-checksum-crc32` … : the header (and trailer) that carries the algorithm's value. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The algorithm whose value a header or trailer named `name` carries, if any (case-insensitive). */
export function checksumAlgorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  const lower = name.toLowerCase();
  return CHECKSUM_ALGORITHMS.find((algorithm) => checksumHeaderName(algorithm) === lower);
}

/** Parses an algorithm name as sent in `x-amz-sdk-checksum-algorithm` (case-insensitive). */
export function parseChecksumAlgorithm(value: string): ChecksumAlgorithm | undefined {
  const upper = value.trim().toUpperCase();
  return CHECKSUM_ALGORITHMS.find((algorithm) => algorithm === upper);
}

/** True when `value` is canonical base64 of exactly one digest of `algorithm` (S3 rejects anything else). */
export function isChecksumValue(algorithm: ChecksumAlgorithm, value: string): boolean {
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === DIGEST_LENGTH[algorithm] && bytes.toString('base64') === value;
}

function createCrc32(): Checksum {
  let value = 0;
  return {
    update: (chunk) => {
      value = crc32(chunk, value);
    },
    digestBase64: async () => uint32Base64(value),
  };
}

function createCrc32c(): Checksum {
  crc32cModule ??= require('@aws-crypto/crc32c') as typeof import('@aws-crypto/crc32c');
  const crc = new crc32cModule.Crc32c();
  return {
    update: (chunk) => {
      crc.update(chunk);
    },
    digestBase64: async () => uint32Base64(crc.digest()),
  };
}

function createCrc64Nvme(): Checksum {
  const crc = new Crc64Nvme();
  return {
    update: (chunk) => crc.update(chunk),
    digestBase64: async () => crc.digest().toString('base64'),
  };
}

function createDigest(name: 'sha1' | 'sha256'): Checksum {
  const hash = createHash(name);
  return {
    update: (chunk) => {
      hash.update(chunk);
    },
    digestBase64: async () => hash.digest('base64'),
  };
}

/** CRCs are sent big-endian, as the 4 bytes of the unsigned value. */
function uint32Base64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString('base64');
}
