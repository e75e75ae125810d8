/**
 * Secrets at rest (issue 9, point 5): the data directories the emulator creates are 0700, and
 * every file holding a secret (metadata.sqlite and its -wal/-shm, credentials.json, the TLS key,
 * the --dotenv file) is 0600, also in a data dir an older version left with 0644 files; a directory
 * the user made keeps its mode.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/index.js';
import { clientFor } from '../helpers.js';
import { cliTestScope, startCli } from '../cli-process.js';

const { running } = cliTestScope('smll-modes-cli-');
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A fresh directory to put data dirs in (0755, as a user's umask 022 makes them). */
function scratch(): string {
  const root = mkdtempSync(join(tmpdir(), 'smll-modes-'));
  chmodSync(root, 0o755);
  roots.push(root);
  return root;
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** A body over the inline limit, so that it lands in a blob file under a shard directory. */
const LARGE = Buffer.alloc(100 * 1024, 'b');

describe('a data dir the emulator creates', () => {
  it('is 0700 with its tmp, blobs and shard directories, and metadata.sqlite and its -wal are 0600', async () => {
    const dataDir = join(scratch(), 'nested', 'data');
    const emulator = await startEmulator({ dataDir, buckets: ['modes'] });
    try {
      await clientFor(emulator.env('modes')).send(new PutObjectCommand({ Bucket: 'modes', Key: 'big', Body: LARGE }));
      expect(modeOf(dataDir)).toBe('700');
      expect(modeOf(join(dataDir, '..'))).toBe('700');
      expect(modeOf(join(dataDir, 'tmp'))).toBe('700');
      expect(modeOf(join(dataDir, 'blobs'))).toBe('700');
      const shards = readdirSync(join(dataDir, 'blobs'));
      expect(shards).toHaveLength(1);
      expect(modeOf(join(dataDir, 'blobs', shards[0]))).toBe('700');
      expect(modeOf(join(dataDir, 'metadata.sqlite'))).toBe('600');
      expect(existsSync(join(dataDir, 'metadata.sqlite-wal'))).toBe(true);
      expect(modeOf(join(dataDir, 'metadata.sqlite-wal'))).toBe('600');
    } finally {
      await emulator.stop();
    }
  });

  it('a temporary one (no dataDir) is 0700 too', async () => {
    const emulator = await startEmulator({ buckets: ['modes'] });
    try {
      expect(modeOf(emulator.dataDir)).toBe('700');
      expect(modeOf(join(emulator.dataDir, 'metadata.sqlite'))).toBe('600');
    } finally {
      await emulator.stop();
    }
  });

  it('keeps the TLS key 0600 in a 0700 tls directory', async () => {
    const dataDir = join(scratch(), 'tls-data');
    const emulator = await startEmulator({ dataDir, buckets: ['modes'], tls: true });
    await emulator.stop();
    expect(modeOf(join(dataDir, 'tls'))).toBe('700');
    expect(modeOf(join(dataDir, 'tls', 'key.pem'))).toBe('600');
  });
});

describe('a data dir the user made', () => {
  it('keeps its own mode; the secret files in it are still 0600', async () => {
    const dataDir = join(scratch(), 'mine');
    mkdirSync(dataDir, { mode: 0o750 });
    chmodSync(dataDir, 0o750);
    const emulator = await startEmulator({ dataDir, buckets: ['modes'] });
    await emulator.stop();
    expect(modeOf(dataDir)).toBe('750');
    expect(modeOf(join(dataDir, 'metadata.sqlite'))).toBe('600');
  });
});

describe('a data dir an older version left with 0644 files', () => {
  it('gets metadata.sqlite, a leftover -wal/-shm and the TLS key narrowed to 0600, and keeps its data', async () => {
    const dataDir = join(scratch(), 'old');
    const first = await startEmulator({ dataDir, buckets: ['modes'], tls: true });
    const credentials = first.credentials('modes');
    await first.stop();
    // As an older version left them: world-readable, a -shm file from a shared-memory WAL index included.
    chmodSync(join(dataDir, 'metadata.sqlite'), 0o644);
    chmodSync(join(dataDir, 'tls', 'key.pem'), 0o644);
    writeFileSync(join(dataDir, 'metadata.sqlite-shm'), '', { mode: 0o644 });
    chmodSync(join(dataDir, 'metadata.sqlite-shm'), 0o644);

    const second = await startEmulator({ dataDir, tls: true });
    try {
      expect(modeOf(join(dataDir, 'metadata.sqlite'))).toBe('600');
      expect(modeOf(join(dataDir, 'metadata.sqlite-shm'))).toBe('600');
      expect(modeOf(join(dataDir, 'tls', 'key.pem'))).toBe('600');
      expect(second.credentials('modes').SECRET_KEY).toBe(credentials.SECRET_KEY);
    } finally {
      await second.stop();
    }
  });
});

describe('smll-storage serve', () => {
  it('writes credentials.json and the --dotenv file 0600 and creates its data dir 0700, also over 0644 files of an older version', async () => {
    const root = scratch();
    const dataDir = join(root, 'cli-data');
    const dotenvFile = join(root, 'app.env');
    const first = await startCli(['--data-dir', dataDir, '--port', '0', '--bucket', 'modes', '--dotenv', dotenvFile, '--quiet']);
    running.push(first);
    expect(modeOf(dataDir)).toBe('700');
    expect(modeOf(join(dataDir, 'credentials.json'))).toBe('600');
    expect(modeOf(join(dataDir, 'metadata.sqlite'))).toBe('600');
    expect(modeOf(dotenvFile)).toBe('600');
    first.child.kill('SIGINT');
    await first.exited;

    for (const file of [join(dataDir, 'credentials.json'), join(dataDir, 'metadata.sqlite'), dotenvFile]) chmodSync(file, 0o644);
    const second = await startCli(['--data-dir', dataDir, '--port', '0', '--bucket', 'modes', '--dotenv', dotenvFile, '--quiet']);
    running.push(second);
    expect(modeOf(join(dataDir, 'credentials.json'))).toBe('600');
    expect(modeOf(join(dataDir, 'metadata.sqlite'))).toBe('600');
    expect(modeOf(dotenvFile)).toBe('600');
  });
});
