import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/index.js';
import { clientFor } from '../helpers.js';

const FIXTURES = new URL('../../fixtures/seed/', import.meta.url).pathname;
const running: Emulator[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startEmulator>[0]): Promise<Emulator> {
  const emulator = await startEmulator(options);
  running.push(emulator);
  return emulator;
}

describe('seeding buckets from a directory at start', () => {
  it('uploads the tree: keys are relative paths with /, content types from file names, ETags the MD5 of each file', async () => {
    const emulator = await start({ buckets: ['fixtures', 'empty-one'], seed: { fixtures: FIXTURES } });
    const s3 = clientFor(emulator.env('fixtures'));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'fixtures' }));
    const expected: Array<[string, string]> = [
      ['data/nested/table.csv', 'text/csv'],
      ['data/report.json', 'application/json'],
      ['hello.txt', 'text/plain'],
      ['images/pixel.svg', 'image/svg+xml'],
    ];
    expect(listed.Contents!.map((o) => o.Key)).toEqual(expected.map(([key]) => key));
    for (const [key, contentType] of expected) {
      const bytes = readFileSync(join(FIXTURES, key));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'fixtures', Key: key, ChecksumMode: 'ENABLED' }));
      expect(got.ContentType).toBe(contentType);
      expect(got.ETag).toBe(`"${createHash('md5').update(bytes).digest('hex')}"`);
      // S3's default checksum, as an upload of the same bytes gets it (see default-checksum.test.ts).
      const crc = new Crc64Nvme();
      crc.update(bytes);
      expect(got.ChecksumCRC64NVME).toBe(Buffer.from(await crc.digest()).toString('base64'));
      expect(got.ChecksumType).toBe('FULL_OBJECT');
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    }
    const empty = await clientFor(emulator.env('empty-one')).send(new ListObjectsV2Command({ Bucket: 'empty-one' }));
    expect(empty.KeyCount).toBe(0);
  });

  it('gives unknown extensions application/octet-stream, follows symlinked files, and seeds an empty directory to nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smll-seed-test-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'blob.unknownext'), 'x');
    symlinkSync(join(FIXTURES, 'hello.txt'), join(dir, 'linked.txt'));
    mkdirSync(join(dir, 'empty-dir'));
    const emulator = await start({ buckets: ['misc-bucket'], seed: { 'misc-bucket': dir } });
    const s3 = clientFor(emulator.env('misc-bucket'));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'misc-bucket' }));
    expect(listed.Contents!.map((o) => o.Key)).toEqual(['blob.unknownext', 'linked.txt']);
    const blob = await s3.send(new GetObjectCommand({ Bucket: 'misc-bucket', Key: 'blob.unknownext' }));
    expect(blob.ContentType).toBe('application/octet-stream');
    const linked = await s3.send(new GetObjectCommand({ Bucket: 'misc-bucket', Key: 'linked.txt' }));
    expect(await linked.Body!.transformToString()).toBe('hello from the seed\n');
  });

  it('bad input: a bucket that is not provisioned, a directory that does not exist (startEmulator rejects, nothing left listening)', async () => {
    await expect(startEmulator({ buckets: ['abc'], seed: { other: FIXTURES } })).rejects.toThrow(
      'seed: no bucket "other" to seed: provision it too (--bucket other, or "buckets" in the config file).',
    );
    await expect(startEmulator({ buckets: ['abc'], seed: { abc: join(FIXTURES, 'missing') } })).rejects.toThrow(
      `seed: ${join(FIXTURES, 'missing')} (for bucket "abc") is not a directory.`,
    );
    await expect(startEmulator({ buckets: ['abc'], seed: { abc: join(FIXTURES, 'hello.txt') } })).rejects.toThrow('is not a directory');
  });
});
