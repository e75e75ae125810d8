export interface BucketRecord {
  name: string;
  accessKey: string;
  secretKey: string;
  region: string;
  createdAt: Date;
}

/** What PutObject stores and GET/HEAD return. */
export interface ObjectMetadata {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
  /** x-amz-meta-* headers: lower-case names without the prefix. */
  userMetadata: Record<string, string>;
  checksum?: { algorithm: string; value: string; type: 'FULL_OBJECT' | 'COMPOSITE' };
}

export interface ObjectRecord extends ObjectMetadata {
  bucket: string;
  key: string;
  size: number;
  /** Quoted, as sent in the ETag header. */
  etag: string;
  lastModified: Date;
  /** Number of parts of an object made by CompleteMultipartUpload (absent for a single PUT). */
  partsCount?: number;
}

/** A body written to a temp file and flushed, not yet visible as an object. */
export interface StagedBlob {
  readonly size: number;
}

export type ListEntry = { kind: 'object'; record: ObjectRecord } | { kind: 'prefix'; prefix: string };

export interface ListPage {
  /** In key order (UTF-8 bytes), common prefixes interleaved where they sort. */
  entries: ListEntry[];
  isTruncated: boolean;
  /** The last key or common prefix in `entries`, for NextMarker / continuation tokens. */
  lastReturned?: string;
}

export interface ListQuery {
  prefix?: string;
  delimiter?: string;
  /** Exclusive lower bound: marker, start-after or a decoded continuation token; may be a common prefix. */
  after?: string;
  maxKeys: number;
}

export interface ByteRange {
  start: number;
  /** Inclusive, as in the HTTP Range header. */
  end: number;
}

export interface StoreOptions {
  dataDir: string;
  /** fsync blob files and their directories, and SQLite synchronous=FULL: survive power loss, not only kill -9. */
  durable?: boolean;
}

export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

/** A multipart upload: created by CreateMultipartUpload, open until completed, aborted or expired. */
export interface UploadRecord {
  id: string;
  bucket: string;
  key: string;
  initiated: Date;
  /** What the completed object will carry (content headers, user metadata); no checksum. */
  metadata: ObjectMetadata;
  /** The checksum algorithm and type the upload was created with. */
  checksum?: { algorithm: string; type: ChecksumType };
  /** Set once completed: the answer to give a retry of the same completion. */
  completion?: UploadCompletion;
}

export interface UploadCompletion {
  /** The completion's part list, canonical ("number:etag" lines): a retry must send the same. */
  parts: string;
  etag: string;
  /** The object's checksum value (of the upload's algorithm and type). */
  checksum?: string;
}

export interface PartRecord {
  partNumber: number;
  size: number;
  /** Quoted. */
  etag: string;
  /** Base64 value of the upload's checksum algorithm, when there is one. */
  checksum?: string;
  /**
   * Base64 CRC64NVME of the part's bytes, for an upload created without a checksum algorithm:
   * its object gets S3's default checksum, combined from these. Never listed (S3's ListParts
   * shows no checksum for such parts).
   */
  crc64nvme?: string;
  lastModified: Date;
}

/** One part of a stored object (a PutObject is part 1). */
export interface ObjectPart {
  /** The number the part was uploaded with (CompleteMultipartUpload's PartNumber), 1..10000. */
  partNumber: number;
  /** Bytes. */
  size: number;
  checksum?: string;
}
