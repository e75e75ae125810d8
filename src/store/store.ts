import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobFiles } from './blob-files.js';
import type { FileSystem } from './file-system.js';
import { listKeys, type KeyBound } from './listing.js';
import {
  isBlobReferenced,
  prepareStatements,
  toBucketRecord,
  toObjectRecord,
  toObjectRow,
  type ObjectRow,
  type Statements,
  type StoredSegment,
} from './metadata.js';
import { prepareUploadStatements, toPartRecord, toUploadRecord, type UploadStatements } from './multipart-metadata.js';
import { openMetadataDatabase } from './schema.js';
import { SpaceReserve } from './space-reserve.js';
import { StorageFault, asStorageFault, isOutOfSpace } from './storage-fault.js';
import type {
  BucketRecord,
  ByteRange,
  ChecksumType,
  ListPage,
  ListQuery,
  ObjectMetadata,
  ObjectPart,
  ObjectRecord,
  PartRecord,
  StagedBlob,
  StoreOptions,
  UploadCompletion,
  UploadRecord,
} from './types.js';

/** Runs inside the commit's transaction on the object being replaced; throws to refuse the write. */
export type Precondition = (existing: ObjectRecord | undefined) => void;

/**
 * What a store does its I/O through: node:fs and the metadata database. Tests pass wrappers that
 * inject faults (a failing write, fsync or rename; SQLITE_FULL at commit).
 */
export interface StoreIo {
  fs: FileSystem;
  openDatabase(path: string, durable: boolean): Database.Database;
}

const systemIo: StoreIo = { fs, openDatabase: openMetadataDatabase };

/**
 * Bodies up to this size may be kept inline in SQLite (writeBlob with mayInline): for small
 * objects one transaction is cheaper than creating, renaming and later unlinking a file. At most
 * this much of a body is held in memory before it goes to a file.
 */
export const INLINE_MAX_BYTES = 64 * 1024;

/**
 * Objects and buckets of one data directory: metadata in SQLite (the single source of
 * truth), bodies in immutable blob files or, when small, inline in SQLite. A write becomes
 * visible only in the transaction that points an object row at its already renamed blob (or
 * writes row and inline bytes together), so a killed process leaves either the old or the new
 * object, plus at worst orphan files that the next open collects.
 *
 * A write the disk refuses (no space, I/O error) throws a StorageFault once nothing of it is
 * left; deletes keep working on a full disk thanks to a space reserve (see SpaceReserve).
 */
export class Store {
  readonly #db: Database.Database;
  readonly #statements: Statements;
  readonly #blobs: BlobFiles;
  readonly #reserve: SpaceReserve;
  readonly #dataDir: string;
  /** Blob ids of staged blobs not yet committed or discarded. */
  readonly #staged = new WeakMap<StagedBlob, string>();
  /** The bytes of staged blobs small enough to be kept inline, not yet committed or discarded. */
  readonly #stagedInline = new WeakMap<StagedBlob, Buffer>();
  /** The data behind each record this store handed out, so a reader gets exactly that object's bytes. */
  readonly #segments = new WeakMap<ObjectRecord, readonly StoredSegment[]>();
  /** The same for records of objects kept inline (their #segments entry is empty). */
  readonly #inline = new WeakMap<ObjectRecord, Buffer>();
  /** Only buckets that exist: a flood of unknown keys cannot grow it. */
  readonly #bucketsByAccessKey = new Map<string, Readonly<BucketRecord>>();
  readonly #uploads: UploadStatements;
  /** The blob behind each part record this store handed out. */
  readonly #partBlobs = new WeakMap<PartRecord, string>();
  #listingRowsVisited = 0;

  readonly #replaceObjectTransaction: (
    row: ObjectRow,
    segments: readonly StoredSegment[],
    precondition?: Precondition,
    inlineData?: Buffer,
  ) => string[];
  readonly #deleteObjectTransaction: (bucket: string, key: string) => string[] | undefined;
  readonly #emptyBucketTransaction: (bucket: string) => string[];

  private constructor(db: Database.Database, statements: Statements, blobs: BlobFiles, reserve: SpaceReserve, dataDir: string) {
    this.#db = db;
    this.#statements = statements;
    this.#blobs = blobs;
    this.#reserve = reserve;
    this.#dataDir = dataDir;
    this.#uploads = prepareUploadStatements(db);
    const s = statements;
    // Each returns the ids of blobs no row references any more: unlinked after the commit.
    this.#replaceObjectTransaction = db.transaction(
      (row: ObjectRow, segments: readonly StoredSegment[], precondition?: Precondition, inlineData?: Buffer) => {
        if (precondition) precondition(this.#readObject(row.bucket, row.key));
        s.replaceObject.run(row);
        if (inlineData) s.replaceInlineData.run(row.bucket, row.key, inlineData);
        else s.deleteInlineData.run(row.bucket, row.key);
        const detached = s.detachSegments.all(row.bucket, row.key);
        segments.forEach(({ blobId, size, partChecksum, partNumber }, seq) =>
          s.attachSegment.run(row.bucket, row.key, seq, blobId, size, partChecksum, partNumber),
        );
        return detached.filter((blobId) => !this.#isReferenced(blobId));
      },
    );
    this.#deleteObjectTransaction = db.transaction((bucket: string, key: string) => {
      if (s.deleteObject.run(bucket, key).changes === 0) return undefined;
      s.deleteInlineData.run(bucket, key);
      return s.detachSegments.all(bucket, key).filter((blobId) => !this.#isReferenced(blobId));
    });
    this.#emptyBucketTransaction = db.transaction((bucket: string) => {
      s.deleteBucketObjects.run(bucket);
      s.deleteBucketInlineData.run(bucket);
      const detached = s.detachBucketSegments.all(bucket);
      for (const uploadId of this.#uploads.deleteBucketUploads.all(bucket)) detached.push(...this.#uploads.deleteParts.all(uploadId));
      return detached.filter((blobId) => !this.#isReferenced(blobId));
    });
  }

  /**
   * Creates directories and schema as needed and collects orphan files; writes nothing else, so
   * a store on a full disk opens (and can be emptied). The space reserve is made by the first
   * write that needs it, which keeps opening a new data dir as cheap as it was.
   */
  static open(options: StoreOptions, io: StoreIo = systemIo): Store {
    const durable = options.durable ?? false;
    // Only the owner may enter a data dir the store creates; one the user made keeps its mode.
    io.fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const db = io.openDatabase(join(options.dataDir, 'metadata.sqlite'), durable);
    try {
      const statements = prepareStatements(db);
      const blobs = BlobFiles.open(options.dataDir, durable, (blobId) => isBlobReferenced(statements, blobId), io.fs);
      return new Store(db, statements, blobs, new SpaceReserve(io.fs, options.dataDir), options.dataDir);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Inserts a bucket, or updates the keys and region of an existing one (keeping its createdAt). */
  upsertBucket(bucket: Omit<BucketRecord, 'createdAt'>): BucketRecord {
    const row = this.#statements.upsertBucket.get({
      name: bucket.name,
      access_key: bucket.accessKey,
      secret_key: bucket.secretKey,
      region: bucket.region,
      created_at: Date.now(),
    });
    if (row === undefined) throw new Error(`upsert of bucket ${bucket.name} returned no row`);
    this.#bucketsByAccessKey.clear();
    return toBucketRecord(row);
  }

  getBucket(name: string): BucketRecord | undefined {
    const row = this.#statements.bucketByName.get(name);
    return row && toBucketRecord(row);
  }

  /** Looked up on every signed request, so found buckets are cached until the next upsertBucket. */
  findBucketByAccessKey(accessKey: string): BucketRecord | undefined {
    const cached = this.#bucketsByAccessKey.get(accessKey);
    if (cached) return cached;
    const row = this.#statements.bucketByAccessKey.get(accessKey);
    if (row === undefined) return undefined;
    const record = Object.freeze(toBucketRecord(row));
    this.#bucketsByAccessKey.set(accessKey, record);
    return record;
  }

  listBuckets(): BucketRecord[] {
    return this.#statements.allBuckets.all().map(toBucketRecord);
  }

  /**
   * Streams `body` to a temp file. On a stream error the temp file is deleted and that error
   * rethrown unchanged. With `mayInline`, a body of at most INLINE_MAX_BYTES stays in memory
   * instead, to be committed inline by commitObject (commitPart takes only file blobs).
   */
  async writeBlob(body: Readable, options: { mayInline?: boolean } = {}): Promise<StagedBlob> {
    this.#assertRoom();
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
      written = await this.#blobs.writeTemp(body);
    } catch (err) {
      throw asStorageFault(err, this.#dataDir);
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
    await this.#blobs.removeTemp(blobId);
  }

  /**
   * Makes `blob` the object's data: renames it into place, then in one transaction runs
   * `precondition` on the current object (if it throws, nothing changes, the blob is removed
   * and the error rethrown unchanged) and replaces the row. The replaced blob is unlinked after
   * the commit; readers that already opened it keep reading it. A blob staged inline is written
   * in the same transaction as the row.
   */
  commitObject(
    bucket: string,
    key: string,
    blob: StagedBlob,
    meta: ObjectMetadata & { etag: string },
    precondition?: Precondition,
  ): ObjectRecord {
    const inlineData = this.#stagedInline.get(blob);
    if (inlineData !== undefined) {
      this.#stagedInline.delete(blob);
      const row = toObjectRow(bucket, key, blob.size, new Date(), meta);
      this.#removeBlobs(this.#writing(() => this.#replaceObjectTransaction(row, [], precondition, inlineData)));
      return this.#remember(toObjectRecord(row), [], inlineData);
    }
    const blobId = this.#staged.get(blob);
    if (blobId === undefined) throw new Error('commitObject: the blob was not staged by this store, or was already committed or discarded');
    this.#staged.delete(blob);
    this.#writing(() => this.#blobs.promote(blobId));
    const segments: readonly StoredSegment[] = [{ blobId, size: blob.size, partChecksum: null, partNumber: null }];
    const row = toObjectRow(bucket, key, blob.size, new Date(), meta);
    let released: string[];
    try {
      released = this.#writing(() => this.#replaceObjectTransaction(row, segments, precondition));
    } catch (err) {
      this.#removeBlobs([blobId]);
      throw err;
    }
    this.#removeBlobs(released);
    const record = toObjectRecord(row);
    this.#segments.set(record, segments);
    return record;
  }

  getObject(bucket: string, key: string): ObjectRecord | undefined {
    const row = this.#statements.objectWithInlineData.get(bucket, key);
    if (row === undefined) return undefined;
    const record = toObjectRecord(row);
    if (row.inline_data !== null) return this.#remember(record, [], row.inline_data);
    return this.#remember(record, this.#statements.segmentsOfObject.all(bucket, key));
  }

  /**
   * The object's bytes (or the inclusive `range` of them). `record` must come from this
   * store's getObject or commitObject; its files are opened before this returns, so the
   * stream delivers exactly that object even if it is overwritten or deleted meanwhile.
   */
  openObjectStream(record: ObjectRecord, range?: ByteRange): Readable {
    const inlineData = this.#inline.get(record);
    if (inlineData !== undefined) return inlineStream(inlineData, range);
    const segments = this.#segments.get(record);
    if (segments === undefined) throw new Error('openObjectStream: the record must come from getObject or commitObject of this store');
    return this.#blobs.openSegments(segments, range);
  }

  /**
   * The bytes (or the inclusive `range` of them) of an object kept inline, as one buffer;
   * undefined for an object in blob files. A small response is cheaper sent whole than streamed.
   */
  inlineBytes(record: ObjectRecord, range?: ByteRange): Buffer | undefined {
    const inlineData = this.#inline.get(record);
    if (inlineData === undefined) return undefined;
    assertRangeWithin(inlineData.length, range);
    return range ? inlineData.subarray(range.start, range.end + 1) : inlineData;
  }

  /**
   * Removes the object's row (one transaction), then its blob. Returns whether it existed.
   * Works on a full disk (see #freeingSpace).
   */
  deleteObject(bucket: string, key: string): boolean {
    const released = this.#freeingSpace(() => this.#deleteObjectTransaction(bucket, key));
    if (released === undefined) return false;
    this.#removeBlobs(released);
    this.#restoreReserve();
    return true;
  }

  listObjects(bucket: string, query: ListQuery): ListPage {
    const s = this.#statements;
    const scan = (from: KeyBound, below: string | undefined, limit: number): Iterable<ObjectRow> => {
      if (below === undefined) return (from.inclusive ? s.scanFrom : s.scanAfter).iterate(bucket, from.key, limit);
      return (from.inclusive ? s.scanFromBelow : s.scanAfterBelow).iterate(bucket, from.key, below, limit);
    };
    const listing = listKeys(scan, query);
    this.#listingRowsVisited += listing.rowsVisited;
    return {
      entries: listing.entries.map((entry) => (entry.kind === 'object' ? { kind: 'object', record: toObjectRecord(entry.row) } : entry)),
      isTruncated: listing.isTruncated,
      ...(listing.lastReturned === undefined ? {} : { lastReturned: listing.lastReturned }),
    };
  }

  /**
   * Rows read from SQLite by all listObjects calls so far: a diagnostic that shows listings
   * seek past common prefixes (about maxKeys + 1 rows a page) instead of walking their keys.
   */
  get listingRowsVisited(): number {
    return this.#listingRowsVisited;
  }

  /** Deletes every object of the bucket in one transaction, then their blobs (test isolation). */
  emptyBucket(bucket: string): void {
    this.#removeBlobs(this.#freeingSpace(() => this.#emptyBucketTransaction(bucket)));
    this.#restoreReserve();
  }

  /**
   * Replaces (or creates) `target` with a copy of `source` made in one transaction: `describe`
   * sees the source as it is then (undefined if missing; it throws to refuse the copy) and returns
   * the copy's metadata. The copy shares the source's blobs; nothing is written but rows.
   */
  copyObject(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    describe: (source: ObjectRecord | undefined) => ObjectMetadata & { etag: string },
    precondition?: Precondition,
  ): ObjectRecord {
    this.#assertRoom();
    const { row, segments, inlineData, released } = this.#writing(() => this.#copyObjectTransaction(source, target, describe, precondition));
    this.#removeBlobs(released);
    return this.#remember(toObjectRecord(row), segments, inlineData);
  }

  /**
   * The parts of an object from getObject/commitObject, in order: part 1 for a PutObject; after a
   * multipart upload, each part with the number it was uploaded with (so they may skip numbers).
   */
  objectParts(record: ObjectRecord): ObjectPart[] {
    if (this.#inline.has(record)) return [{ partNumber: 1, size: record.size }];
    const segments = this.#segments.get(record);
    if (segments === undefined) throw new Error('objectParts: the record must come from getObject or commitObject of this store');
    // No number: a PutObject's single blob, or a part stored before numbers were kept (schema 4).
    return segments.map(({ size, partChecksum, partNumber }, index) => ({
      partNumber: partNumber ?? index + 1,
      size,
      ...(partChecksum === null ? {} : { checksum: partChecksum }),
    }));
  }

  createUpload(bucket: string, key: string, metadata: ObjectMetadata, checksum?: { algorithm: string; type: ChecksumType }): UploadRecord {
    const row = {
      // Opaque, URL-safe and unguessable, like S3's; hex so that no id starts with '-', which
      // command-line clients (aws s3api --upload-id) would read as an option.
      id: randomBytes(32).toString('hex'),
      bucket,
      key,
      metadata: JSON.stringify(metadata),
      checksum_algorithm: checksum?.algorithm ?? null,
      checksum_type: checksum?.type ?? null,
      initiated: Date.now(),
    };
    this.#assertRoom();
    this.#writing(() => this.#uploads.insertUpload.run(row));
    return toUploadRecord({ ...row, completed_at: null, completed_parts: null, completed_etag: null, completed_checksum: null });
  }

  /** An upload, open or completed (then with its `completion`); undefined once aborted or expired. */
  getUpload(uploadId: string): UploadRecord | undefined {
    const row = this.#uploads.uploadById.get(uploadId);
    return row && toUploadRecord(row);
  }

  /**
   * Makes `blob` part `partNumber` of the upload (replacing an earlier part of that number) in
   * one transaction. Undefined, and the blob removed, if the upload is no longer open.
   */
  commitPart(uploadId: string, partNumber: number, blob: StagedBlob, part: { etag: string; checksum?: string; crc64nvme?: string }): PartRecord | undefined {
    const blobId = this.#takeStaged(blob, 'commitPart');
    this.#writing(() => this.#blobs.promote(blobId));
    const row = {
      upload_id: uploadId,
      part_number: partNumber,
      blob_id: blobId,
      size: blob.size,
      etag: part.etag,
      checksum: part.checksum ?? null,
      crc64nvme: part.crc64nvme ?? null,
      last_modified: Date.now(),
    };
    let released: string[] | undefined;
    try {
      released = this.#writing(() => this.#commitPartTransaction(row));
    } catch (err) {
      this.#removeBlobs([blobId]);
      throw err;
    }
    if (released === undefined) {
      this.#removeBlobs([blobId]);
      return undefined;
    }
    this.#removeBlobs(released);
    const record = toPartRecord(row);
    this.#partBlobs.set(record, blobId);
    return record;
  }

  /** Open uploads of the bucket with keys from `fromKey` on, by key then initiation, read lazily. */
  *listUploads(bucket: string, fromKey: string): Generator<UploadRecord> {
    for (const row of this.#uploads.openUploadsFrom.iterate(bucket, fromKey)) yield toUploadRecord(row);
  }

  /** The upload's parts in part-number order. */
  listParts(uploadId: string): PartRecord[] {
    return this.#uploads.partsOfUpload.all(uploadId).map((row) => {
      const record = toPartRecord(row);
      this.#partBlobs.set(record, row.blob_id);
      return record;
    });
  }

  /** The concatenated bytes of parts from listParts (all files opened before this returns). */
  openPartsStream(parts: readonly PartRecord[]): Readable {
    return this.#blobs.openSegments(parts.map((part) => ({ blobId: this.#partBlobOf(part), size: part.size })));
  }

  /**
   * Completes an open upload in one transaction: runs `precondition` on the current object,
   * makes the object the concatenation of `parts` (from listParts; their blobs become the
   * object's, no data is copied), drops the upload's other parts and records `completion` for
   * retries. Undefined (nothing changed) when the upload is no longer open or one of `parts` was
   * replaced meanwhile.
   */
  completeUpload(
    upload: UploadRecord,
    parts: readonly PartRecord[],
    object: { etag: string; checksum?: ObjectMetadata['checksum'] },
    completion: UploadCompletion,
    precondition?: Precondition,
  ): ObjectRecord | undefined {
    const segments: StoredSegment[] = parts.map((part) => ({
      blobId: this.#partBlobOf(part),
      size: part.size,
      partChecksum: part.checksum ?? null,
      partNumber: part.partNumber,
    }));
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    const row = toObjectRow(upload.bucket, upload.key, size, new Date(), { ...upload.metadata, ...object }, parts.length);
    const released = this.#writing(() => this.#completeUploadTransaction(upload.id, parts, row, segments, completion, precondition));
    if (released === undefined) return undefined;
    this.#removeBlobs(released);
    const record = toObjectRecord(row);
    this.#segments.set(record, segments);
    return record;
  }

  /** Deletes an open upload and its parts (works on a full disk). Returns whether there was one. */
  abortUpload(uploadId: string): boolean {
    const released = this.#freeingSpace(() => this.#abortUploadTransaction(uploadId));
    if (released === undefined) return false;
    this.#removeBlobs(released);
    this.#restoreReserve();
    return true;
  }

  /**
   * Deletes uploads initiated (or, once completed, completed) before `cutoff`, with their
   * parts: abandoned uploads must not keep their data forever. Returns how many.
   */
  expireUploads(cutoff: Date): number {
    const { count, released } = this.#freeingSpace(() => this.#expireUploadsTransaction(cutoff.getTime()));
    this.#removeBlobs(released);
    if (count > 0) this.#restoreReserve();
    return count;
  }

  close(): void {
    this.#db.close();
  }

  readonly #copyObjectTransaction = (
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    describe: (source: ObjectRecord | undefined) => ObjectMetadata & { etag: string },
    precondition?: Precondition,
  ) =>
    this.#db.transaction(() => {
      const sourceRecord = this.#readObject(source.bucket, source.key);
      const meta = describe(sourceRecord);
      if (!sourceRecord) throw new Error('copyObject: describe() must refuse a missing source');
      const segments = this.#statements.segmentsOfObject.all(source.bucket, source.key);
      const inlineData = this.#statements.inlineData.get(source.bucket, source.key);
      const row = toObjectRow(target.bucket, target.key, sourceRecord.size, new Date(), meta, sourceRecord.partsCount);
      return { row, segments, inlineData, released: this.#replaceObjectTransaction(row, segments, precondition, inlineData) };
    })();

  readonly #commitPartTransaction = (row: Parameters<UploadStatements['upsertPart']['run']>[0]) =>
    this.#db.transaction((): string[] | undefined => {
      const upload = this.#uploads.uploadById.get(row.upload_id);
      if (!upload || upload.completed_at !== null) return undefined;
      const replaced = this.#uploads.partBlob.get(row.upload_id, row.part_number);
      this.#uploads.upsertPart.run(row);
      return replaced !== undefined && !this.#isReferenced(replaced) ? [replaced] : [];
    })();

  readonly #completeUploadTransaction = (
    uploadId: string,
    parts: readonly PartRecord[],
    row: ObjectRow,
    segments: readonly StoredSegment[],
    completion: UploadCompletion,
    precondition?: Precondition,
  ) =>
    this.#db.transaction((): string[] | undefined => {
      const upload = this.#uploads.uploadById.get(uploadId);
      if (!upload || upload.completed_at !== null) return undefined;
      if (parts.some((part) => this.#uploads.partBlob.get(uploadId, part.partNumber) !== this.#partBlobOf(part))) return undefined;
      const released = this.#replaceObjectTransaction(row, segments, precondition);
      // Parts the completion left out are dropped, as S3 does; the chosen ones now belong to the object.
      released.push(...this.#uploads.deleteParts.all(uploadId));
      this.#uploads.markCompleted.run({
        id: uploadId,
        completed_at: row.last_modified,
        completed_parts: completion.parts,
        completed_etag: completion.etag,
        completed_checksum: completion.checksum ?? null,
      });
      return released.filter((blobId) => !this.#isReferenced(blobId));
    })();

  readonly #abortUploadTransaction = (uploadId: string) =>
    this.#db.transaction((): string[] | undefined => {
      const upload = this.#uploads.uploadById.get(uploadId);
      if (!upload || upload.completed_at !== null) return undefined;
      this.#uploads.deleteUpload.run(uploadId);
      return this.#uploads.deleteParts.all(uploadId).filter((blobId) => !this.#isReferenced(blobId));
    })();

  readonly #expireUploadsTransaction = (cutoff: number) =>
    this.#db.transaction(() => {
      const ids = this.#uploads.deleteUploadsBefore.all(cutoff);
      const detached = ids.flatMap((id) => this.#uploads.deleteParts.all(id));
      return { count: ids.length, released: detached.filter((blobId) => !this.#isReferenced(blobId)) };
    })();

  /** Runs a write; a lack of space or an I/O error comes out as a StorageFault, any other error unchanged. */
  #writing<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      throw asStorageFault(err, this.#dataDir);
    }
  }

  /**
   * Writes that take space wait for the reserve to be in place (made again here once deletes have
   * freed room): otherwise they could fill the room that deletes need on a full disk.
   */
  #assertRoom(): void {
    // No room for the reserve is no room for this write: reported as the file system would.
    if (!this.#writing(() => this.#reserve.ensure())) throw new StorageFault('full', 'ENOSPC', this.#dataDir, undefined);
  }

  /**
   * Runs a delete's transaction. On a full disk SQLite has no room to append the transaction to
   * its WAL: the reserve is released, the WAL checkpointed (so that the next transaction restarts
   * it from its beginning, in blocks it already has) and the transaction run once more.
   */
  #freeingSpace<T>(transaction: () => T): T {
    try {
      return transaction();
    } catch (err) {
      if (!isOutOfSpace(err)) throw asStorageFault(err, this.#dataDir);
    }
    this.#writing(() => this.#reserve.release());
    try {
      this.#db.pragma('wal_checkpoint(RESTART)');
    } catch {
      // A checkpoint that cannot complete leaves the WAL as it was: the retry is still worth it.
    }
    return this.#writing(transaction);
  }

  /** After a delete: makes the reserve again if it was released and there is room now. */
  #restoreReserve(): void {
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
  #removeBlobs(blobIds: readonly string[]): void {
    for (const blobId of blobIds) {
      try {
        this.#blobs.remove(blobId);
      } catch {
        // See above: collected as an orphan at the next open.
      }
    }
  }

  #takeStaged(blob: StagedBlob, caller: string): string {
    const blobId = this.#staged.get(blob);
    if (blobId === undefined) throw new Error(`${caller}: the blob was not staged by this store, or was already committed or discarded`);
    this.#staged.delete(blob);
    return blobId;
  }

  #partBlobOf(part: PartRecord): string {
    const blobId = this.#partBlobs.get(part);
    if (blobId === undefined) throw new Error('the part record must come from listParts or commitPart of this store');
    return blobId;
  }

  /** Records which bytes `record` stands for (see openObjectStream). */
  #remember(record: ObjectRecord, segments: readonly StoredSegment[], inlineData?: Buffer): ObjectRecord {
    this.#segments.set(record, segments);
    if (inlineData !== undefined) this.#inline.set(record, inlineData);
    return record;
  }

  #readObject(bucket: string, key: string): ObjectRecord | undefined {
    const row = this.#statements.objectByKey.get(bucket, key);
    return row && toObjectRecord(row);
  }

  #isReferenced(blobId: string): boolean {
    return isBlobReferenced(this.#statements, blobId);
  }
}

function assertRangeWithin(size: number, range: ByteRange | undefined): void {
  if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.start <= range.end && range.end < size)) {
    throw new Error(`byte range ${range.start}-${range.end} is not within an object of ${size} bytes`);
  }
}

/** The bytes `range` (default: all) of an inline object, as a byte stream. */
function inlineStream(data: Buffer, range?: ByteRange): Readable {
  assertRangeWithin(data.length, range);
  return Readable.from(range ? [data.subarray(range.start, range.end + 1)] : [data], { objectMode: false });
}
