/**
 * The CRC of a concatenation from the CRCs of its pieces and their lengths, without their bytes:
 * CRC(A‖B) = CRC(A)·x^(8·|B|) mod P ⊕ CRC(B), for the reflected CRCs S3 uses (init and final
 * XOR all ones, which cancel out of the sum). This is zlib's `crc32_combine` method (Mark
 * Adler, zlib `crc32.c`: multiply modulo P, x^(2^k) from a table of squares), written for any
 * width with BigInt. The hashing itself stays with the packages the SDKs use (checksums.ts);
 * the property tests check every result against them.
 *
 * Why: a multipart object's FULL_OBJECT checksum then comes from its parts' checksums at
 * CompleteMultipartUpload, instead of reading every part again (S3's CRCs are linear; AWS's
 * user guide "Checking object integrity", full object checksums for multipart uploads).
 */
import type { ChecksumAlgorithm } from './checksums.js';

interface CrcSpec {
  width: bigint;
  /** The reflected generator polynomial. */
  polynomial: bigint;
}

/** CRC-32 (0x04C11DB7), CRC-32C (0x1EDC6F41), CRC-64/NVME (0xAD93D23594C93659), reflected. */
const SPECS = {
  CRC32: { width: 32n, polynomial: 0xedb88320n },
  CRC32C: { width: 32n, polynomial: 0x82f63b78n },
  CRC64NVME: { width: 64n, polynomial: 0x9a6c9329ac4bc9b5n },
} satisfies Partial<Record<ChecksumAlgorithm, CrcSpec>>;

export type CombinableAlgorithm = keyof typeof SPECS;

/** `a·b mod P`, both in the reflected representation (the top bit is x^0). */
function multiplyModP(spec: CrcSpec, a: bigint, b: bigint): bigint {
  let m = 1n << (spec.width - 1n);
  let product = 0n;
  while (m !== 0n) {
    if (a & m) {
      product ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ spec.polynomial : b >> 1n;
  }
  return product;
}

/** x^(2^k) mod P for k = 0…63: squares of x, so x^(8n) takes one product per set bit of 8n. */
const squaresCache = new Map<CrcSpec, bigint[]>();
function squaresOf(spec: CrcSpec): bigint[] {
  let squares = squaresCache.get(spec);
  if (!squares) {
    squares = [1n << (spec.width - 2n)];
    for (let k = 1; k < 64; k++) squares.push(multiplyModP(spec, squares[k - 1], squares[k - 1]));
    squaresCache.set(spec, squares);
  }
  return squares;
}

/** x^(8·bytes) mod P: appending `bytes` zero bytes multiplies a CRC by this. */
function shiftFor(spec: CrcSpec, bytes: number): bigint {
  const squares = squaresOf(spec);
  let bits = BigInt(bytes) * 8n;
  let result = 1n << (spec.width - 1n);
  for (let k = 0; bits !== 0n; k++, bits >>= 1n) {
    if (bits & 1n) result = multiplyModP(spec, squares[k], result);
  }
  return result;
}

function toBigInt(base64: string): bigint {
  return BigInt(`0x${Buffer.from(base64, 'base64').toString('hex') || '0'}`);
}

function toBase64(spec: CrcSpec, value: bigint): string {
  return Buffer.from(value.toString(16).padStart(Number(spec.width / 4n), '0'), 'hex').toString('base64');
}

/**
 * The CRC (base64, big-endian as S3 sends it) of the concatenation of pieces whose CRCs and
 * lengths in bytes are given, in order. An empty list gives the CRC of no bytes.
 */
export function combineCrcs(algorithm: CombinableAlgorithm, pieces: ReadonlyArray<{ checksum: string; size: number }>): string {
  const spec: CrcSpec = SPECS[algorithm];
  // The CRC of zero bytes is 0 for these CRCs (init and final XOR both all ones).
  let crc = 0n;
  // Parts mostly share one size: each size's shift is computed once.
  const shifts = new Map<number, bigint>();
  for (const piece of pieces) {
    let shift = shifts.get(piece.size);
    if (shift === undefined) shifts.set(piece.size, (shift = shiftFor(spec, piece.size)));
    crc = multiplyModP(spec, shift, crc) ^ toBigInt(piece.checksum);
  }
  return toBase64(spec, crc);
}
