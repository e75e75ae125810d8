import type { Readable } from 'node:stream';

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

/** What a listing (ListObjects, ListObjectsV2) shows of an object: these fields of its ObjectRecord. */
export interface ListedObject {
  key: string;
  size: number;
  /** Quoted, as sent in the ETag header. */
  etag: string;
  lastModified: Date;
  checksum?: { algorithm: string; type: 'FULL_OBJECT' | 'COMPOSITE' };
}

export type ListEntry = { kind: 'object'; record: ListedObject } | { kind: 'prefix'; prefix: string };

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

/** What an object is stored with: its metadata and its ETag (quoted), known once its bytes are. */
export type ObjectDescription = ObjectMetadata & { etag: string };

/** What a part is stored with, known once its bytes are (see PartRecord). */
export type PartDescription = Pick<PartRecord, 'etag' | 'checksum' | 'crc64nvme'>;

/**
 * Decides, on the object a write is about to replace (undefined: there is none), whether the
 * write may happen; throws (an S3Error) to refuse it. A store runs it on the object as it is at
 * the moment of the replacement (in the replacing transaction, or checked again by a
 * compare-and-swap), so it must be a pure function of `existing`: it may run more than once.
 * S3's conditional writes: https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 */
export type Precondition = (existing: ObjectRecord | undefined) => void;

/** A body to store as an object (see ObjectStore.putObject). */
export interface PutObjectInput {
  /** The object's bytes, read to their end before anything is stored. */
  body: Readable;
  /**
   * The body's length in bytes, when the request declared it (Content-Length,
   * x-amz-decoded-content-length). A store that must announce the length before the first byte
   * (the S3 backend's) streams with it; without it, such a store spools the body first.
   */
  size?: number;
  /**
   * Called once `body` has ended: the object's metadata and ETag, which may depend on the bytes
   * read (their MD5, a checksum). Throws or rejects to refuse the write.
   */
  describe(): ObjectDescription | Promise<ObjectDescription>;
  precondition?: Precondition;
  /**
   * A small body may be kept with the object's metadata, which makes it cheaper to write and to
   * read (the SQLite store: in its database, up to 64 KiB); a store with no such place ignores it.
   */
  mayInline?: boolean;
}

/** A body to store as a part of a multipart upload (see UploadStore.uploadPart). */
export interface UploadPartInput {
  /** The part's bytes, read to their end before anything is stored. */
  body: Readable;
  /** The body's length in bytes, when the request declared it (see PutObjectInput.size). */
  size?: number;
  /** Called once `body` has ended: the part's ETag and checksums. Throws or rejects to refuse the write. */
  describe(): PartDescription | Promise<PartDescription>;
}

/**
 * Buckets and the credential of each (SMLL gives every bucket its own access key).
 *
 * Errors: a write the storage refuses (no space, I/O error) rejects with a StorageFault once
 * nothing of it is left; a caller's misuse (see each method) rejects with a plain Error.
 */
export interface BucketStore {
  /**
   * Creates a bucket, or gives an existing one these keys and region (keeping its createdAt).
   * Rejects when another bucket has the access key (each key names one bucket).
   */
  upsertBucket(bucket: Omit<BucketRecord, 'createdAt'>): Promise<BucketRecord>;
  getBucket(name: string): Promise<BucketRecord | undefined>;
  /** The bucket whose credential this is: asked on every signed request, so expected to be fast. */
  findBucketByAccessKey(accessKey: string): Promise<BucketRecord | undefined>;
  /** Every bucket, by name. */
  listBuckets(): Promise<BucketRecord[]>;
  /** Deletes every object and upload of the bucket, keeping the bucket (test isolation); works on a full disk. */
  emptyBucket(bucket: string): Promise<void>;
}

/**
 * Objects: each a body and an ObjectRecord, replaced whole, never seen half-written.
 *
 * An ObjectRecord a store hands out is also a handle on that version of the object's bytes:
 * readObject and objectParts take only records of the same store (from getObject, putObject,
 * copyObject or completeUpload), and deliver what the record describes even if the key has
 * been overwritten or deleted since. Keys and sizes are S3's (UTF-8 keys, sizes in bytes).
 */
export interface ObjectStore {
  /**
   * The prefix of the keys a store keeps its own records under (the S3 backend's
   * `.smll-gateway/`); absent when every key is the client's. Operations refuse to write or
   * delete such a key (400 InvalidArgument) before the store sees it; reads find nothing there.
   */
  readonly reservedPrefix?: string;
  /** The object's record, or undefined if there is none. */
  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /**
   * The same record for an answer without the object's bytes (HeadObject): objectParts takes it,
   * readObject rejects it. Cheaper where a store keeps small bytes with the metadata.
   */
  headObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /**
   * The object's bytes, or the inclusive `range` of them, as a stream. For a small object the
   * stream may be an InMemoryBody, whose bytes a response can send in one write.
   * Rejects when the range is not within the object or the record is not this store's.
   */
  readObject(record: ObjectRecord, range?: ByteRange): Promise<Readable>;
  /**
   * The object's parts, in order: part 1 for a PutObject or CopyObject of one; for an object
   * made by CompleteMultipartUpload, each part with the number it was uploaded with (numbers
   * may skip).
   */
  objectParts(record: ObjectRecord): Promise<ObjectPart[]>;
  /**
   * Stores `input.body` as the object, atomically: the body is read to its end (a stream error
   * rejects with that error unchanged), then `describe()` gives the object's metadata and ETag,
   * then `precondition` sees the object being replaced, and the new object replaces it. Whatever
   * fails (rejecting with what `describe` or `precondition` threw), nothing is stored and the
   * object stays as it was. https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
   */
  putObject(bucket: string, key: string, input: PutObjectInput): Promise<ObjectRecord>;
  /**
   * Replaces (or creates) `target` with a copy of `source`'s bytes, atomically: `describe` sees
   * the source as it is at the moment of the copy (undefined if missing: it must then throw; it
   * throws to refuse the copy) and gives the copy's metadata and ETag; `precondition` sees the
   * target. Rejects with what `describe` or `precondition` throws, nothing changed.
   * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
   */
  copyObject(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    describe: (source: ObjectRecord | undefined) => ObjectDescription,
    precondition?: Precondition,
  ): Promise<ObjectRecord>;
  /** Deletes the object; resolves to whether there was one. Works on a full disk. */
  deleteObject(bucket: string, key: string): Promise<boolean>;
  /**
   * One page of the bucket's objects in key order (UTF-8 bytes), keys under a delimiter rolled
   * up into common prefixes (see ListQuery). Rejects for a `maxKeys` that is not a
   * non-negative integer. https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
   */
  listObjects(bucket: string, query: ListQuery): Promise<ListPage>;
}

/**
 * Multipart uploads (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html):
 * created open, given parts, then completed into an object, aborted or expired. A completed
 * upload is kept, with its completion, until it expires, so that a retried completion gets the
 * same answer. PartRecords are handles on the part's bytes like ObjectRecords: completeUpload
 * and readParts take only records from this store's listParts or uploadPart.
 */
export interface UploadStore {
  /** A new open upload of `key`; its id is opaque, URL-safe and never starts with '-'. */
  createUpload(bucket: string, key: string, metadata: ObjectMetadata, checksum?: { algorithm: string; type: ChecksumType }): Promise<UploadRecord>;
  /** The upload, open or completed; undefined once aborted or expired, or for an id this store never made. */
  getUpload(uploadId: string): Promise<UploadRecord | undefined>;
  /**
   * Stores `input.body` as part `partNumber` (1..10000) of the upload, replacing an earlier part
   * of that number, atomically: the body is read to its end, then `describe()` gives the part's
   * ETag and checksums, then the part is stored if the upload is still open. Resolves to
   * undefined, nothing stored, when the upload is no longer open.
   */
  uploadPart(uploadId: string, partNumber: number, input: UploadPartInput): Promise<PartRecord | undefined>;
  /**
   * The bucket's open uploads whose keys are `fromKey` or after, by key (UTF-8 bytes), then
   * initiation; read page by page as the caller iterates, so a caller may stop early.
   */
  listUploads(bucket: string, fromKey: string): AsyncIterable<UploadRecord>;
  /** The upload's parts, by part number. */
  listParts(uploadId: string): Promise<PartRecord[]>;
  /** The concatenated bytes of `parts` (from listParts or uploadPart). */
  readParts(parts: readonly PartRecord[]): Promise<Readable>;
  /**
   * Completes an open upload atomically: `precondition` sees the object being replaced, the
   * object becomes the concatenation of `parts` (from listParts, in the completion's order)
   * with the upload's metadata and `object`'s ETag and checksum, the upload's other parts are
   * dropped and `completion` is kept for retries. Resolves to undefined, nothing changed, when
   * the upload is no longer open or one of `parts` was replaced since it was listed.
   */
  completeUpload(
    upload: UploadRecord,
    parts: readonly PartRecord[],
    object: { etag: string; checksum?: ObjectMetadata['checksum'] },
    completion: UploadCompletion,
    precondition?: Precondition,
  ): Promise<ObjectRecord | undefined>;
  /** Deletes an open upload and its parts; resolves to whether there was one. Works on a full disk. */
  abortUpload(uploadId: string): Promise<boolean>;
  /**
   * Deletes the uploads initiated (or, once completed, completed) before `cutoff` with their
   * parts, so that abandoned uploads do not keep their data forever; resolves to how many.
   */
  expireUploads(cutoff: Date): Promise<number>;
}

/**
 * Where buckets, objects and uploads are kept: the S3 operations use a store only through this
 * interface, so that another implementation (over an S3 cluster, for the gateway) can stand in
 * for the SQLite store (SqliteStore) without an operation changing.
 *
 * Every write is atomic: it happens whole or not at all, and a reader sees the old or the new
 * state, never a mix. A write the storage refuses (no space, I/O error) rejects with a
 * StorageFault once nothing of it is left; deletes keep working on a full disk.
 */
export interface Store extends BucketStore, ObjectStore, UploadStore {
  /** Releases the store's resources; no method may be called after. */
  close(): Promise<void>;
}
