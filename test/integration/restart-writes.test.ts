import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/index.js';
import { cliTestScope, startCli } from '../cli-process.js';
import { clientFor } from '../helpers.js';

const { running, tempDir } = cliTestScope('smll-restart-writes-');

/** Identity and last change of every file under `dir`: a file rewritten (even with equal bytes) or replaced by rename shows up. */
function snapshot(dir: string): Record<string, { ino: number; mtimeMs: number; size: number }> {
  const files: Record<string, { ino: number; mtimeMs: number; size: number }> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const { ino, mtimeMs, size } = statSync(path);
    files[path.slice(dir.length + 1)] = { ino, mtimeMs, size };
  }
  return files;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('a restart writes nothing that did not change (so that it comes up on a full disk)', () => {
  it('credentials.json, the TLS certificate and key, the metadata database, seeded objects and the space reserve are left untouched', async () => {
    const dataDir = tempDir();
    const seed = join(tempDir(), 'seed');
    mkdirSync(join(seed, 'docs'), { recursive: true });
    writeFileSync(join(seed, 'docs', 'hello.txt'), 'hello\n');
    writeFileSync(join(seed, 'large.bin'), Buffer.alloc(100 * 1024, 7));
    const args = ['--data-dir', dataDir, '--port', String(await freePort()), '--bucket', 'keep', '--seed', `keep=${seed}`, '--tls', '--quiet'];

    const first = await startCli(args);
    running.push(first);
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const before = snapshot(dataDir);
    expect(Object.keys(before).sort()).toEqual(
      expect.arrayContaining(['credentials.json', 'metadata.sqlite', 'space-reserve', join('tls', 'ca.pem'), join('tls', 'cert.pem'), join('tls', 'key.pem')]),
    );
    // The two seeded files (seeding writes blob files).
    expect(Object.keys(before).filter((path) => path.startsWith('blobs'))).toHaveLength(2);

    // Waits out the file systems' mtime granularity, so that a rewrite would show.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await startCli(args);
    running.push(second);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('credentials.json with the same text but a mode other than 600 is written again, mode 600', async () => {
    const dataDir = tempDir();
    const args = ['--data-dir', dataDir, '--port', String(await freePort()), '--bucket', 'keep', '--quiet'];
    const first = await startCli(args);
    running.push(first);
    first.child.kill('SIGTERM');
    await first.exited;
    chmodSync(join(dataDir, 'credentials.json'), 0o644);
    const second = await startCli(args);
    running.push(second);
    expect(statSync(join(dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
  });

  it('seeding still uploads a file that changed (same size, other bytes) and one whose object was replaced through the API', async () => {
    const dataDir = tempDir();
    const seed = tempDir();
    writeFileSync(join(seed, 'same.txt'), 'same\n');
    writeFileSync(join(seed, 'edited.txt'), 'version 1\n');
    writeFileSync(join(seed, 'replaced.txt'), 'seeded\n');
    const start = () => startEmulator({ dataDir, buckets: ['seeded'], seed: { seeded: seed } });

    const first = await start();
    const s3 = clientFor(first.env('seeded'));
    await s3.send(new PutObjectCommand({ Bucket: 'seeded', Key: 'replaced.txt', Body: 'seeded\n', ContentType: 'text/plain; charset=utf-8', CacheControl: 'no-cache' }));
    const sameBefore = await s3.send(new HeadObjectCommand({ Bucket: 'seeded', Key: 'same.txt' }));
    await first.stop();

    writeFileSync(join(seed, 'edited.txt'), 'version 2\n');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await start();
    const again = clientFor(second.env('seeded'));
    const read = async (Key: string) => (await again.send(new GetObjectCommand({ Bucket: 'seeded', Key }))).Body!.transformToString();
    expect(await read('edited.txt')).toBe('version 2\n');
    const replaced = await again.send(new HeadObjectCommand({ Bucket: 'seeded', Key: 'replaced.txt' }));
    expect(replaced.CacheControl).toBeUndefined();
    // The unchanged file was not written again: its Last-Modified (whole seconds) is the first start's.
    expect((await again.send(new HeadObjectCommand({ Bucket: 'seeded', Key: 'same.txt' }))).LastModified).toEqual(sameBefore.LastModified);
    await second.stop();
  });
});
