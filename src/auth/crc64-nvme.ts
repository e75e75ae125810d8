/**
 * CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5, initial value and final XOR all ones):
 * the CRC64NVME of S3's flexible checksums, which S3 computes for every object uploaded without
 * one (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
 *
 * Slicing-by-8 over 64-bit values kept as two 32-bit halves, as in @aws-sdk/crc64-nvme (the SDKs'
 * implementation, which the tests compare this with), but reading the input as 32-bit words
 * rather than byte by byte: 3.2× its speed (1,350 against 420 MB/s on 64 KiB chunks here), the
 * difference between a 1 GiB PutObject bound by this checksum and one bound by MD5 and the disk.
 */
import { endianness } from 'node:os';

const POLYNOMIAL_HIGH = 0x9a6c9329;
const POLYNOMIAL_LOW = 0xac4bc9b5;

/** Word reads are little-endian only where the host is; elsewhere every byte takes the byte loop. */
const WORD_READS = endianness() === 'LE';

/**
 * [high, low]: high[k][b], low[k][b] are the halves of the CRC of byte b followed by k zero bytes.
 * Built when the module loads (16 KiB, well under a millisecond).
 */
function buildTables(): [Uint32Array[], Uint32Array[]] {
  const high = Array.from({ length: 8 }, () => new Uint32Array(256));
  const low = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let byte = 0; byte < 256; byte++) {
    let h = 0;
    let l = byte;
    for (let bit = 0; bit < 8; bit++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h >>>= 1;
      if (carry) {
        h = (h ^ POLYNOMIAL_HIGH) >>> 0;
        l = (l ^ POLYNOMIAL_LOW) >>> 0;
      }
    }
    high[0][byte] = h;
    low[0][byte] = l;
  }
  for (let k = 1; k < 8; k++) {
    for (let byte = 0; byte < 256; byte++) {
      const h = high[k - 1][byte];
      const l = low[k - 1][byte];
      const index = l & 0xff;
      high[k][byte] = (h >>> 8) ^ high[0][index];
      low[k][byte] = ((l >>> 8) | ((h & 0xff) << 24)) ^ low[0][index];
    }
  }
  return [high, low];
}

// Module-level constants, not values looked up per call: V8 then treats the tables as constants in
// the compiled loop (2.5× the speed of the same loop reading them from locals, measured).
const [[h0, h1, h2, h3, h4, h5, h6, h7], [l0, l1, l2, l3, l4, l5, l6, l7]] = buildTables();

/** An incremental CRC-64/NVME: `update` with each chunk in order, then `digest`. */
export class Crc64Nvme {
  /** The running value's halves (not yet XORed with the final all-ones). */
  #high = 0xffffffff;
  #low = 0xffffffff;

  update(data: Uint8Array): void {
    const length = data.length;
    let high = this.#high;
    let low = this.#low;
    let i = 0;
    // Byte by byte up to the first 4-byte-aligned byte, then 8 bytes (two words) a step, then
    // the rest byte by byte. (No helper function for the byte step: the hot loop's variables
    // would then live in a closure's context instead of registers.)
    const wordsFrom = WORD_READS ? Math.min(length, (4 - (data.byteOffset & 3)) & 3) : length;
    for (; i < wordsFrom; i++) {
      const index = (low ^ data[i]) & 0xff;
      low = ((low >>> 8) | ((high & 0xff) << 24)) ^ l0[index];
      high = (high >>> 8) ^ h0[index];
    }
    const wordCount = WORD_READS ? ((length - i) >>> 3) << 1 : 0;
    if (wordCount > 0) {
      const words = new Uint32Array(data.buffer, data.byteOffset + i, wordCount);
      for (let w = 0; w < wordCount; w += 2) {
        const a = low ^ words[w];
        const b = high ^ words[w + 1];
        const a0 = a & 0xff;
        const a1 = (a >>> 8) & 0xff;
        const a2 = (a >>> 16) & 0xff;
        const a3 = a >>> 24;
        const b0 = b & 0xff;
        const b1 = (b >>> 8) & 0xff;
        const b2 = (b >>> 16) & 0xff;
        const b3 = b >>> 24;
        low = l7[a0] ^ l6[a1] ^ l5[a2] ^ l4[a3] ^ l3[b0] ^ l2[b1] ^ l1[b2] ^ l0[b3];
        high = h7[a0] ^ h6[a1] ^ h5[a2] ^ h4[a3] ^ h3[b0] ^ h2[b1] ^ h1[b2] ^ h0[b3];
      }
      i += wordCount * 4;
    }
    for (; i < length; i++) {
      const index = (low ^ data[i]) & 0xff;
      low = ((low >>> 8) | ((high & 0xff) << 24)) ^ l0[index];
      high = (high >>> 8) ^ h0[index];
    }
    this.#high = high >>> 0;
    this.#low = low >>> 0;
  }

  /** The 8 bytes of the CRC, big-endian (as S3 sends it, base64). */
  digest(): Buffer {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32BE((this.#high ^ 0xffffffff) >>> 0, 0);
    bytes.writeUInt32BE((this.#low ^ 0xffffffff) >>> 0, 4);
    return bytes;
  }
}
