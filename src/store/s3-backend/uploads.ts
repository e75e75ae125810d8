/**
 * Multipart uploads 1:1 onto backend multipart uploads at the final key
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html): the backend upload is
 * created with the upload's gen as smll-gen, so the completed object names the metadata object
 * written just before CompleteMultipartUpload; its parts are the client's parts (same bytes, same
 * numbers), so the backend's MD5-of-MD5s ETag is the one the SMLL store answers. Each part's
 * checksums are in an immutable sidecar, written before the part's last byte: a part without its
 * sidecar is not yet published and is not listed.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  UploadPartCommand,
  type Part,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { compareUtf8 } from '../../s3/key-order.js';
import type {
  BucketRecord,
  ChecksumType,
  ObjectMetadata,
  ObjectRecord,
  PartRecord,
  Precondition,
  UploadCompletion,
  UploadPartInput,
  UploadRecord,
} from '../types.js';
import { Backend, BackendRequestError, backendError, backendHeaders, codeOf, isNotFound, isPreconditionFailed, marked } from './client.js';
import {
  LruCache,
  UPLOADS_PREFIX,
  isGen,
  metaKey,
  newGen,
  parseUploadId,
  partSidecarKey,
  partSidecarPrefix,
  uploadIdOf,
  uploadRecordKey,
  type MetaDocument,
  type PartSidecar,
  type UploadDocument,
} from './layout.js';
import { casCondition, cleanMetadata, conditionalWritesOff, type BackendObjects } from './objects.js';
import { publishHeldBack } from './publish.js';

const SIDECAR_CACHE_ENTRIES = 10_000;
/** Sidecar reads in flight for one ListParts. */
const SIDECAR_CONCURRENCY = 16;

const bare = (etag: string) => etag.replace(/^"|"$/g, '');

/** An upload as kept in its record, with the names needed to reach it in the backend. */
export interface StoredUpload {
  record: UploadRecord;
  document: UploadDocument;
  gen: string;
  backendBucket: string;
}

export class BackendUploads {
  readonly #backend: Backend;
  readonly #objects: BackendObjects;
  readonly #buckets: (name: string) => BucketRecord | undefined;
  readonly #sidecars = new LruCache<PartSidecar>(SIDECAR_CACHE_ENTRIES);

  constructor(backend: Backend, objects: BackendObjects, buckets: (name: string) => BucketRecord | undefined) {
    this.#backend = backend;
    this.#objects = objects;
    this.#buckets = buckets;
  }

  /** CreateMultipartUpload (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html), then the upload's record. */
  async create(bucket: string, key: string, metadata: ObjectMetadata, checksum?: { algorithm: string; type: ChecksumType }): Promise<UploadRecord> {
    const backendBucket = this.#backend.bucketOf(bucket);
    const gen = newGen();
    let backendUploadId: string;
    try {
      const answer = await this.#backend.client.send(new CreateMultipartUploadCommand({ Bucket: backendBucket, Key: key, ...backendHeaders(metadata, gen) }));
      backendUploadId = answer.UploadId!;
    } catch (err) {
      throw backendError(err, `start an upload of ${key}`);
    }
    const document: UploadDocument = {
      v: 1,
      key,
      backendUploadId,
      initiated: new Date().toISOString(),
      metadata: cleanMetadata(metadata),
      ...(checksum ? { checksum } : {}),
    };
    await this.#backend.putDocument(backendBucket, uploadRecordKey(gen), document);
    return toUploadRecord(uploadIdOf(gen, bucket), bucket, document);
  }

  async find(uploadId: string): Promise<StoredUpload | undefined> {
    const parsed = parseUploadId(uploadId);
    if (!parsed || !this.#buckets(parsed.bucket)) return undefined;
    const backendBucket = this.#backend.bucketOf(parsed.bucket);
    const document = await this.#backend.getDocument<UploadDocument>(backendBucket, uploadRecordKey(parsed.gen));
    if (!document) return undefined;
    return { record: toUploadRecord(uploadId, parsed.bucket, document), document, gen: parsed.gen, backendBucket };
  }

  /**
   * UploadPart (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html) with the
   * last byte held back until `describe()` resolved and the part's sidecar is written.
   * Undefined when the upload is no longer open.
   */
  async uploadPart(uploadId: string, partNumber: number, { body, describe, size }: UploadPartInput): Promise<PartRecord | undefined> {
    const upload = await this.find(uploadId);
    if (!upload || upload.document.completion) return undefined;
    let sidecar: PartSidecar | undefined;
    let sidecarKey = '';
    let sent = 0;
    try {
      await publishHeldBack(
        body,
        size,
        (Body, ContentLength, abortSignal) => {
          sent = ContentLength;
          return marked(
            this.#backend.streamClient.send(
              new UploadPartCommand({ Bucket: upload.backendBucket, Key: upload.document.key, UploadId: upload.document.backendUploadId, PartNumber: partNumber, Body, ContentLength }),
              { abortSignal },
            ),
          );
        },
        async () => {
          const description = await describe();
          sidecar = {
            v: 1,
            etag: description.etag,
            size: sent,
            ...(description.checksum === undefined ? {} : { checksum: description.checksum }),
            ...(description.crc64nvme === undefined ? {} : { crc64nvme: description.crc64nvme }),
          };
          sidecarKey = partSidecarKey(upload.gen, partNumber, bare(description.etag));
          await this.#backend.putDocument(upload.backendBucket, sidecarKey, sidecar);
        },
      );
    } catch (err) {
      if (!(err instanceof BackendRequestError)) throw err;
      if (codeOf(err.cause) === 'NoSuchUpload') return undefined;
      throw backendError(err.cause, `store part ${partNumber}`);
    }
    this.#sidecars.set(sidecarKey, sidecar!);
    return { partNumber, size: sidecar!.size, etag: sidecar!.etag, ...partChecksums(sidecar!), lastModified: new Date() };
  }

  /** ListParts (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html) joined with the sidecars. */
  async listParts(uploadId: string): Promise<PartRecord[]> {
    const upload = await this.find(uploadId);
    if (!upload || upload.document.completion) return [];
    const parts: Part[] = [];
    let marker: string | undefined;
    for (;;) {
      try {
        const page = await this.#backend.client.send(
          new ListPartsCommand({ Bucket: upload.backendBucket, Key: upload.document.key, UploadId: upload.document.backendUploadId, PartNumberMarker: marker }),
        );
        parts.push(...(page.Parts ?? []));
        if (!page.IsTruncated || page.NextPartNumberMarker === undefined) break;
        marker = page.NextPartNumberMarker;
      } catch (err) {
        if (codeOf(err) === 'NoSuchUpload') return [];
        throw backendError(err, 'list parts');
      }
    }
    const records: Array<PartRecord | undefined> = new Array(parts.length);
    let next = 0;
    const worker = async () => {
      while (next < parts.length) {
        const at = next++;
        const part = parts[at];
        const sidecar = await this.#sidecar(upload, part.PartNumber!, bare(part.ETag ?? ''));
        if (sidecar && sidecar.size === part.Size) {
          records[at] = { partNumber: part.PartNumber!, size: sidecar.size, etag: sidecar.etag, ...partChecksums(sidecar), lastModified: part.LastModified ?? new Date() };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SIDECAR_CONCURRENCY, parts.length) }, worker));
    return records.filter((record): record is PartRecord => record !== undefined).sort((a, b) => a.partNumber - b.partNumber);
  }

  async #sidecar(upload: StoredUpload, partNumber: number, md5hex: string): Promise<PartSidecar | undefined> {
    const key = partSidecarKey(upload.gen, partNumber, md5hex);
    const cached = this.#sidecars.get(key);
    if (cached) return cached;
    const sidecar = await this.#backend.getDocument<PartSidecar>(upload.backendBucket, key);
    if (sidecar) this.#sidecars.set(key, sidecar);
    return sidecar;
  }

  /**
   * S3 cannot read the parts of an upload before it completes; every part this store keeps has
   * its CRCs in its sidecar, so CompleteMultipartUpload never needs its bytes.
   */
  async readParts(): Promise<Readable> {
    throw new Error('the S3 backend cannot read the parts of an open multipart upload; the parts\' checksums are in their sidecars');
  }

  /**
   * The metadata object, then CompleteMultipartUpload
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html) with the
   * compare-and-swap condition when there is a precondition, then the upload's record gets its
   * completion (for retries). Undefined when the upload is no longer open or a part was replaced.
   */
  async complete(
    upload: UploadRecord,
    parts: readonly PartRecord[],
    object: { etag: string; checksum?: ObjectMetadata['checksum'] },
    completion: UploadCompletion,
    precondition?: Precondition,
  ): Promise<ObjectRecord | undefined> {
    if (precondition && !this.#objects.conditionalWrites) throw conditionalWritesOff();
    const stored = await this.find(upload.id);
    if (!stored || stored.document.completion) return undefined;
    const { backendBucket, gen, document } = stored;
    const existing = precondition ? await this.#objects.current(upload.bucket, upload.key) : undefined;
    precondition?.(existing?.record);
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    const meta: MetaDocument = {
      v: 1,
      key: upload.key,
      etag: object.etag,
      size,
      metadata: cleanMetadata({ ...document.metadata, ...(object.checksum ? { checksum: object.checksum } : {}) }),
      partsCount: parts.length,
      parts: parts.map((part) => ({ partNumber: part.partNumber, size: part.size, ...(part.checksum === undefined ? {} : { checksum: part.checksum }) })),
      written: new Date().toISOString(),
    };
    await this.#backend.putDocument(backendBucket, metaKey(gen), meta);
    let backendEtag: string;
    try {
      const answer = await marked(
        this.#backend.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: backendBucket,
            Key: upload.key,
            UploadId: document.backendUploadId,
            MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
            ...(precondition ? casCondition(existing) : {}),
          }),
        ),
      );
      backendEtag = answer.ETag ?? '';
    } catch (err) {
      await this.#backend.deleteQuietly(backendBucket, metaKey(gen));
      const cause = err instanceof BackendRequestError ? err.cause : err;
      if (precondition && isPreconditionFailed(cause)) return this.#objects.conflicted(upload.bucket, upload.key, precondition);
      if (codeOf(cause) === 'NoSuchUpload' || codeOf(cause) === 'InvalidPart') return undefined;
      throw backendError(cause, `complete the upload of ${upload.key}`);
    }
    this.#objects.cacheMeta(backendBucket, gen, meta);
    if (existing?.handle.gen) await this.#backend.deleteQuietly(backendBucket, metaKey(existing.handle.gen));
    await this.#backend.putDocument(backendBucket, uploadRecordKey(gen), { ...document, completion, completed: new Date().toISOString() } satisfies UploadDocument);
    const record: ObjectRecord = {
      ...cleanMetadata(meta.metadata),
      bucket: upload.bucket,
      key: upload.key,
      size,
      etag: object.etag,
      lastModified: new Date(),
      partsCount: parts.length,
    };
    return this.#objects.remember(record, { backendBucket, key: upload.key, backendEtag, gen, parts: meta.parts! });
  }

  /** AbortMultipartUpload (https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html), then the record and sidecars. */
  async abort(uploadId: string): Promise<boolean> {
    const upload = await this.find(uploadId);
    if (!upload || upload.document.completion) return false;
    await this.discard(upload);
    return true;
  }

  /** Aborts the backend upload (if still there) and deletes its record and sidecars. */
  async discard(upload: Pick<StoredUpload, 'backendBucket' | 'gen' | 'document'>): Promise<void> {
    try {
      await this.#backend.client.send(new AbortMultipartUploadCommand({ Bucket: upload.backendBucket, Key: upload.document.key, UploadId: upload.document.backendUploadId }));
    } catch (err) {
      if (codeOf(err) !== 'NoSuchUpload' && !isNotFound(err)) throw backendError(err, 'abort an upload');
    }
    const sidecars = await keysUnder(this.#backend, upload.backendBucket, partSidecarPrefix(upload.gen));
    await this.#backend.deleteKeys(upload.backendBucket, [...sidecars, uploadRecordKey(upload.gen)]);
  }

  /** Every upload record of the bucket (open and completed), with its gen. */
  async *records(bucket: string): AsyncGenerator<StoredUpload> {
    const backendBucket = this.#backend.bucketOf(bucket);
    for (const key of await keysUnder(this.#backend, backendBucket, UPLOADS_PREFIX)) {
      const gen = key.slice(UPLOADS_PREFIX.length);
      if (!isGen(gen)) continue;
      const document = await this.#backend.getDocument<UploadDocument>(backendBucket, key);
      if (document) yield { record: toUploadRecord(uploadIdOf(gen, bucket), bucket, document), document, gen, backendBucket };
    }
  }

  /**
   * The bucket's open uploads from `fromKey` on, by key (UTF-8) then initiation. The records are
   * read whole (one GetObject each) and sorted: the backend's ListMultipartUploads cannot name
   * our upload ids.
   */
  async *list(bucket: string, fromKey: string): AsyncGenerator<UploadRecord> {
    const open: UploadRecord[] = [];
    for await (const upload of this.records(bucket)) {
      if (!upload.record.completion && compareUtf8(upload.record.key, fromKey) >= 0) open.push(upload.record);
    }
    open.sort((a, b) => compareUtf8(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    yield* open;
  }
}

function partChecksums(sidecar: PartSidecar): Pick<PartRecord, 'checksum' | 'crc64nvme'> {
  return {
    ...(sidecar.checksum === undefined ? {} : { checksum: sidecar.checksum }),
    ...(sidecar.crc64nvme === undefined ? {} : { crc64nvme: sidecar.crc64nvme }),
  };
}

function toUploadRecord(id: string, bucket: string, document: UploadDocument): UploadRecord {
  return {
    id,
    bucket,
    key: document.key,
    initiated: new Date(document.initiated),
    metadata: document.metadata,
    ...(document.checksum ? { checksum: document.checksum } : {}),
    ...(document.completion ? { completion: document.completion } : {}),
  };
}

/** Every key under `prefix` (with `delimiter`, only those not rolled up), paging ListObjectsV2. */
export async function keysUnder(backend: Backend, backendBucket: string, prefix: string, delimiter?: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  for (;;) {
    try {
      const page = await backend.client.send(new ListObjectsV2Command({ Bucket: backendBucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
      if (!page.IsTruncated || !page.NextContinuationToken) return keys;
      token = page.NextContinuationToken;
    } catch (err) {
      throw backendError(err, `list ${prefix}`);
    }
  }
}
