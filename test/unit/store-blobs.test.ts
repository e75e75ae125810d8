import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BlobFiles, type BlobSegment } from '../../src/store/blob-files.js';
import { SqliteStore as Store } from '../../src/store/index.js';

let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-store-blobs-'));
});

afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
}

describe('shard directories', () => {
  it('are not made when an empty data dir opens (start stays cheap), but on the first commit into each', async () => {
    const store = Store.open({ dataDir });
    try {
      expect(fs.readdirSync(path.join(dataDir, 'blobs'))).toEqual([]);
      await store.upsertBucket({ name: 'b', accessKey: 'AK', secretKey: 's', region: 'local' });
      for (const key of ['one', 'two']) {
        const blob = await store.writeBlob(Readable.from([Buffer.from(key)]));
        store.commitObject('b', key, blob, { userMetadata: {}, etag: '"e"' });
        expect((await readAll(store.openObjectStream((await store.getObject('b', key))!))).toString()).toBe(key);
      }
      const shards = fs.readdirSync(path.join(dataDir, 'blobs'));
      expect(shards.length).toBeGreaterThanOrEqual(1);
      for (const shard of shards) expect(shard).toMatch(/^[0-9a-f]{2}$/);
    } finally {
      await store.close();
    }
  });
});

describe('orphan collection at open', () => {
  it('removes temp files and unreferenced blob files, and keeps referenced ones', async () => {
    let store = Store.open({ dataDir });
    await store.upsertBucket({ name: 'b', accessKey: 'AK', secretKey: 's', region: 'local' });
    const blob = await store.writeBlob(Readable.from([Buffer.from('kept')]));
    store.commitObject('b', 'kept', blob, { userMetadata: {}, etag: '"e"' });
    const [referenced] = filesUnder(path.join(dataDir, 'blobs'));
    await store.close();

    const leftovers = [
      path.join(dataDir, 'tmp', 'interrupted-write'), // a body whose write was cut short
      path.join(dataDir, 'blobs', 'ab', 'ab000000-0000-4000-8000-000000000000'), // renamed, never committed
      path.join(dataDir, 'blobs', 'cd', `${referenced}`), // a referenced id, but not where that blob lives
      path.join(dataDir, 'blobs', 'stray-file'),
    ];
    for (const leftover of leftovers) {
      fs.mkdirSync(path.dirname(leftover), { recursive: true });
      fs.writeFileSync(leftover, 'orphan');
    }
    fs.mkdirSync(path.join(dataDir, 'tmp', 'half-made-dir'));

    store = Store.open({ dataDir });
    try {
      for (const leftover of leftovers) expect(fs.existsSync(leftover), leftover).toBe(false);
      expect(fs.readdirSync(path.join(dataDir, 'tmp'))).toEqual([]);
      expect(filesUnder(path.join(dataDir, 'blobs'))).toEqual([referenced]);
      expect((await readAll(store.openObjectStream((await store.getObject('b', 'kept'))!))).toString()).toBe('kept');
    } finally {
      await store.close();
    }
  });
});

describe('multi-blob objects (the seam for multipart uploads)', () => {
  // Three blobs, one of them empty: bytes 0-9 'aaaaaaaaaa', 10-13 'bbbb', 14-33 'c…'.
  const contents = ['a'.repeat(10), '', 'b'.repeat(4), 'c'.repeat(20)];
  let blobs: BlobFiles;
  let segments: BlobSegment[];
  const whole = contents.join('');

  beforeEach(() => {
    blobs = BlobFiles.open(dataDir, false, () => false, fs);
    segments = contents.map((content, i) => {
      const blobId = `${i}${i}000000-0000-4000-8000-00000000000${i}`;
      fs.mkdirSync(path.dirname(blobs.pathOf(blobId)), { recursive: true });
      fs.writeFileSync(blobs.pathOf(blobId), content);
      return { blobId, size: content.length };
    });
  });

  it('reads the segments as one stream, whole or by range, across segment boundaries', async () => {
    expect((await readAll(blobs.openSegments(segments))).toString()).toBe(whole);
    for (const [start, end] of [
      [0, 0],
      [9, 10],
      [5, 30],
      [10, 13],
      [11, 12],
      [13, 14],
      [33, 33],
      [0, 33],
    ] as const) {
      expect((await readAll(blobs.openSegments(segments, { start, end }))).toString(), `${start}-${end}`).toBe(whole.slice(start, end + 1));
    }
    expect(() => blobs.openSegments(segments, { start: 0, end: 34 })).toThrow(/not within/);
    expect((await readAll(blobs.openSegments([]))).length).toBe(0);
  });

  it('holds on to its files, so removing them while it reads changes nothing; they go once it is done', async () => {
    const stream = blobs.openSegments(segments, { start: 2, end: 31 });
    for (const { blobId } of segments) blobs.remove(blobId);
    // (The empty blob holds no byte of the range: nothing to keep it for.)
    expect(segments.filter(({ size }) => size > 0).every(({ blobId }) => fs.existsSync(blobs.pathOf(blobId)))).toBe(true);
    expect((await readAll(stream)).toString()).toBe(whole.slice(2, 32));
    await vi.waitFor(() => expect(segments.some(({ blobId }) => fs.existsSync(blobs.pathOf(blobId)))).toBe(false));
  });

  it.runIf(fs.existsSync('/proc/self/fd'))('closes every file it opened when destroyed early, read or not', async () => {
    const openFds = () => fs.readdirSync('/proc/self/fd').length;
    const before = openFds();
    const unread = blobs.openSegments(segments);
    // Only the first file is open before reading: the others are opened as the stream reaches them.
    expect(openFds()).toBe(before + 1);
    unread.destroy();

    const partlyRead = blobs.openSegments(segments);
    await new Promise((resolve) => partlyRead.once('readable', resolve));
    partlyRead.read(1);
    partlyRead.destroy();

    await vi.waitFor(() => expect(openFds()).toBe(before));
  });
});
