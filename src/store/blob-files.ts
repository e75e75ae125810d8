import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { open as openFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ByteRange } from './types.js';

/** One blob's share of an object's data; an object's data is its segments concatenated. */
export interface BlobSegment {
  blobId: string;
  size: number;
}

interface OpenPiece {
  path: string;
  fd: number;
  /** Byte offsets inside the blob file, `end` inclusive. */
  start: number;
  end: number;
}

/**
 * The blob files of a data directory: `tmp/<id>` while a body is being written, then
 * `blobs/<first two hex digits of id>/<id>` once committed, immutable from then on.
 * Names are random ids, never keys, so no key can reach outside the data directory.
 */
export class BlobFiles {
  readonly #tmpDir: string;
  readonly #blobsDir: string;
  readonly #durable: boolean;

  private constructor(dataDir: string, durable: boolean) {
    this.#tmpDir = join(dataDir, 'tmp');
    this.#blobsDir = join(dataDir, 'blobs');
    this.#durable = durable;
  }

  /**
   * Creates the directories, then collects orphans (see `#collectOrphans`). Shard directories
   * are made on first use (`promote`), so opening an empty data dir costs a few syscalls, not 256.
   */
  static open(dataDir: string, durable: boolean, isReferenced: (blobId: string) => boolean): BlobFiles {
    const files = new BlobFiles(dataDir, durable);
    fs.mkdirSync(files.#tmpDir, { recursive: true });
    fs.mkdirSync(files.#blobsDir, { recursive: true });
    files.#collectOrphans(isReferenced);
    if (durable) {
      fsyncDirectory(files.#blobsDir);
      fsyncDirectory(dataDir);
    }
    return files;
  }

  pathOf(blobId: string): string {
    return join(this.#blobsDir, blobId.slice(0, 2), blobId);
  }

  /**
   * Streams `body` (a byte stream) to a new temp file, one chunk in memory at a time; on
   * any error the temp file is gone and the error is rethrown as is.
   */
  async writeTemp(body: Readable): Promise<BlobSegment> {
    const blobId = randomUUID();
    const tempPath = this.#tempPathOf(blobId);
    const file = await openFile(tempPath, 'wx');
    try {
      let size = 0;
      // A plain write loop rather than a FileHandle write stream: that stream keeps a
      // reference on the handle that blocks close() unless the stream closes it first,
      // and the handle must stay open for the fsync after the last write.
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        for (let written = 0; written < chunk.length; ) {
          written += (await file.write(chunk, written)).bytesWritten;
        }
        size += chunk.length;
      }
      if (this.#durable) await file.sync();
      return { blobId, size };
    } catch (err) {
      await rm(tempPath, { force: true });
      throw err;
    } finally {
      await file.close();
    }
  }

  async removeTemp(blobId: string): Promise<void> {
    await rm(this.#tempPathOf(blobId), { force: true });
  }

  /** Moves a written temp file to its permanent name (atomic rename within the data directory). */
  promote(blobId: string): void {
    const target = this.pathOf(blobId);
    try {
      try {
        fs.renameSync(this.#tempPathOf(blobId), target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !this.#createShard(blobId)) throw err;
        fs.renameSync(this.#tempPathOf(blobId), target);
      }
    } catch (err) {
      fs.rmSync(this.#tempPathOf(blobId), { force: true });
      throw err;
    }
    if (this.#durable) fsyncDirectory(join(this.#blobsDir, blobId.slice(0, 2)));
  }

  /** Makes the blob's shard directory if it is missing; false when it already existed (the ENOENT was the temp file's). */
  #createShard(blobId: string): boolean {
    const shard = join(this.#blobsDir, blobId.slice(0, 2));
    if (fs.existsSync(shard)) return false;
    fs.mkdirSync(shard, { recursive: true });
    // The shard directory must outlive a power loss as surely as the blob renamed into it.
    if (this.#durable) fsyncDirectory(this.#blobsDir);
    return true;
  }

  remove(blobId: string): void {
    fs.rmSync(this.pathOf(blobId), { force: true });
  }

  /**
   * A stream of the bytes `range` (default: all) of the concatenated segments. Every file
   * it needs is opened before this returns, so deleting or replacing the object afterwards
   * (which only unlinks files) cannot take the data away from this reader.
   */
  openSegments(segments: readonly BlobSegment[], range?: ByteRange): Readable {
    const total = segments.reduce((sum, segment) => sum + segment.size, 0);
    const start = range?.start ?? 0;
    const end = range?.end ?? total - 1;
    if (range && !(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end && end < total)) {
      throw new Error(`byte range ${start}-${end} is not within an object of ${total} bytes`);
    }
    const pieces: OpenPiece[] = [];
    try {
      let offset = 0;
      for (const { blobId, size } of segments) {
        const last = offset + size - 1;
        if (size > 0 && last >= start && offset <= end) {
          const path = this.pathOf(blobId);
          pieces.push({ path, fd: fs.openSync(path, 'r'), start: Math.max(start, offset) - offset, end: Math.min(end, last) - offset });
        }
        offset += size;
      }
    } catch (err) {
      for (const piece of pieces) fs.closeSync(piece.fd);
      throw err;
    }
    if (pieces.length === 1) {
      const [{ path, fd, start: from, end: to }] = pieces;
      return fs.createReadStream(path, { fd, start: from, end: to });
    }
    return concatenate(pieces);
  }

  /**
   * Deletes every temp file (an interrupted write) and every file under blobs/ that no
   * object references (a commit that never happened, or an unlink after commit that was cut
   * short). Costs one directory entry and one indexed lookup per file, whatever the row count.
   */
  #collectOrphans(isReferenced: (blobId: string) => boolean): void {
    for (const name of fs.readdirSync(this.#tmpDir)) fs.rmSync(join(this.#tmpDir, name), { recursive: true, force: true });
    for (const shard of fs.readdirSync(this.#blobsDir, { withFileTypes: true })) {
      const shardPath = join(this.#blobsDir, shard.name);
      if (!shard.isDirectory()) {
        fs.rmSync(shardPath, { force: true });
        continue;
      }
      for (const entry of fs.readdirSync(shardPath, { withFileTypes: true })) {
        const inPlace = entry.isFile() && entry.name.slice(0, 2) === shard.name;
        if (!inPlace || !isReferenced(entry.name)) fs.rmSync(join(shardPath, entry.name), { recursive: true, force: true });
      }
    }
  }

  #tempPathOf(blobId: string): string {
    return join(this.#tmpDir, blobId);
  }
}

function fsyncDirectory(path: string): void {
  const fd = fs.openSync(path, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Streams already-open pieces one after another; closes the fds of pieces never reached. */
function concatenate(pieces: readonly OpenPiece[]): Readable {
  let handedOff = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    while (handedOff < pieces.length) {
      const { path, fd, start, end } = pieces[handedOff++];
      // The read stream owns (and closes) its fd from here on.
      yield* fs.createReadStream(path, { fd, start, end });
    }
  }
  const stream = Readable.from(chunks(), { objectMode: false });
  stream.once('close', () => {
    for (const piece of pieces.slice(handedOff)) fs.closeSync(piece.fd);
  });
  return stream;
}
