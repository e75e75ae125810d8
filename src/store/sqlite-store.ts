import type Database from 'better-sqlite3';
import fs from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobFiles } from './blob-files.js';
import { DataDir, type StagedBlob } from './data-dir.js';
import type { FileSystem } from './file-system.js';
import { InMemoryBody } from './in-memory-body.js';
import { listKeys, type KeyBound } from './listing.js';
import {
  isBlobReferenced,
  prepareStatements,
  toBucketRecord,
  toObjectRecord,
  toObjectRow,
  type ObjectRow,
  type StoredSegment,
} from './metadata.js';
import { openMetadataDatabase } from './schema.js';
import { SpaceReserve } from './space-reserve.js';
import { SqliteUploads } from './uploads.js';
import type {
  BucketRecord,
  ByteRange,
  ChecksumType,
  ListedObject,
  ListPage,
  ListQuery,
  ObjectDescription,
  ObjectMetadata,
  ObjectPart,
  ObjectRecord,
  PartDescription,
  PartRecord,
  Precondition,
  PutObjectInput,
  Store,
  StoreOptions,
  UploadCompletion,
  UploadPartInput,
  UploadRecord,
} from './types.js';

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
 * The Store of one data directory: metadata in SQLite (the single source of truth), bodies in
 * immutable blob files or, when small, inline in SQLite. A write becomes visible only in the
 * transaction that points an object row at its already renamed blob (or writes row and inline
 * bytes together), so a killed process leaves either the old or the new object, plus at worst
 * orphan files that the next open collects.
 *
 * A write the disk refuses (no space, I/O error) throws a StorageFault once nothing of it is
 * left; deletes keep working on a full disk thanks to a space reserve (see SpaceReserve).
 *
 * SQLite answers synchronously: but for reading a body (putObject, uploadPart), each Store method
 * has done its work when it returns its promise. The two steps of a write (writeBlob, then
 * commitObject or commitPart) and the synchronous reads (openObjectStream, inlineBytes,
 * openPartsStream) are this store's own: its Store methods are made of them, and its tests
 * reach a crash or a fault between the steps through them.
 */
export class SqliteStore implements Store {
  readonly #data: DataDir;
  readonly #uploads: SqliteUploads;
  /** Only buckets that exist: a flood of unknown keys cannot grow it. */
  readonly #bucketsByAccessKey = new Map<string, Readonly<BucketRecord>>();
  #listingRowsVisited = 0;

  // Each returns the ids of blobs no row references any more: unlinked after the commit.
  readonly #deleteObjectTransaction: (bucket: string, key: string) => string[] | undefined;
  readonly #emptyBucketTransaction: (bucket: string) => string[];
  readonly #copyObjectTransaction: (
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    describe: (source: ObjectRecord | undefined) => ObjectDescription,
    precondition?: Precondition,
  ) => { row: ObjectRow; segments: StoredSegment[]; inlineData: Buffer | undefined; released: string[] };

  private constructor(data: DataDir) {
    this.#data = data;
    this.#uploads = new SqliteUploads(data);
    const s = data.statements;
    this.#deleteObjectTransaction = data.db.transaction((bucket: string, key: string) => {
      if (s.deleteObject.run(bucket, key).changes === 0) return undefined;
      // An object has inline bytes or blob segments, never both: an inline one has no segments to look for.
      if (s.deleteInlineData.run(bucket, key).changes > 0) return [];
      return data.unreferenced(s.detachSegments.all(bucket, key));
    });
    this.#emptyBucketTransaction = data.db.transaction((bucket: string) => {
      s.deleteBucketObjects.run(bucket);
      s.deleteBucketInlineData.run(bucket);
      const detached = s.detachBucketSegments.all(bucket);
      detached.push(...this.#uploads.detachBucketUploads(bucket));
      return data.unreferenced(detached);
    });
    this.#copyObjectTransaction = data.db.transaction(
      (
        source: { bucket: string; key: string },
        target: { bucket: string; key: string },
        describe: (source: ObjectRecord | undefined) => ObjectDescription,
        precondition?: Precondition,
      ) => {
        const sourceRecord = data.readObject(source.bucket, source.key);
        const meta = describe(sourceRecord);
        if (!sourceRecord) throw new Error('copyObject: describe() must refuse a missing source');
        const segments = s.segmentsOfObject.all(source.bucket, source.key);
        const inlineData = s.inlineData.get(source.bucket, source.key);
        const row = toObjectRow(target.bucket, target.key, sourceRecord.size, new Date(), meta, sourceRecord.partsCount);
        return { row, segments, inlineData, released: data.replaceObject(row, segments, precondition, inlineData) };
      },
    );
  }

  /**
   * Creates directories and schema as needed and collects orphan files; writes nothing else, so
   * a store on a full disk opens (and can be emptied). The space reserve is made by the first
   * write that needs it, which keeps opening a new data dir as cheap as it was.
   * @throws Error when another store has the data dir open, or its schema is newer than this version's.
   */
  static open(options: StoreOptions, io: StoreIo = systemIo): SqliteStore {
    const durable = options.durable ?? false;
    // Only the owner may enter a data dir the store creates; one the user made keeps its mode.
    io.fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const db = io.openDatabase(join(options.dataDir, 'metadata.sqlite'), durable);
    try {
      const statements = prepareStatements(db);
      const blobs = BlobFiles.open(options.dataDir, durable, (blobId) => isBlobReferenced(statements, blobId), io.fs);
      return new SqliteStore(new DataDir(db, statements, blobs, new SpaceReserve(io.fs, options.dataDir), options.dataDir));
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async upsertBucket(bucket: Omit<BucketRecord, 'createdAt'>): Promise<BucketRecord> {
    const row = this.#data.statements.upsertBucket.get({
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

  async getBucket(name: string): Promise<BucketRecord | undefined> {
    const row = this.#data.statements.bucketByName.get(name);
    return row && toBucketRecord(row);
  }

  /** Found buckets are cached (frozen) until the next upsertBucket. */
  async findBucketByAccessKey(accessKey: string): Promise<BucketRecord | undefined> {
    const cached = this.#bucketsByAccessKey.get(accessKey);
    if (cached) return cached;
    const row = this.#data.statements.bucketByAccessKey.get(accessKey);
    if (row === undefined) return undefined;
    const record = Object.freeze(toBucketRecord(row));
    this.#bucketsByAccessKey.set(accessKey, record);
    return record;
  }

  async listBuckets(): Promise<BucketRecord[]> {
    return this.#data.statements.allBuckets.all().map(toBucketRecord);
  }

  /**
   * Streams `body` to a temp file, the first step of a write (see DataDir.writeBlob); with
   * `mayInline`, a small body is kept in memory to be committed inline.
   */
  writeBlob(body: Readable, options: { mayInline?: boolean } = {}): Promise<StagedBlob> {
    return this.#data.writeBlob(body, options);
  }

  /** Deletes a staged blob that will not be committed; a no-op once it was committed or discarded. */
  discardBlob(blob: StagedBlob): Promise<void> {
    return this.#data.discardBlob(blob);
  }

  async putObject(bucket: string, key: string, { body, describe, precondition, mayInline }: PutObjectInput): Promise<ObjectRecord> {
    const { blob, description } = await this.#data.writeDescribed(body, describe, { mayInline });
    return this.commitObject(bucket, key, blob, description, precondition);
  }

  /**
   * Makes `blob` the object's data: renames it into place, then in one transaction runs
   * `precondition` on the current object (if it throws, nothing changes, the blob is removed
   * and the error rethrown unchanged) and replaces the row. The replaced blob is unlinked after
   * the commit; readers that already opened it keep reading it. A blob staged inline is written
   * in the same transaction as the row.
   */
  commitObject(bucket: string, key: string, blob: StagedBlob, meta: ObjectDescription, precondition?: Precondition): ObjectRecord {
    const data = this.#data;
    const inlineData = data.takeStagedInline(blob);
    if (inlineData !== undefined) {
      const row = toObjectRow(bucket, key, blob.size, new Date(), meta);
      data.removeBlobs(data.writing(() => data.replaceObject(row, [], precondition, inlineData)));
      return data.remember(toObjectRecord(row), [], inlineData);
    }
    const blobId = data.takeStaged(blob, 'commitObject');
    data.writing(() => data.blobs.promote(blobId));
    const segments: readonly StoredSegment[] = [{ blobId, size: blob.size, partChecksum: null, partNumber: null }];
    const row = toObjectRow(bucket, key, blob.size, new Date(), meta);
    let released: string[];
    try {
      released = data.writing(() => data.replaceObject(row, segments, precondition));
    } catch (err) {
      data.removeBlobs([blobId]);
      throw err;
    }
    data.removeBlobs(released);
    return data.remember(toObjectRecord(row), segments);
  }

  async getObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    const row = this.#data.statements.objectWithInlineData.get(bucket, key);
    if (row === undefined) return undefined;
    const record = toObjectRecord(row);
    if (row.inline_data !== null) return this.#data.remember(record, [], row.inline_data);
    return this.#data.remember(record, this.#data.statements.segmentsOfObject.all(bucket, key));
  }

  /**
   * The object's row and blob list, but not the bytes of an object kept inline: an object has
   * either inline bytes or blob segments, so no segments means inline. Reading those bytes costs
   * a B-tree leaf and an overflow page of object_inline that HeadObject never sends.
   */
  async headObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    const row = this.#data.statements.objectWithSegmentFlag.get(bucket, key);
    if (row === undefined) return undefined;
    if (!row.has_segments) return this.#data.remember(toObjectRecord(row), [], null);
    return this.#data.remember(toObjectRecord(row), this.#data.statements.segmentsOfObject.all(bucket, key));
  }

  /** An inline object comes as an InMemoryBody; any other as a stream over its blob files, opened before this resolves. */
  async readObject(record: ObjectRecord, range?: ByteRange): Promise<Readable> {
    const inline = this.inlineBytes(record, range);
    return inline === undefined ? this.openObjectStream(record, range) : new InMemoryBody(inline);
  }

  /**
   * The object's bytes (or the inclusive `range` of them). `record` must come from this
   * store; its files are opened before this returns, so the stream delivers exactly that
   * object even if it is overwritten or deleted meanwhile.
   */
  openObjectStream(record: ObjectRecord, range?: ByteRange): Readable {
    const inlineData = this.#data.inlineOf(record, 'openObjectStream');
    if (inlineData !== undefined) return new InMemoryBody(sliceWithin(inlineData, range));
    return this.#data.blobs.openSegments(this.#data.segmentsOf(record, 'openObjectStream'), range);
  }

  /** The bytes (or the inclusive `range` of them) of an object kept inline; undefined for an object in blob files. */
  inlineBytes(record: ObjectRecord, range?: ByteRange): Buffer | undefined {
    const inlineData = this.#data.inlineOf(record, 'inlineBytes');
    return inlineData && sliceWithin(inlineData, range);
  }

  /** Removes the object's row (one transaction), then its blob. Works on a full disk. */
  async deleteObject(bucket: string, key: string): Promise<boolean> {
    const released = this.#data.freeingSpace(() => this.#deleteObjectTransaction(bucket, key));
    if (released === undefined) return false;
    this.#data.removeBlobs(released);
    this.#data.restoreReserve();
    return true;
  }

  /** Walks the (bucket, key) primary key, seeking past each common prefix instead of reading its keys. */
  async listObjects(bucket: string, query: ListQuery): Promise<ListPage> {
    const s = this.#data.statements;
    // Without a delimiter every row a scan reads is listed: all of them in one call into SQLite.
    // With one, a common prefix ends the scan at its first row: row by row.
    const rowByRow = Boolean(query.delimiter);
    const scan = (from: KeyBound, below: string | undefined, limit: number): Iterable<ListedObject> => {
      if (below === undefined) {
        const statement = from.inclusive ? s.scanFrom : s.scanAfter;
        return rowByRow ? statement.iterate(bucket, from.key, limit) : statement.all(bucket, from.key, limit);
      }
      const statement = from.inclusive ? s.scanFromBelow : s.scanAfterBelow;
      return rowByRow ? statement.iterate(bucket, from.key, below, limit) : statement.all(bucket, from.key, below, limit);
    };
    const listing = listKeys(scan, query);
    this.#listingRowsVisited += listing.rowsVisited;
    return {
      entries: listing.entries,
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

  /** Deletes every object and upload of the bucket in one transaction, then their blobs. */
  async emptyBucket(bucket: string): Promise<void> {
    this.#data.removeBlobs(this.#data.freeingSpace(() => this.#emptyBucketTransaction(bucket)));
    this.#data.restoreReserve();
  }

  /** The copy shares the source's blobs (or inline bytes): nothing is written but rows. */
  async copyObject(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    describe: (source: ObjectRecord | undefined) => ObjectDescription,
    precondition?: Precondition,
  ): Promise<ObjectRecord> {
    const data = this.#data;
    data.assertRoom();
    const { row, segments, inlineData, released } = data.writing(() => this.#copyObjectTransaction(source, target, describe, precondition));
    data.removeBlobs(released);
    return data.remember(toObjectRecord(row), segments, inlineData);
  }

  async objectParts(record: ObjectRecord): Promise<ObjectPart[]> {
    if (this.#data.isInline(record)) return [{ partNumber: 1, size: record.size }];
    // No number: a PutObject's single blob, or a part stored before numbers were kept (schema 4).
    return this.#data.segmentsOf(record, 'objectParts').map(({ size, partChecksum, partNumber }, index) => ({
      partNumber: partNumber ?? index + 1,
      size,
      ...(partChecksum === null ? {} : { checksum: partChecksum }),
    }));
  }

  createUpload(bucket: string, key: string, metadata: ObjectMetadata, checksum?: { algorithm: string; type: ChecksumType }): Promise<UploadRecord> {
    return this.#uploads.createUpload(bucket, key, metadata, checksum);
  }

  getUpload(uploadId: string): Promise<UploadRecord | undefined> {
    return this.#uploads.getUpload(uploadId);
  }

  uploadPart(uploadId: string, partNumber: number, input: UploadPartInput): Promise<PartRecord | undefined> {
    return this.#uploads.uploadPart(uploadId, partNumber, input);
  }

  /** The second step of UploadPart after writeBlob (see SqliteUploads.commitPart). */
  commitPart(uploadId: string, partNumber: number, blob: StagedBlob, part: PartDescription): PartRecord | undefined {
    return this.#uploads.commitPart(uploadId, partNumber, blob, part);
  }

  listUploads(bucket: string, fromKey: string): AsyncIterable<UploadRecord> {
    return this.#uploads.listUploads(bucket, fromKey);
  }

  listParts(uploadId: string): Promise<PartRecord[]> {
    return this.#uploads.listParts(uploadId);
  }

  readParts(parts: readonly PartRecord[]): Promise<Readable> {
    return this.#uploads.readParts(parts);
  }

  /** The concatenated bytes of parts from listParts (all files opened before this returns). */
  openPartsStream(parts: readonly PartRecord[]): Readable {
    return this.#uploads.openPartsStream(parts);
  }

  completeUpload(
    upload: UploadRecord,
    parts: readonly PartRecord[],
    object: { etag: string; checksum?: ObjectMetadata['checksum'] },
    completion: UploadCompletion,
    precondition?: Precondition,
  ): Promise<ObjectRecord | undefined> {
    return this.#uploads.completeUpload(upload, parts, object, completion, precondition);
  }

  abortUpload(uploadId: string): Promise<boolean> {
    return this.#uploads.abortUpload(uploadId);
  }

  expireUploads(cutoff: Date): Promise<number> {
    return this.#uploads.expireUploads(cutoff);
  }

  async close(): Promise<void> {
    this.#data.close();
  }
}

/** The bytes `range` (default: all) of an inline object. */
function sliceWithin(data: Buffer, range: ByteRange | undefined): Buffer {
  if (range === undefined) return data;
  if (!(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.start <= range.end && range.end < data.length)) {
    throw new Error(`byte range ${range.start}-${range.end} is not within an object of ${data.length} bytes`);
  }
  return data.subarray(range.start, range.end + 1);
}
