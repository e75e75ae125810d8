import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { RESERVE_BYTES } from '../../src/store/index.js';
import { startCli, type RunningCli } from '../cli-process.js';
import { clientFor, s3ErrorOf } from '../helpers.js';
import { FaultyIo, startFaultyServer, type FaultyServer } from '../storage-faults.js';

// A data dir on a disk that fills up: PUTs are refused with the emulator's full-disk answer
// (503 ServiceUnavailable, see src/http/app.ts), deleting through the API frees it, and the
// emulator restarts on the full disk. As root (CI) the disk is a real tmpfs and the emulator the
// CLI; otherwise (no root, or mount refused) the same scenario runs in-process on a simulated
// disk of the same size (test/storage-faults.ts), so the test always asserts the behaviour.

const DISK_BYTES = 24 * 1024 * 1024;
const BIG = 1024 * 1024;
const SMALL = 4 * 1024;

const base = mkdtempSync(join(tmpdir(), 'smll-full-disk-'));
const mountPoint = join(base, 'disk');
mkdirSync(mountPoint);

function mountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_BYTES}`, 'tmpfs', mountPoint], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
const realDisk = mountTmpfs();
const dataDir = join(mountPoint, 'data');

/** Stops what a failed test left running, so that the disk can be unmounted. */
let leftRunning: (() => Promise<void>) | undefined;
afterAll(async () => {
  await leftRunning?.();
  if (realDisk) execFileSync('umount', [mountPoint]);
  rmSync(base, { recursive: true, force: true });
});

/** An emulator on the small disk, which can be stopped and started again on the same data dir. */
interface Target {
  start(): Promise<{ s3: S3Client; bucket: string }>;
  stop(): Promise<void>;
}

function cliTarget(): Target {
  let cli: RunningCli | undefined;
  return {
    async start() {
      cli = await startCli(['--data-dir', dataDir, '--port', '0', '--bucket', 'fill-bucket', '--quiet']);
      const running = cli;
      leftRunning = async () => {
        running.child.kill('SIGKILL');
        await running.exited;
      };
      // One attempt per call: each refusal is seen as sent (the SDKs retry 503).
      return { s3: clientFor(cli.env['fill-bucket'], { maxAttempts: 1 }), bucket: 'fill-bucket' };
    },
    async stop() {
      cli!.child.kill('SIGTERM');
      expect(await cli!.exited).toEqual({ code: 0, signal: null });
      leftRunning = undefined;
    },
  };
}

function simulatedTarget(): Target {
  const faults = new FaultyIo();
  let server: FaultyServer | undefined;
  return {
    async start() {
      mkdirSync(dataDir, { recursive: true });
      faults.simulateCapacity(dataDir, DISK_BYTES);
      server = await startFaultyServer(dataDir, faults.io);
      leftRunning = server.stop;
      return server;
    },
    async stop() {
      await server!.stop();
      leftRunning = undefined;
    },
  };
}

const fullAnswer = (code: string) => ({
  code: 'ServiceUnavailable',
  status: 503,
  message: `The data dir ${dataDir} is full (${code}): nothing was stored. Delete objects or free disk space, then retry.`,
});

describe(`a full data dir, on ${realDisk ? 'a real 24 MiB tmpfs (root)' : 'a simulated 24 MiB disk (not root, or mount refused)'}`, () => {
  const target = realDisk ? cliTarget() : simulatedTarget();
  const stored = new Map<string, number>();
  let client: { s3: S3Client; bucket: string };

  async function put(Key: string, size: number): Promise<void> {
    await client.s3.send(new PutObjectCommand({ Bucket: client.bucket, Key, Body: Buffer.alloc(size, Key.length) }));
    stored.set(Key, size);
  }

  /** PUTs objects of `size` until one is refused; returns the refusal. */
  async function fill(prefix: string, size: number, limit: number) {
    for (let i = 0; i < limit; i++) {
      const Key = `${prefix}-${String(i).padStart(4, '0')}`;
      try {
        await put(Key, size);
      } catch {
        return { key: Key, error: await s3ErrorOf(client.s3.send(new PutObjectCommand({ Bucket: client.bucket, Key, Body: Buffer.alloc(size) }))) };
      }
    }
    throw new Error(`${limit} PUTs of ${size} bytes did not fill the disk`);
  }

  const figures: string[] = [];

  /** Fills the disk with 1 MiB objects, then with 4 KiB ones (kept in SQLite), and checks the refusals and that nothing partial was kept. */
  async function fillUp(round: string) {
    const count = stored.size;
    const big = await fill(`${round}-big`, BIG, DISK_BYTES / BIG);
    const bigCount = stored.size - count;
    // The body did not fit: refused where its blob file was written (or, at the edge, where its row was).
    expect([fullAnswer('ENOSPC'), fullAnswer('SQLITE_FULL')]).toContainEqual({ code: big.error.code, status: big.error.status, message: big.error.message });
    const small = await fill(`${round}-small`, SMALL, 5_000);
    expect([fullAnswer('SQLITE_FULL'), fullAnswer('ENOSPC')]).toContainEqual({ code: small.error.code, status: small.error.status, message: small.error.message });
    const cause = (message: string) => /\((\w+)\)/.exec(message)![1];
    figures.push(`${round} fill: ${bigCount} × 1 MiB until ${cause(big.error.message)}, then ${stored.size - count - bigCount} × 4 KiB until ${cause(small.error.message)}`);
    await expectConsistent();
  }

  /** The listing is exactly what was acknowledged, no temp file is left, and each blob file belongs to a big object. */
  async function expectConsistent() {
    const listed = new Map<string, number>();
    let ContinuationToken: string | undefined;
    do {
      const page = await client.s3.send(new ListObjectsV2Command({ Bucket: client.bucket, ContinuationToken }));
      for (const entry of page.Contents ?? []) listed.set(entry.Key!, entry.Size!);
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    expect(listed).toEqual(stored);
    expect(readdirSync(join(dataDir, 'tmp'))).toEqual([]);
    const blobFiles = readdirSync(join(dataDir, 'blobs'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(blobFiles).toHaveLength([...stored.values()].filter((size) => size > 64 * 1024).length);
  }

  async function remove(keys: string[]) {
    const [first, ...rest] = keys;
    await client.s3.send(new DeleteObjectCommand({ Bucket: client.bucket, Key: first }));
    stored.delete(first);
    const out = await client.s3.send(new DeleteObjectsCommand({ Bucket: client.bucket, Delete: { Objects: rest.map((Key) => ({ Key })) } }));
    expect(out.Errors ?? []).toEqual([]);
    expect(out.Deleted).toHaveLength(rest.length);
    for (const key of rest) stored.delete(key);
  }

  it('refuses PUTs once full, frees space through DELETE and DeleteObjects, takes PUTs again, and restarts on the full disk', async () => {
    const started = performance.now();
    client = await target.start();
    await fillUp('first');
    expect(readdirSync(dataDir)).toContain('space-reserve');
    if (realDisk) expect(statfsSync(dataDir).bavail * statfsSync(dataDir).bsize).toBeLessThan(BIG);

    // One DELETE and one DeleteObjects free three 1 MiB objects and twenty small ones.
    const smallKeys = [...stored.keys()].filter((key) => key.startsWith('first-small')).slice(0, 20);
    await remove(['first-big-0000', 'first-big-0001', 'first-big-0002', ...smallKeys]);
    await put('after-delete', BIG);
    const got = await client.s3.send(new GetObjectCommand({ Bucket: client.bucket, Key: 'after-delete' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.alloc(BIG, 'after-delete'.length))).toBe(true);
    await expectConsistent();

    // Full again, then a restart: it comes up, reads, deletes and takes writes again.
    await fillUp('second');
    await target.stop();
    client = await target.start();
    await expectConsistent();
    const bigKeys = [...stored.keys()].filter((key) => key.includes('-big-'));
    await remove(bigKeys.slice(0, 3));
    await put('after-restart', BIG);
    await expectConsistent();
    if (realDisk) expect(JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')).buckets['fill-bucket']).toBeDefined();
    await target.stop();
    console.log(`full-disk scenario (${realDisk ? 'tmpfs' : 'simulated'}, reserve ${RESERVE_BYTES} bytes): ${figures.join('; ')}; ${(performance.now() - started).toFixed(0)} ms`);
  });
});
