import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { INLINE_MAX_BYTES } from '../../src/store/data-dir.js';
import { clientFor } from '../helpers.js';
import { startCli } from '../cli-process.js';
import { dataDirProblems, filesUnder } from '../data-dir.js';

const dataDir = mkdtempSync(join(tmpdir(), 'smll-crash-test-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const PUTS = 50;
const Bucket = 'crash-bucket';
const KEYS = 'AKIACRASHCRASHCRASH1:crashsecretcrashsecretcrashsecretcrashse';

describe('SIGKILL during concurrent PUTs', () => {
  it('keeps every acknowledged PUT byte-exact, shows no partial object, and leaves no orphan blob', async () => {
    const first = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--bucket', `${Bucket}=${KEYS}`]);
    const s3 = clientFor(first.env[Bucket] as never, { maxAttempts: 1 });
    const bodies = new Map<string, Buffer>();
    const acknowledged = new Set<string>();
    // Sizes from 1 KiB (kept inline) to ~2 MiB (blob files) so that the kill finds writes at every stage.
    for (let i = 0; i < PUTS; i++) bodies.set(`obj-${i}`, randomBytes(1024 + ((i * 40_503) % (2 * 1024 * 1024))));

    let killed = false;
    const puts = [...bodies].map(async ([Key, Body]) => {
      try {
        await s3.send(new PutObjectCommand({ Bucket, Key, Body }));
        acknowledged.add(Key);
        if (acknowledged.size === 20 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      } catch {
        // Refused or cut off by the kill: must then be absent or whole, never partial.
      }
    });
    await Promise.all(puts);
    await first.exited;
    expect(killed).toBe(true);
    expect(acknowledged.size).toBeGreaterThanOrEqual(20);

    const second = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet']);
    try {
      const after = clientFor(second.env[Bucket] as never);
      const listed = await after.send(new ListObjectsV2Command({ Bucket }));
      const present = new Set((listed.Contents ?? []).map((c) => c.Key!));
      for (const key of acknowledged) expect(present.has(key)).toBe(true);
      for (const key of present) {
        const got = await after.send(new GetObjectCommand({ Bucket, Key: key }));
        const bytes = Buffer.from(await got.Body!.transformToByteArray());
        const expected = bodies.get(key)!;
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(expected).digest('hex'));
      }
      // Exactly one blob file per object too large to be kept inline, nothing left in tmp/.
      const inFiles = [...present].filter((key) => bodies.get(key)!.length > INLINE_MAX_BYTES);
      expect(filesUnder(join(dataDir, 'blobs'))).toHaveLength(inFiles.length);
      expect(filesUnder(join(dataDir, 'tmp'))).toHaveLength(0);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
    // Every blob file belongs to an object, and every object's blob is there.
    expect(dataDirProblems(dataDir)).toEqual({ orphans: [], missing: [], tmp: [] });
  });
});
