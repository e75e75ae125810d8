/**
 * The Store over an S3 backend (gateway mode, issue #15; the contract is GATEWAY.md): buckets
 * from configuration only, every object, metadata document and upload in the backend, so that
 * any number of gateways with the same configuration are interchangeable.
 */
import type { Readable } from 'node:stream';
import type {
  BucketRecord,
  ByteRange,
  ChecksumType,
  ListPage,
  ListQuery,
  ObjectDescription,
  ObjectMetadata,
  ObjectPart,
  ObjectRecord,
  PartRecord,
  Precondition,
  PutObjectInput,
  Store,
  UploadCompletion,
  UploadPartInput,
  UploadRecord,
} from '../types.js';
import { Backend, type S3BackendOptions } from './client.js';
import { RESERVED_PREFIX } from './layout.js';
import { listObjects } from './listing.js';
import { BackendObjects } from './objects.js';
import { LEFTOVER_AGE_MS, emptyBackendBucket, sweepBucket } from './sweep.js';
import { BackendUploads } from './uploads.js';

export class S3Store implements Store {
  /** The gateway's own records (meta/, uploads/, probe/): the operations refuse client writes and deletes there. */
  readonly reservedPrefix = RESERVED_PREFIX;
  readonly #backend: Backend;
  readonly #objects: BackendObjects;
  readonly #uploads: BackendUploads;
  readonly #requireConditionalWrites: boolean;
  /** The configured buckets: configuration is the only source of buckets in gateway mode. */
  readonly #buckets = new Map<string, Readonly<BucketRecord>>();
  readonly #bucketsByAccessKey = new Map<string, Readonly<BucketRecord>>();

  constructor(backend: Backend, options: S3BackendOptions) {
    this.#backend = backend;
    this.#requireConditionalWrites = (options.conditionalWrites ?? 'require') === 'require';
    this.#objects = new BackendObjects(backend, this.#requireConditionalWrites);
    this.#uploads = new BackendUploads(backend, this.#objects, (name) => this.#buckets.get(name));
  }

  /**
   * Keeps the bucket in memory and creates its backend bucket if missing; with conditional
   * writes required, probes them in that bucket once (a bucket is where the probe can write).
   * @throws Error when another bucket has the access key, the backend cannot create the bucket,
   *   or it lacks conditional writes.
   */
  async upsertBucket(bucket: Omit<BucketRecord, 'createdAt'>): Promise<BucketRecord> {
    const holder = this.#bucketsByAccessKey.get(bucket.accessKey);
    if (holder && holder.name !== bucket.name) throw new Error(`access key ${bucket.accessKey} already belongs to bucket ${holder.name}`);
    const previous = this.#buckets.get(bucket.name);
    if (!previous) {
      const backendBucket = this.#backend.bucketOf(bucket.name);
      await this.#backend.ensureBucket(backendBucket);
      if (this.#requireConditionalWrites && !(await this.#backend.supportsConditionalWrites(backendBucket))) {
        throw new Error(
          `The S3 backend at ${this.#backend.endpoint} does not support conditional writes (If-None-Match: * on PutObject), which gateways need to keep If-None-Match/If-Match writes atomic: use a backend that does (MinIO does), or start with conditional writes off (such writes are then refused with 501).`,
        );
      }
    }
    const record = Object.freeze({ ...bucket, createdAt: previous?.createdAt ?? new Date() });
    if (previous) this.#bucketsByAccessKey.delete(previous.accessKey);
    this.#buckets.set(bucket.name, record);
    this.#bucketsByAccessKey.set(bucket.accessKey, record);
    return { ...record };
  }

  async getBucket(name: string): Promise<BucketRecord | undefined> {
    return this.#buckets.get(name);
  }

  async findBucketByAccessKey(accessKey: string): Promise<BucketRecord | undefined> {
    return this.#bucketsByAccessKey.get(accessKey);
  }

  async listBuckets(): Promise<BucketRecord[]> {
    return [...this.#buckets.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async emptyBucket(bucket: string): Promise<void> {
    await emptyBackendBucket(this.#backend, this.#backend.bucketOf(bucket));
  }

  async getObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    return (await this.#objects.current(bucket, key))?.record;
  }

  async headObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    return (await this.#objects.current(bucket, key))?.record;
  }

  readObject(record: ObjectRecord, range?: ByteRange): Promise<Readable> {
    return this.#objects.read(record, range);
  }

  async objectParts(record: ObjectRecord): Promise<ObjectPart[]> {
    return this.#objects.handleOf(record).parts.map((part) => ({ ...part }));
  }

  putObject(bucket: string, key: string, input: PutObjectInput): Promise<ObjectRecord> {
    return this.#objects.put(bucket, key, input);
  }

  copyObject(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    describe: (source: ObjectRecord | undefined) => ObjectDescription,
    precondition?: Precondition,
  ): Promise<ObjectRecord> {
    return this.#objects.copy(source, target, describe, precondition);
  }

  deleteObject(bucket: string, key: string): Promise<boolean> {
    return this.#objects.delete(bucket, key);
  }

  listObjects(bucket: string, query: ListQuery): Promise<ListPage> {
    return listObjects(this.#backend, bucket, query);
  }

  createUpload(bucket: string, key: string, metadata: ObjectMetadata, checksum?: { algorithm: string; type: ChecksumType }): Promise<UploadRecord> {
    return this.#uploads.create(bucket, key, metadata, checksum);
  }

  async getUpload(uploadId: string): Promise<UploadRecord | undefined> {
    return (await this.#uploads.find(uploadId))?.record;
  }

  uploadPart(uploadId: string, partNumber: number, input: UploadPartInput): Promise<PartRecord | undefined> {
    return this.#uploads.uploadPart(uploadId, partNumber, input);
  }

  listUploads(bucket: string, fromKey: string): AsyncIterable<UploadRecord> {
    return this.#uploads.list(bucket, fromKey);
  }

  listParts(uploadId: string): Promise<PartRecord[]> {
    return this.#uploads.listParts(uploadId);
  }

  readParts(): Promise<Readable> {
    return this.#uploads.readParts();
  }

  completeUpload(
    upload: UploadRecord,
    parts: readonly PartRecord[],
    object: { etag: string; checksum?: ObjectMetadata['checksum'] },
    completion: UploadCompletion,
    precondition?: Precondition,
  ): Promise<ObjectRecord | undefined> {
    return this.#uploads.complete(upload, parts, object, completion, precondition);
  }

  abortUpload(uploadId: string): Promise<boolean> {
    return this.#uploads.abort(uploadId);
  }

  /**
   * Expires uploads initiated (or completed) before `cutoff` in every configured bucket and
   * collects leftovers of crashed gateways older than an hour (sweep.ts).
   */
  async expireUploads(cutoff: Date): Promise<number> {
    return this.sweep(cutoff, new Date(Date.now() - LEFTOVER_AGE_MS));
  }

  /** expireUploads with the leftover age chosen (tests collect leftovers without waiting an hour). */
  async sweep(cutoff: Date, leftoversBefore: Date): Promise<number> {
    let expired = 0;
    for (const bucket of this.#buckets.keys()) expired += await sweepBucket(this.#backend, this.#uploads, bucket, cutoff, leftoversBefore);
    return expired;
  }

  async close(): Promise<void> {
    this.#backend.destroy();
  }
}
