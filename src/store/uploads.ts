import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataDir, StagedBlob } from './data-dir.js';
import { toObjectRecord, toObjectRow, type ObjectRow, type StoredSegment } from './metadata.js';
import { prepareUploadStatements, toPartRecord, toUploadRecord, type PartRow, type UploadRow, type UploadStatements } from './multipart-metadata.js';
import type {
  ChecksumType,
  ObjectMetadata,
  ObjectRecord,
  PartDescription,
  PartRecord,
  Precondition,
  UploadCompletion,
  UploadRecord,
  UploadPartInput,
  UploadStore,
} from './types.js';

/** Open uploads read per query by listUploads: a listing usually stops within the first page. */
const UPLOAD_PAGE_ROWS = 100;

/**
 * The multipart uploads of a SQLite store's data dir. A part is one blob file; completing an
 * upload points the object at its part blobs (no data is copied). Like the store's objects,
 * every change is one transaction and a blob is unlinked only after the transaction that
 * released it.
 */
export class SqliteUploads implements UploadStore {
  readonly #data: DataDir;
  readonly #statements: UploadStatements;
  /** The blob behind each part record handed out. */
  readonly #partBlobs = new WeakMap<PartRecord, string>();

  // Each returns the ids of blobs no row references any more (unlinked after the commit), or
  // undefined when the upload is no longer open (nothing changed).
  readonly #commitPartTransaction: (row: PartRow) => string[] | undefined;
  readonly #completeTransaction: (
    uploadId: string,
    parts: readonly PartRecord[],
    row: ObjectRow,
    segments: readonly StoredSegment[],
    completion: UploadCompletion,
    precondition?: Precondition,
  ) => string[] | undefined;
  readonly #abortTransaction: (uploadId: string) => string[] | undefined;
  readonly #expireTransaction: (cutoff: number) => { count: number; released: string[] };

  constructor(data: DataDir) {
    this.#data = data;
    const s = (this.#statements = prepareUploadStatements(data.db));
    const isOpen = (uploadId: string) => {
      const upload = s.uploadById.get(uploadId);
      return upload !== undefined && upload.completed_at === null;
    };
    this.#commitPartTransaction = data.db.transaction((row: PartRow) => {
      if (!isOpen(row.upload_id)) return undefined;
      const replaced = s.partBlob.get(row.upload_id, row.part_number);
      s.upsertPart.run(row);
      return replaced === undefined ? [] : data.unreferenced([replaced]);
    });
    this.#completeTransaction = data.db.transaction(
      (uploadId: string, parts: readonly PartRecord[], row: ObjectRow, segments: readonly StoredSegment[], completion: UploadCompletion, precondition?: Precondition) => {
        if (!isOpen(uploadId)) return undefined;
        if (parts.some((part) => s.partBlob.get(uploadId, part.partNumber) !== this.#partBlobOf(part))) return undefined;
        const released = data.replaceObject(row, segments, precondition);
        // Parts the completion left out are dropped, as S3 does; the chosen ones now belong to the object.
        released.push(...s.deleteParts.all(uploadId));
        s.markCompleted.run({
          id: uploadId,
          completed_at: row.last_modified,
          completed_parts: completion.parts,
          completed_etag: completion.etag,
          completed_checksum: completion.checksum ?? null,
        });
        return data.unreferenced(released);
      },
    );
    this.#abortTransaction = data.db.transaction((uploadId: string) => {
      if (!isOpen(uploadId)) return undefined;
      s.deleteUpload.run(uploadId);
      return data.unreferenced(s.deleteParts.all(uploadId));
    });
    this.#expireTransaction = data.db.transaction((cutoff: number) => {
      const ids = s.deleteUploadsBefore.all(cutoff);
      return { count: ids.length, released: data.unreferenced(ids.flatMap((id) => s.deleteParts.all(id))) };
    });
  }

  async createUpload(bucket: string, key: string, metadata: ObjectMetadata, checksum?: { algorithm: string; type: ChecksumType }): Promise<UploadRecord> {
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
    this.#data.assertRoom();
    this.#data.writing(() => this.#statements.insertUpload.run(row));
    return toUploadRecord({ ...row, completed_at: null, completed_parts: null, completed_etag: null, completed_checksum: null });
  }

  async getUpload(uploadId: string): Promise<UploadRecord | undefined> {
    const row = this.#statements.uploadById.get(uploadId);
    return row && toUploadRecord(row);
  }

  async uploadPart(uploadId: string, partNumber: number, { body, describe }: UploadPartInput): Promise<PartRecord | undefined> {
    const { blob, description } = await this.#data.writeDescribed(body, describe);
    return this.commitPart(uploadId, partNumber, blob, description);
  }

  /**
   * Makes `blob` (staged in a file by writeBlob) part `partNumber` of the upload, replacing an
   * earlier part of that number, in one transaction. Undefined, and the blob removed, if the
   * upload is no longer open.
   */
  commitPart(uploadId: string, partNumber: number, blob: StagedBlob, part: PartDescription): PartRecord | undefined {
    const data = this.#data;
    const blobId = data.takeStaged(blob, 'commitPart');
    data.writing(() => data.blobs.promote(blobId));
    const row: PartRow = {
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
      released = data.writing(() => this.#commitPartTransaction(row));
    } catch (err) {
      data.removeBlobs([blobId]);
      throw err;
    }
    if (released === undefined) {
      data.removeBlobs([blobId]);
      return undefined;
    }
    data.removeBlobs(released);
    const record = toPartRecord(row);
    this.#partBlobs.set(record, blobId);
    return record;
  }

  /** Pages are read with `.all()`: an open statement iterator would keep the connection busy across the caller's awaits. */
  async *listUploads(bucket: string, fromKey: string): AsyncGenerator<UploadRecord> {
    let after: Pick<UploadRow, 'key' | 'initiated' | 'id'> = { key: fromKey, initiated: -1, id: '' };
    for (;;) {
      const rows = this.#statements.openUploadsAfter.all({ bucket, ...after, limit: UPLOAD_PAGE_ROWS });
      for (const row of rows) yield toUploadRecord(row);
      if (rows.length < UPLOAD_PAGE_ROWS) return;
      after = rows[rows.length - 1];
    }
  }

  async listParts(uploadId: string): Promise<PartRecord[]> {
    return this.#statements.partsOfUpload.all(uploadId).map((row) => {
      const record = toPartRecord(row);
      this.#partBlobs.set(record, row.blob_id);
      return record;
    });
  }

  async readParts(parts: readonly PartRecord[]): Promise<Readable> {
    return this.openPartsStream(parts);
  }

  /** The concatenated bytes of parts from listParts (all files opened before this returns). */
  openPartsStream(parts: readonly PartRecord[]): Readable {
    return this.#data.blobs.openSegments(parts.map((part) => ({ blobId: this.#partBlobOf(part), size: part.size })));
  }

  async completeUpload(
    upload: UploadRecord,
    parts: readonly PartRecord[],
    object: { etag: string; checksum?: ObjectMetadata['checksum'] },
    completion: UploadCompletion,
    precondition?: Precondition,
  ): Promise<ObjectRecord | undefined> {
    const segments: StoredSegment[] = parts.map((part) => ({
      blobId: this.#partBlobOf(part),
      size: part.size,
      partChecksum: part.checksum ?? null,
      partNumber: part.partNumber,
    }));
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    const row = toObjectRow(upload.bucket, upload.key, size, new Date(), { ...upload.metadata, ...object }, parts.length);
    const released = this.#data.writing(() => this.#completeTransaction(upload.id, parts, row, segments, completion, precondition));
    if (released === undefined) return undefined;
    this.#data.removeBlobs(released);
    return this.#data.remember(toObjectRecord(row), segments);
  }

  async abortUpload(uploadId: string): Promise<boolean> {
    const released = this.#data.freeingSpace(() => this.#abortTransaction(uploadId));
    if (released === undefined) return false;
    this.#data.removeBlobs(released);
    this.#data.restoreReserve();
    return true;
  }

  async expireUploads(cutoff: Date): Promise<number> {
    const { count, released } = this.#data.freeingSpace(() => this.#expireTransaction(cutoff.getTime()));
    this.#data.removeBlobs(released);
    if (count > 0) this.#data.restoreReserve();
    return count;
  }

  /** Inside the caller's transaction: deletes the bucket's uploads and their parts; returns the parts' blob ids. */
  detachBucketUploads(bucket: string): string[] {
    return this.#statements.deleteBucketUploads.all(bucket).flatMap((uploadId) => this.#statements.deleteParts.all(uploadId));
  }

  #partBlobOf(part: PartRecord): string {
    const blobId = this.#partBlobs.get(part);
    if (blobId === undefined) throw new Error('the part record must come from listParts or commitPart of this store');
    return blobId;
  }
}
