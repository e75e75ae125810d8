import type Database from 'better-sqlite3';
import { Readable } from 'node:stream';
import type { BlobFiles } from './blob-files.js';
import { isBlobReferenced, toObjectRecord, type ObjectRow, type Statements, type StoredSegment } from './metadata.js';
import type { SpaceReserve } from './space-reserve.js';
import { StorageFault, asStorageFault, isOutOfSpace } from './storage-fault.js';
import type { ObjectRecord, Precondition } from './types.js';

/**
 * Bodies up to this size may be kept inline in SQLite (writeBlob with mayInline): for small
 * objects one transaction is cheaper than creating, renaming and later unlinking a file. At most
 * this much of a body is held in memory before it goes to a file.
 */
export const INLINE_MAX_BYTES = 64 * 1024;

/** A body written to a temp file and flushed (or, when small, held in memory), not yet visible as an object. */
export interface StagedBlob {
  readonly size: number;
}

/**
 * One data directory as the SQLite store's objects and uploads share it: the metadata database
 * with its prepared statements, the blob files, the space reserve, and the disciplines every
 * change goes through (a refused write comes out as a StorageFault; deletes work on a full
 * disk; a blob is unlinked only after the transaction that released it). It also remembers
 * which data each record it handed out stands for, so that a reader gets exactly those bytes.
 */
export class DataDir {
  readonly db: Database.Database;
  readonly statements: Statements;
  readonly blobs: BlobFiles;
  readonly #reserve: SpaceReserve;
  readonly #path: string;
  /** Blob ids of staged blobs not yet committed or discarded. */
  readonly #staged = new WeakMap<StagedBlob, string>();
  /** The bytes of staged blobs small enough to be kept inline, not yet committed or discarded. */
  readonly #stagedInline = new WeakMap<StagedBlob, Buffer>();
  /** The data behind each record handed out, so a reader gets exactly that object's bytes. */
  readonly #segments = new WeakMap<ObjectRecord, readonly StoredSegment[]>();
  /** The same for records of objects kept inline (their #segments entry is empty); null: bytes not read (headObject). */
  readonly #inline = new WeakMap<ObjectRecord, Buffer | null>();

  /**
   * Replaces the object `row` names, in one transaction: runs `precondition` on the current
   * object (if it throws, nothing changes), writes the row and its data (segments, or inline
   * bytes), and returns the ids of blobs no row references any more (to unlink after the commit).
   * Nested in a caller's transaction, it is part of that one.
   */
  readonly replaceObject: (row: ObjectRow, segments: readonly StoredSegment[], precondition?: Precondition, inlineData?: Buffer) => string[];

  constructor(db: Database.Database, statements: Statements, blobs: BlobFiles, reserve: SpaceReserve, path: string) {
    this.db = db;
    this.statements = statements;
    this.blobs = blobs;
    this.#reserve = reserve;
    this.#path = path;
    const s = statements;
    this.replaceObject = db.transaction(
      (row: ObjectRow, segments: readonly StoredSegment[], precondition?: Precondition, inlineData?: Buffer) => {
        if (precondition) precondition(this.readObject(row.bucket, row.key));
        s.replaceObject.run(row);
        if (inlineData) s.replaceInlineData.run(row.bucket, row.key, inlineData);
        else s.deleteInlineData.run(row.bucket, row.key);
        const detached = s.detachSegments.all(row.bucket, row.key);
        segments.forEach(({ blobId, size, partChecksum, partNumber }, seq) =>
          s.attachSegment.run(row.bucket, row.key, seq, blobId, size, partChecksum, partNumber),
        );
        return this.unreferenced(detached);
      },
    );
  }

  /**
   * Streams `body` to a temp file. On a stream error the temp file is deleted and that error
   * rethrown unchanged. With `mayInline`, a body of at most INLINE_MAX_BYTES stays in memory
   * instead, to be committed inline (only objects take inline blobs, parts take files).
   */
  async writeBlob(body: Readable, options: { mayInline?: boolean } = {}): Promise<StagedBlob> {
    this.assertRoom();
    if (options.mayInline) {
      const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const head: Buffer[] = [];
      let headSize = 0;
      for (;;) {
        const next = await chunks.next();
        if (next.done) {
          const staged: StagedBlob = Object.freeze({ size: headSize });
          this.#stagedInline.set(staged, Buffer.concat(head, headSize));
          return staged;
        }
        head.push(next.value);
        headSize += next.value.length;
        if (headSize > INLINE_MAX_BYTES) break;
      }
      // Too large to keep inline: the chunks read so far, then the rest, go to a file.
      body = Readable.from(
        (async function* () {
          yield* head;
          for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
        })(),
        { objectMode: false },
      );
    }
    let written: { blobId: string; size: number };
    try {
      written = await this.blobs.writeTemp(body);
    } catch (err) {
      throw asStorageFault(err, this.#path);
    }
    const { blobId, size } = written;
    const staged: StagedBlob = Object.freeze({ size });
    this.#staged.set(staged, blobId);
    return staged;
  }

  /** Deletes a staged blob that will not be committed; a no-op once it was committed or discarded. */
  async discardBlob(blob: StagedBlob): Promise<void> {
    if (this.#stagedInline.delete(blob)) return;
    const blobId = this.#staged.get(blob);
    if (blobId === undefined) return;
    this.#staged.delete(blob);
    await this.blobs.removeTemp(blobId);
  }

  /**
   * Stages `body`, then asks `describe` what it is (an ETag and checksum come from the bytes, so
   * only once they are all in); a description that throws discards the staged blob at once.
   */
  async writeDescribed<T>(body: Readable, describe: () => T | Promise<T>, options: { mayInline?: boolean } = {}): Promise<{ blob: StagedBlob; description: T }> {
    const blob = await this.writeBlob(body, options);
    try {
      return { blob, description: await describe() };
    } catch (err) {
      await this.discardBlob(blob);
      throw err;
    }
  }

  /** The bytes of a blob staged inline, which the caller now owns; undefined for a blob in a file. */
  takeStagedInline(blob: StagedBlob): Buffer | undefined {
    const inlineData = this.#stagedInline.get(blob);
    if (inlineData !== undefined) this.#stagedInline.delete(blob);
    return inlineData;
  }

  /** The id of a blob staged in a file, which the caller now owns (to promote or remove). */
  takeStaged(blob: StagedBlob, caller: string): string {
    const blobId = this.#staged.get(blob);
    if (blobId === undefined) throw new Error(`${caller}: the blob was not staged by this store, or was already committed or discarded`);
    this.#staged.delete(blob);
    return blobId;
  }

  /**
   * Records which bytes `record` stands for (see segmentsOf, inlineOf). `inlineData` null: an
   * object kept inline whose bytes were not read (a record for headers only).
   */
  remember(record: ObjectRecord, segments: readonly StoredSegment[], inlineData?: Buffer | null): ObjectRecord {
    this.#segments.set(record, segments);
    if (inlineData !== undefined) this.#inline.set(record, inlineData);
    return record;
  }

  /** Whether `record` is of an object kept inline, its bytes read or not. */
  isInline(record: ObjectRecord): boolean {
    return this.#inline.has(record);
  }

  /**
   * The bytes of a record of an object kept inline; undefined for any other record.
   * @throws Error for a record whose bytes were not read (headObject's).
   */
  inlineOf(record: ObjectRecord, caller: string): Buffer | undefined {
    const inlineData = this.#inline.get(record);
    if (inlineData === null) throw new Error(`${caller}: the record comes from headObject, which reads no bytes; use getObject`);
    return inlineData;
  }

  /** The blob segments of a record this store handed out (empty for an inline object). */
  segmentsOf(record: ObjectRecord, caller: string): readonly StoredSegment[] {
    const segments = this.#segments.get(record);
    if (segments === undefined) throw new Error(`${caller}: the record must come from getObject or commitObject of this store`);
    return segments;
  }

  readObject(bucket: string, key: string): ObjectRecord | undefined {
    const row = this.statements.objectByKey.get(bucket, key);
    return row && toObjectRecord(row);
  }

  /** The blob ids of `blobIds` that no object's data or upload's part uses any more: only their files may be unlinked. */
  unreferenced(blobIds: readonly string[]): string[] {
    return blobIds.filter((blobId) => !isBlobReferenced(this.statements, blobId));
  }

  /** Runs a write; a lack of space or an I/O error comes out as a StorageFault, any other error unchanged. */
  writing<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      throw asStorageFault(err, this.#path);
    }
  }

  /**
   * Writes that take space wait for the reserve to be in place (made again here once deletes have
   * freed room): otherwise they could fill the room that deletes need on a full disk.
   */
  assertRoom(): void {
    // No room for the reserve is no room for this write: reported as the file system would.
    if (!this.writing(() => this.#reserve.ensure())) throw new StorageFault('full', 'ENOSPC', this.#path, undefined);
  }

  /**
   * Runs a delete's transaction. On a full disk SQLite has no room to append the transaction to
   * its WAL: the reserve is released, the WAL checkpointed (so that the next transaction restarts
   * it from its beginning, in blocks it already has) and the transaction run once more.
   */
  freeingSpace<T>(transaction: () => T): T {
    try {
      return transaction();
    } catch (err) {
      if (!isOutOfSpace(err)) throw asStorageFault(err, this.#path);
    }
    this.writing(() => this.#reserve.release());
    try {
      this.statements.checkpoint.get();
    } catch {
      // A checkpoint that cannot complete leaves the WAL as it was: the retry is still worth it.
    }
    return this.writing(transaction);
  }

  /** After a delete: makes the reserve again if it was released and there is room now. */
  restoreReserve(): void {
    try {
      this.#reserve.ensure();
    } catch {
      // The delete itself succeeded; the next write that needs the reserve reports the fault.
    }
  }

  /**
   * Unlinks blobs no row references any more. A failure leaves an orphan file, which the next
   * open collects: the transaction that released the blob already happened, so the request that
   * made it succeeded all the same.
   */
  removeBlobs(blobIds: readonly string[]): void {
    for (const blobId of blobIds) {
      try {
        this.blobs.remove(blobId);
      } catch {
        // See above: collected as an orphan at the next open.
      }
    }
  }

  close(): void {
    this.db.close();
  }
}
