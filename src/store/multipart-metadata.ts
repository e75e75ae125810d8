import type Database from 'better-sqlite3';
import type { ObjectMetadata, PartRecord, UploadRecord } from './types.js';

export interface UploadRow {
  id: string;
  bucket: string;
  key: string;
  metadata: string;
  checksum_algorithm: string | null;
  checksum_type: 'FULL_OBJECT' | 'COMPOSITE' | null;
  initiated: number;
  completed_at: number | null;
  completed_parts: string | null;
  completed_etag: string | null;
  completed_checksum: string | null;
}

export interface PartRow {
  upload_id: string;
  part_number: number;
  blob_id: string;
  size: number;
  etag: string;
  checksum: string | null;
  crc64nvme: string | null;
  last_modified: number;
}

type Statement<P extends unknown[] | object = unknown[], R = unknown> = Database.Statement<P, R>;

/** The statements of multipart uploads (named so that declaration files can spell the type). */
export interface UploadStatements {
  insertUpload: Statement<Omit<UploadRow, 'completed_at' | 'completed_parts' | 'completed_etag' | 'completed_checksum'>>;
  uploadById: Statement<[id: string], UploadRow>;
  markCompleted: Statement<{ id: string; completed_at: number; completed_parts: string; completed_etag: string; completed_checksum: string | null }>;
  deleteUpload: Statement<[id: string]>;
  /** Uploads (open, or completed and kept for retries) that are older than the cutoff; returns their ids. */
  deleteUploadsBefore: Statement<[cutoff: number], string>;
  deleteBucketUploads: Statement<[bucket: string], string>;
  /**
   * A page of a bucket's open uploads in S3's listing order (key, then initiation), from `key`
   * on and after the upload (`key`, `initiated`, `id`): the first page passes initiated -1.
   */
  openUploadsAfter: Statement<{ bucket: string; key: string; initiated: number; id: string; limit: number }, UploadRow>;
  upsertPart: Statement<PartRow>;
  partBlob: Statement<[uploadId: string, partNumber: number], string>;
  partsOfUpload: Statement<[uploadId: string], PartRow>;
  /** Removes every part row of the upload; returns their blob ids. */
  deleteParts: Statement<[uploadId: string], string>;
}

export function prepareUploadStatements(db: Database.Database): UploadStatements {
  return {
    insertUpload: db.prepare(
      `INSERT INTO multipart_uploads (id, bucket, key, metadata, checksum_algorithm, checksum_type, initiated)
       VALUES (@id, @bucket, @key, @metadata, @checksum_algorithm, @checksum_type, @initiated)`,
    ),
    uploadById: db.prepare<[id: string], UploadRow>('SELECT * FROM multipart_uploads WHERE id = ?'),
    markCompleted: db.prepare(
      `UPDATE multipart_uploads SET completed_at = @completed_at, completed_parts = @completed_parts,
       completed_etag = @completed_etag, completed_checksum = @completed_checksum WHERE id = @id`,
    ),
    deleteUpload: db.prepare<[id: string]>('DELETE FROM multipart_uploads WHERE id = ?'),
    deleteUploadsBefore: db
      .prepare<[cutoff: number], string>('DELETE FROM multipart_uploads WHERE coalesce(completed_at, initiated) < ? RETURNING id')
      .pluck(),
    deleteBucketUploads: db.prepare<[bucket: string], string>('DELETE FROM multipart_uploads WHERE bucket = ? RETURNING id').pluck(),
    openUploadsAfter: db.prepare<{ bucket: string; key: string; initiated: number; id: string; limit: number }, UploadRow>(
      `SELECT * FROM multipart_uploads
       WHERE bucket = @bucket AND key >= @key AND (key, initiated, id) > (@key, @initiated, @id) AND completed_at IS NULL
       ORDER BY key, initiated, id LIMIT @limit`,
    ),
    upsertPart: db.prepare(
      `REPLACE INTO upload_parts (upload_id, part_number, blob_id, size, etag, checksum, crc64nvme, last_modified)
       VALUES (@upload_id, @part_number, @blob_id, @size, @etag, @checksum, @crc64nvme, @last_modified)`,
    ),
    partBlob: db
      .prepare<[uploadId: string, partNumber: number], string>('SELECT blob_id FROM upload_parts WHERE upload_id = ? AND part_number = ?')
      .pluck(),
    partsOfUpload: db.prepare<[uploadId: string], PartRow>('SELECT * FROM upload_parts WHERE upload_id = ? ORDER BY part_number'),
    deleteParts: db.prepare<[uploadId: string], string>('DELETE FROM upload_parts WHERE upload_id = ? RETURNING blob_id').pluck(),
  };
}

export function toUploadRecord(row: UploadRow): UploadRecord {
  const record: UploadRecord = {
    id: row.id,
    bucket: row.bucket,
    key: row.key,
    initiated: new Date(row.initiated),
    metadata: JSON.parse(row.metadata) as ObjectMetadata,
  };
  if (row.checksum_algorithm !== null && row.checksum_type !== null) {
    record.checksum = { algorithm: row.checksum_algorithm, type: row.checksum_type };
  }
  if (row.completed_at !== null && row.completed_parts !== null && row.completed_etag !== null) {
    record.completion = {
      parts: row.completed_parts,
      etag: row.completed_etag,
      ...(row.completed_checksum === null ? {} : { checksum: row.completed_checksum }),
    };
  }
  return record;
}

export function toPartRecord(row: PartRow): PartRecord {
  return {
    partNumber: row.part_number,
    size: row.size,
    etag: row.etag,
    ...(row.checksum === null ? {} : { checksum: row.checksum }),
    ...(row.crc64nvme === null ? {} : { crc64nvme: row.crc64nvme }),
    lastModified: new Date(row.last_modified),
  };
}
