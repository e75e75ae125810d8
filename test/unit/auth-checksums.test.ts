import { describe, expect, test } from 'vitest';
import {
  CHECKSUM_ALGORITHMS,
  checksumAlgorithmOfHeader,
  checksumHeaderName,
  createChecksum,
  isChecksumValue,
  parseChecksumAlgorithm,
  type ChecksumAlgorithm,
} from '../../src/auth/checksums.js';

async function digest(algorithm: ChecksumAlgorithm, pieces: Buffer[]): Promise<string> {
  const checksum = createChecksum(algorithm);
  for (const piece of pieces) checksum.update(piece);
  return Buffer.from(await checksum.digestBase64(), 'base64').toString('hex');
}

describe('checksums', () => {
  // The published check values: each algorithm's digest of the ASCII string "123456789".
  test.each<[ChecksumAlgorithm, string]>([
    ['CRC32', 'cbf43926'],
    ['CRC32C', 'e3069283'],
    ['CRC64NVME', 'ae8b14860a799888'],
    ['SHA1', 'f7c3bc1d808e04732adf679965ccc34ca7ae3441'],
    ['SHA256', '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225'],
  ])('%s of "123456789" is %s, in one piece or several', async (algorithm, check) => {
    const data = Buffer.from('123456789');
    expect(await digest(algorithm, [data])).toBe(check);
    expect(await digest(algorithm, [data.subarray(0, 4), Buffer.alloc(0), data.subarray(4, 5), data.subarray(5)])).toBe(check);
  });

  test('CRC32 of "hello world" is 0d4a1185 (DUoRhQ==), and of nothing is AAAAAA==', async () => {
    const checksum = createChecksum('CRC32');
    checksum.update(Buffer.from('hello world'));
    expect(await checksum.digestBase64()).toBe('DUoRhQ==');
    expect(await createChecksum('CRC32').digestBase64()).toBe('AAAAAA==');
  });

  test('header names and algorithm names map both ways, in any letter case', () => {
    expect(CHECKSUM_ALGORITHMS.map(checksumHeaderName)).toEqual([
      'x-amz-checksum-crc32',
      'x-amz-checksum-crc32c',
      'x-amz-checksum-crc64nvme',
      'x-amz-checksum-sha1',
      'x-amz-checksum-sha256',
    ]);
    expect(checksumAlgorithmOfHeader('X-Amz-Checksum-CRC64NVME')).toBe('CRC64NVME');
    expect(checksumAlgorithmOfHeader('x-amz-checksum-type')).toBeUndefined();
    expect(checksumAlgorithmOfHeader('x-amz-checksum-md5')).toBeUndefined();
    expect(parseChecksumAlgorithm('crc32c')).toBe('CRC32C');
    expect(parseChecksumAlgorithm('Sha256')).toBe('SHA256');
    expect(parseChecksumAlgorithm('MD5')).toBeUndefined();
  });

  test('a value must be canonical base64 of one digest', () => {
    expect(isChecksumValue('CRC32', 'DUoRhQ==')).toBe(true);
    expect(isChecksumValue('CRC32', 'DUoRhQ')).toBe(false);
    expect(isChecksumValue('CRC32', '0d4a1185')).toBe(false);
    expect(isChecksumValue('CRC32C', 'AAAAAAAAAAA=')).toBe(false);
    expect(isChecksumValue('CRC64NVME', 'rosUhgp5mIg=')).toBe(true);
    expect(isChecksumValue('SHA256', '')).toBe(false);
  });
});
