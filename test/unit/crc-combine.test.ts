import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createChecksum } from '../../src/auth/checksums.js';
import { combineCrcs, type CombinableAlgorithm } from '../../src/auth/crc-combine.js';

async function crcOf(algorithm: CombinableAlgorithm, pieces: readonly Uint8Array[]): Promise<string> {
  const checksum = createChecksum(algorithm);
  for (const piece of pieces) checksum.update(Buffer.from(piece));
  return checksum.digestBase64();
}

describe('combineCrcs: the CRC of a concatenation from its pieces’ CRCs and lengths', () => {
  const algorithms: CombinableAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME'];

  test.each(algorithms)('%s: equals the CRC of the concatenated bytes (checked against the hashing packages)', async (algorithm) => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }), async (pieces) => {
        const parts = await Promise.all(pieces.map(async (piece) => ({ checksum: await crcOf(algorithm, [piece]), size: piece.length })));
        expect(combineCrcs(algorithm, parts)).toBe(await crcOf(algorithm, pieces));
      }),
      { numRuns: 200 },
    );
  });

  test('"123456789" in three pieces combines to the published CRC-64/NVME check value ae8b14860a799888', async () => {
    const pieces = ['1234', '5', '6789'].map((text) => Buffer.from(text));
    const parts = await Promise.all(pieces.map(async (piece) => ({ checksum: await crcOf('CRC64NVME', [piece]), size: piece.length })));
    expect(Buffer.from(combineCrcs('CRC64NVME', parts), 'base64').toString('hex')).toBe('ae8b14860a799888');
  });

  test('no pieces, and pieces of zero bytes, give the CRC of nothing', async () => {
    expect(combineCrcs('CRC64NVME', [])).toBe(await crcOf('CRC64NVME', []));
    const empty = await crcOf('CRC64NVME', [new Uint8Array(0)]);
    expect(combineCrcs('CRC64NVME', [{ checksum: empty, size: 0 }, { checksum: empty, size: 0 }])).toBe(empty);
  });

  test('parts of multipart size (5 MiB + 1 byte, then 3 bytes) combine like the whole object', async () => {
    const first = Buffer.alloc(5 * 1024 * 1024 + 1, 0x5a);
    const second = Buffer.from('end');
    const parts = [
      { checksum: await crcOf('CRC64NVME', [first]), size: first.length },
      { checksum: await crcOf('CRC64NVME', [second]), size: second.length },
    ];
    expect(combineCrcs('CRC64NVME', parts)).toBe(await crcOf('CRC64NVME', [first, second]));
  });
});
