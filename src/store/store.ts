import type Database from 'better-sqlite3';
import fs from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobFiles, type BlobSegment } from './blob-files.js';
import { listKeys, type KeyBound } from './listing.js';
import { isBlobReferenced, prepareStatements, toBucketRecord, toObjectRecord, toObjectRow, type ObjectRow, type Statements } from './metadata.js';
import { openMetadataDatabase } from './schema.js';
import type { BucketRecord, ByteRange, ListPage, ListQuery, ObjectMetadata, ObjectRecord, StagedBlob, StoreOptions } from './types.js';

/** Runs inside the commit's transaction on the object being replaced; throws to refuse the write. */
export type Precondition = (existing: ObjectRecord | undefined) => void;

/**
 * Objects and buckets of one data directory: metadata in SQLite (the single source of
 * truth), bodies in immutable blob files. A write becomes visible only in the transaction
 * that points an object row at its already renamed blob, so a killed process leaves either
 * the old or the new object, plus at worst orphan files that the next open collects.
 */
export class Store {
  readonly #db: Database.Database;
  readonly #statements: Statements;
  readonly #blobs: BlobFiles;
  /** Blob ids of staged blobs not yet committed or discarded. */
  readonly #staged = new WeakMap<StagedBlob, string>();
  /** The data behind each record this store handed out, so a reader gets exactly that object's bytes. */
  readonly #segments = new WeakMap<ObjectRecord, readonly BlobSegment[]>();
  #listingRowsVisited = 0;

  readonly #replaceObjectTransaction: (row: ObjectRow, segments: readonly BlobSegment[], precondition?: Precondition) => string[];
  readonly #deleteObjectTransaction: (bucket: string, key: string) => string[] | undefined;
  readonly #emptyBucketTransaction: (bucket: string) => string[];

  private constructor(db: Database.Database, statements: Statements, blobs: BlobFiles) {
    this.#db = db;
    this.#statements = statements;
    this.#blobs = blobs;
    const s = statements;
    // Each returns the ids of blobs no row references any more: unlinked after the commit.
    this.#replaceObjectTransaction = db.transaction((row: ObjectRow, segments: readonly BlobSegment[], precondition?: Precondition) => {
      if (precondition) precondition(this.#readObject(row.bucket, row.key));
      s.replaceObject.run(row);
      const detached = s.detachSegments.all(row.bucket, row.key);
      segments.forEach(({ blobId, size }, seq) => s.attachSegment.run(row.bucket, row.key, seq, blobId, size));
      return detached.filter((blobId) => !this.#isReferenced(blobId));
    });
    this.#deleteObjectTransaction = db.transaction((bucket: string, key: string) => {
      if (s.deleteObject.run(bucket, key).changes === 0) return undefined;
      return s.detachSegments.all(bucket, key).filter((blobId) => !this.#isReferenced(blobId));
    });
    this.#emptyBucketTransaction = db.transaction((bucket: string) => {
      s.deleteBucketObjects.run(bucket);
      return s.detachBucketSegments.all(bucket).filter((blobId) => !this.#isReferenced(blobId));
    });
  }

  /** Creates directories and schema as needed and collects orphan files. */
  static open(options: StoreOptions): Store {
    const durable = options.durable ?? false;
    fs.mkdirSync(options.dataDir, { recursive: true });
    const db = openMetadataDatabase(join(options.dataDir, 'metadata.sqlite'), durable);
    try {
      const statements = prepareStatements(db);
      const blobs = BlobFiles.open(options.dataDir, durable, (blobId) => isBlobReferenced(statements, blobId));
      return new Store(db, statements, blobs);
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
    return toBucketRecord(row);
  }

  getBucket(name: string): BucketRecord | undefined {
    const row = this.#statements.bucketByName.get(name);
    return row && toBucketRecord(row);
  }

  findBucketByAccessKey(accessKey: string): BucketRecord | undefined {
    const row = this.#statements.bucketByAccessKey.get(accessKey);
    return row && toBucketRecord(row);
  }

  listBuckets(): BucketRecord[] {
    return this.#statements.allBuckets.all().map(toBucketRecord);
  }

  /** Streams `body` to a temp file. On a stream error the temp file is deleted and that error rethrown unchanged. */
  async writeBlob(body: Readable): Promise<StagedBlob> {
    const { blobId, size } = await this.#blobs.writeTemp(body);
    const staged: StagedBlob = Object.freeze({ size });
    this.#staged.set(staged, blobId);
    return staged;
  }

  /** Deletes a staged blob that will not be committed; a no-op once it was committed or discarded. */
  async discardBlob(blob: StagedBlob): Promise<void> {
    const blobId = this.#staged.get(blob);
    if (blobId === undefined) return;
    this.#staged.delete(blob);
    await this.#blobs.removeTemp(blobId);
  }

  /**
   * Makes `blob` the object's data: renames it into place, then in one transaction runs
   * `precondition` on the current object (if it throws, nothing changes, the blob is removed
   * and the error rethrown unchanged) and replaces the row. The replaced blob is unlinked after
   * the commit; readers that already opened it keep reading it.
   */
  commitObject(
    bucket: string,
    key: string,
    blob: StagedBlob,
    meta: ObjectMetadata & { etag: string },
    precondition?: Precondition,
  ): ObjectRecord {
    const blobId = this.#staged.get(blob);
    if (blobId === undefined) throw new Error('commitObject: the blob was not staged by this store, or was already committed or discarded');
    this.#staged.delete(blob);
    this.#blobs.promote(blobId);
    const segments: readonly BlobSegment[] = [{ blobId, size: blob.size }];
    const row = toObjectRow(bucket, key, blob.size, new Date(), meta);
    let released: string[];
    try {
      released = this.#replaceObjectTransaction(row, segments, precondition);
    } catch (err) {
      this.#blobs.remove(blobId);
      throw err;
    }
    for (const releasedId of released) this.#blobs.remove(releasedId);
    const record = toObjectRecord(row);
    this.#segments.set(record, segments);
    return record;
  }

  getObject(bucket: string, key: string): ObjectRecord | undefined {
    const record = this.#readObject(bucket, key);
    if (record) this.#segments.set(record, this.#statements.segmentsOfObject.all(bucket, key));
    return record;
  }

  /**
   * The object's bytes (or the inclusive `range` of them). `record` must come from this
   * store's getObject or commitObject; its files are opened before this returns, so the
   * stream delivers exactly that object even if it is overwritten or deleted meanwhile.
   */
  openObjectStream(record: ObjectRecord, range?: ByteRange): Readable {
    const segments = this.#segments.get(record);
    if (segments === undefined) throw new Error('openObjectStream: the record must come from getObject or commitObject of this store');
    return this.#blobs.openSegments(segments, range);
  }

  /** Removes the object's row (one transaction), then its blob. Returns whether it existed. */
  deleteObject(bucket: string, key: string): boolean {
    const released = this.#deleteObjectTransaction(bucket, key);
    if (released === undefined) return false;
    for (const blobId of released) this.#blobs.remove(blobId);
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
    for (const blobId of this.#emptyBucketTransaction(bucket)) this.#blobs.remove(blobId);
  }

  close(): void {
    this.#db.close();
  }

  #readObject(bucket: string, key: string): ObjectRecord | undefined {
    const row = this.#statements.objectByKey.get(bucket, key);
    return row && toObjectRecord(row);
  }

  #isReferenced(blobId: string): boolean {
    return isBlobReferenced(this.#statements, blobId);
  }
}
