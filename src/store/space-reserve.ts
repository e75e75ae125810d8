import { join } from 'node:path';
import type { FileSystem } from './file-system.js';
import { isOutOfSpace } from './storage-fault.js';

/**
 * Room kept free in the data dir so that deleting still works once the disk is full: SQLite
 * appends every transaction, deletes included, to its write-ahead log, which needs new blocks
 * (the WAL is removed at close, so after a restart it starts empty). With the default
 * auto-checkpoint the WAL is restarted after about 1,000 pages (4 MiB with 4 KiB pages); 8 MiB
 * covers a full WAL cycle twice over, enough for a DeleteObjects of 1,000 keys (one small
 * transaction per key) or an abort of a 10,000-part upload.
 */
export const RESERVE_BYTES = 8 * 1024 * 1024;

const RESERVE_FILE = 'space-reserve';
const CHUNK = Buffer.alloc(1024 * 1024);

/**
 * `<dataDir>/space-reserve`, a file of RESERVE_BYTES zeros: released (unlinked) when a delete
 * finds the disk full, made again (`ensure`) when there is room for it. Writes other than deletes
 * need it in place first, so they cannot take the room that deletes need.
 */
export class SpaceReserve {
  readonly #fs: FileSystem;
  readonly #dir: string;
  readonly #path: string;
  #present: boolean;

  constructor(fileSystem: FileSystem, dataDir: string) {
    this.#fs = fileSystem;
    this.#dir = dataDir;
    this.#path = join(dataDir, RESERVE_FILE);
    // Made under a temp name and renamed, so a file under the final name is always whole.
    this.#fs.rmSync(this.#tempPath, { force: true });
    this.#present = this.#fs.existsSync(this.#path);
  }

  get #tempPath(): string {
    return `${this.#path}.tmp`;
  }

  /**
   * Makes the reserve unless it exists. False when there is no room for it (nothing left
   * behind); other errors (EIO) are thrown, after the partial file is removed.
   */
  ensure(): boolean {
    if (this.#present) return true;
    const { bavail, bsize } = this.#fs.statfsSync(this.#dir);
    if (bavail * bsize < RESERVE_BYTES) return false;
    try {
      const fd = this.#fs.openSync(this.#tempPath, 'w');
      try {
        for (let written = 0; written < RESERVE_BYTES; ) written += this.#fs.writeSync(fd, CHUNK, 0, Math.min(CHUNK.length, RESERVE_BYTES - written));
      } finally {
        this.#fs.closeSync(fd);
      }
      this.#fs.renameSync(this.#tempPath, this.#path);
    } catch (err) {
      this.#fs.rmSync(this.#tempPath, { force: true });
      if (isOutOfSpace(err)) return false;
      throw err;
    }
    this.#present = true;
    return true;
  }

  /** Unlinks the reserve, giving its room back to the file system. False when it was not there. */
  release(): boolean {
    if (!this.#present) return false;
    this.#fs.rmSync(this.#path, { force: true });
    this.#present = false;
    return true;
  }
}
