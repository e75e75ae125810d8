import { randomBytes } from 'node:crypto';
import { Crc64Nvme as SdkCrc64Nvme } from '@aws-sdk/crc64-nvme';
import { describe, expect, test } from 'vitest';
import { Crc64Nvme } from '../../src/auth/crc64-nvme.js';

/** The SDKs' implementation (@aws-sdk/crc64-nvme, pure JS without the CRT), the reference. */
async function reference(pieces: readonly Uint8Array[]): Promise<string> {
  const crc = new SdkCrc64Nvme();
  for (const piece of pieces) crc.update(piece);
  return Buffer.from(await crc.digest()).toString('hex');
}

function ours(pieces: readonly Uint8Array[]): string {
  const crc = new Crc64Nvme();
  for (const piece of pieces) crc.update(piece);
  return crc.digest().toString('hex');
}

describe('CRC-64/NVME', () => {
  test('of "123456789" is the published check value, and of nothing is 0', () => {
    expect(ours([Buffer.from('123456789')])).toBe('ae8b14860a799888');
    expect(ours([])).toBe('0000000000000000');
  });

  test('equals the SDKs\' value at every alignment and length, in one piece or many', async () => {
    // A buffer whose views start at every offset mod 8 and end at every length mod 8, so each
    // piece takes the byte loop before, between and after the word loop in every combination.
    const data = randomBytes(4096 + 64);
    for (let offset = 0; offset < 8; offset++) {
      for (const length of [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 63, 1000, 4096]) {
        const view = data.subarray(offset, offset + length);
        expect(ours([view])).toBe(await reference([view]));
      }
    }
    const pieces = [];
    for (let at = 0, size = 1; at + size <= data.length; at += size, size = (size * 7 + 3) % 301) pieces.push(data.subarray(at, at + size));
    expect(ours(pieces)).toBe(await reference(pieces));
    expect(ours(pieces)).toBe(ours([Buffer.concat(pieces)]));
  });
});
