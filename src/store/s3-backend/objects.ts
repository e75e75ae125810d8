/**
 * Objects over the backend: reads (HeadObject + the metadata object), writes published with the
 * last byte held back (publish.ts), conditional writes as compare-and-swaps on the backend's own
 * conditional writes, and server-side copies whose ETag is the source's by construction.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { S3Error } from '../../s3/s3-error.js';
import type { ByteRange, ObjectDescription, ObjectMetadata, ObjectPart, ObjectRecord, Precondition, PutObjectInput } from '../types.js';
import { Backend, BackendRequestError, backendError, backendHeaders, isPreconditionFailed, marked } from './client.js';
import { GEN_METADATA, LruCache, isGen, isReservedKey, metaKey, newGen, type MetaDocument } from './layout.js';
import { publishHeldBack } from './publish.js';

/** What a record handed out stands for in the backend (records are handles on one version's bytes). */
export interface ObjectHandle {
  backendBucket: string;
  key: string;
  /** The backend's ETag of the version the record describes: reads send it as If-Match. */
  backendEtag: string;
  gen?: string;
  parts: ObjectPart[];
}

/** The object at a key as read from the backend. */
export interface CurrentObject {
  record: ObjectRecord;
  handle: ObjectHandle;
}

/** Metadata objects cached per gen: they are immutable. */
const META_CACHE_ENTRIES = 10_000;
/** A source that keeps changing under a copy: S3 answers OperationAborted. */
const MAX_COPY_ATTEMPTS = 3;

/** The metadata without absent fields, so records compare as the SQLite store's do. */
export function cleanMetadata(metadata: ObjectMetadata): ObjectMetadata {
  return JSON.parse(JSON.stringify({ ...metadata, etag: undefined })) as ObjectMetadata;
}

/** The refusal of a precondition when conditional writes are off (S3BackendOptions.conditionalWrites). */
export function conditionalWritesOff(): S3Error {
  return new S3Error('NotImplemented', 'This gateway runs with conditional writes off: its storage backend cannot make If-None-Match or If-Match writes atomic.');
}

/** The backend condition that makes a write a compare-and-swap on what was read. */
export function casCondition(existing: CurrentObject | undefined): { IfMatch?: string; IfNoneMatch?: string } {
  return existing ? { IfMatch: existing.handle.backendEtag } : { IfNoneMatch: '*' };
}

export class BackendObjects {
  readonly #backend: Backend;
  readonly #metaCache = new LruCache<MetaDocument>(META_CACHE_ENTRIES);
  readonly #handles = new WeakMap<ObjectRecord, ObjectHandle>();
  readonly conditionalWrites: boolean;

  constructor(backend: Backend, conditionalWrites: boolean) {
    this.#backend = backend;
    this.conditionalWrites = conditionalWrites;
  }

  handleOf(record: ObjectRecord): ObjectHandle {
    const handle = this.#handles.get(record);
    if (!handle) throw new Error('the record must come from this store (getObject, headObject, putObject, copyObject or completeUpload)');
    return handle;
  }

  remember(record: ObjectRecord, handle: ObjectHandle): ObjectRecord {
    this.#handles.set(record, handle);
    return record;
  }

  /** The metadata object of `gen`, from the cache or the backend (GetObject). */
  async meta(backendBucket: string, gen: string): Promise<MetaDocument | undefined> {
    const cacheKey = `${backendBucket}/${gen}`;
    const cached = this.#metaCache.get(cacheKey);
    if (cached) return cached;
    const document = await this.#backend.getDocument<MetaDocument>(backendBucket, metaKey(gen));
    if (document) this.#metaCache.set(cacheKey, document);
    return document;
  }

  cacheMeta(backendBucket: string, gen: string, document: MetaDocument): void {
    this.#metaCache.set(`${backendBucket}/${gen}`, document);
  }

  /**
   * The object at `key` (HeadObject, https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html,
   * then its metadata object). Undefined for a reserved key. A data object whose metadata object
   * is gone was overwritten meanwhile (its metadata collected): looked at again.
   */
  async current(bucket: string, key: string): Promise<CurrentObject | undefined> {
    if (isReservedKey(key)) return undefined;
    const backendBucket = this.#backend.bucketOf(bucket);
    let head: HeadObjectCommandOutput | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      head = await this.#backend.head(backendBucket, key);
      if (!head) return undefined;
      const gen = head.Metadata?.[GEN_METADATA];
      if (gen === undefined || !isGen(gen)) break;
      const document = await this.meta(backendBucket, gen);
      if (document) return this.#fromMeta(bucket, key, backendBucket, head, gen, document);
    }
    return head && this.#foreign(bucket, key, backendBucket, head);
  }

  #fromMeta(bucket: string, key: string, backendBucket: string, head: HeadObjectCommandOutput, gen: string, document: MetaDocument): CurrentObject {
    const record: ObjectRecord = {
      ...cleanMetadata(document.metadata),
      bucket,
      key,
      size: document.size,
      etag: document.etag,
      lastModified: head.LastModified ?? new Date(document.written),
      ...(document.partsCount === undefined ? {} : { partsCount: document.partsCount }),
    };
    const handle: ObjectHandle = { backendBucket, key, backendEtag: head.ETag ?? '', gen, parts: document.parts ?? [{ partNumber: 1, size: document.size }] };
    return { record: this.remember(record, handle), handle };
  }

  /** An object another tool wrote (no smll-gen): shown from the backend's own headers. */
  #foreign(bucket: string, key: string, backendBucket: string, head: HeadObjectCommandOutput): CurrentObject {
    const size = head.ContentLength ?? 0;
    const record: ObjectRecord = {
      ...cleanMetadata({
        contentType: head.ContentType,
        cacheControl: head.CacheControl,
        contentDisposition: head.ContentDisposition,
        contentEncoding: head.ContentEncoding,
        contentLanguage: head.ContentLanguage,
        userMetadata: head.Metadata ?? {},
      }),
      bucket,
      key,
      size,
      etag: head.ETag ?? '""',
      lastModified: head.LastModified ?? new Date(0),
    };
    const handle: ObjectHandle = { backendBucket, key, backendEtag: head.ETag ?? '', parts: [{ partNumber: 1, size }] };
    return { record: this.remember(record, handle), handle };
  }

  /**
   * GetObject with `If-Match` on the record's backend ETag and `Range`
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
   * @throws S3Error 503 ServiceUnavailable when the object was replaced since the record was read:
   *   the backend keeps no older version to deliver, and a retry reads the new one.
   */
  async read(record: ObjectRecord, range?: ByteRange): Promise<Readable> {
    const handle = this.handleOf(record);
    if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.start <= range.end && range.end < record.size)) {
      throw new Error(`byte range ${range.start}-${range.end} is not within an object of ${record.size} bytes`);
    }
    try {
      const answer = await this.#backend.client.send(
        new GetObjectCommand({
          Bucket: handle.backendBucket,
          Key: handle.key,
          IfMatch: handle.backendEtag || undefined,
          Range: range && `bytes=${range.start}-${range.end}`,
        }),
      );
      return answer.Body as Readable;
    } catch (err) {
      if (isPreconditionFailed(err) || (err as { name?: string })?.name === 'NoSuchKey') {
        throw new S3Error('ServiceUnavailable', 'The object was replaced or deleted while it was being read; retry the request.');
      }
      throw backendError(err, `read ${handle.key}`);
    }
  }

  /**
   * PutObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html) published
   * with the last byte held back: the metadata object is written before it, so no reader sees
   * the data object without its metadata. With a precondition, the object is read first and the
   * write carries the backend's own condition on what was read (a compare-and-swap).
   */
  async put(bucket: string, key: string, input: PutObjectInput & { size?: number }): Promise<ObjectRecord> {
    const { body, describe, precondition } = input;
    if (precondition && !this.conditionalWrites) throw conditionalWritesOff();
    const backendBucket = this.#backend.bucketOf(bucket);
    const gen = newGen();
    const existing = precondition ? await this.current(bucket, key) : undefined;
    let document: MetaDocument | undefined;
    let description: ObjectDescription | undefined;
    let size = 0;
    try {
      const answer = await publishHeldBack(
        body,
        input.size,
        (Body, ContentLength, abortSignal) => {
          size = ContentLength;
          return marked(
            this.#backend.streamClient.send(
              new PutObjectCommand({
                Bucket: backendBucket,
                Key: key,
                Body,
                ContentLength,
                Metadata: { [GEN_METADATA]: gen },
                ...(precondition ? casCondition(existing) : {}),
              }),
              { abortSignal },
            ),
          );
        },
        async () => {
          description = await describe();
          precondition?.(existing?.record);
          document = metaDocument(key, description, size);
          await this.#backend.putDocument(backendBucket, metaKey(gen), document);
        },
      );
      const written = document!;
      this.cacheMeta(backendBucket, gen, written);
      if (existing?.handle.gen) await this.#backend.deleteQuietly(backendBucket, metaKey(existing.handle.gen));
      const record: ObjectRecord = { ...cleanMetadata(description!), bucket, key, size: written.size, etag: written.etag, lastModified: new Date() };
      return this.remember(record, { backendBucket, key, backendEtag: answer.ETag ?? '', gen, parts: [{ partNumber: 1, size: written.size }] });
    } catch (err) {
      if (document) await this.#backend.deleteQuietly(backendBucket, metaKey(gen));
      if (!(err instanceof BackendRequestError)) throw err;
      if (precondition && isPreconditionFailed(err.cause)) return this.conflicted(bucket, key, precondition);
      throw backendError(err.cause, `store ${key}`);
    }
  }

  /**
   * A conditional write the backend refused with 412: someone wrote in between. The precondition
   * runs again on what is there now (and throws its own error); if it would pass now, the body
   * is gone: 409 ConditionalRequestConflict, as S3 answers a conflicting conditional write
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html, If-None-Match).
   */
  async conflicted(bucket: string, key: string, precondition: Precondition): Promise<never> {
    precondition((await this.current(bucket, key))?.record);
    throw new S3Error('ConditionalRequestConflict');
  }

  /**
   * A server-side copy (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html)
   * whose ETag is the source's: a single-part source by CopyObject (its MD5 kept), a multipart
   * source by a multipart upload of UploadPartCopy ranges mirroring its layout
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html), so its
   * MD5-of-MD5s is the source's. Every backend read of the source carries
   * x-amz-copy-source-if-match on what `describe` saw; a source replaced meanwhile is read again.
   * With a precondition on the target, the write must be a compare-and-swap, which CopyObject
   * cannot be on MinIO (it ignores If-None-Match/If-Match): a single-part source is then streamed
   * through GetObject into a conditional PutObject, a multipart one completes conditionally.
   */
  async copy(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    describe: (source: ObjectRecord | undefined) => ObjectDescription,
    precondition?: Precondition,
  ): Promise<ObjectRecord> {
    if (precondition && !this.conditionalWrites) throw conditionalWritesOff();
    for (let attempt = 1; ; attempt++) {
      const from = await this.current(source.bucket, source.key);
      const description = describe(from?.record);
      if (!from) throw new Error('copyObject: describe() must refuse a missing source');
      const existing = precondition ? await this.current(target.bucket, target.key) : undefined;
      precondition?.(existing?.record);
      const copied = await this.#copyOnce(from, target, description, precondition, existing);
      if (copied) return copied;
      if (attempt === MAX_COPY_ATTEMPTS) throw new S3Error('OperationAborted');
    }
  }

  /** One attempt; undefined when the source changed since it was read. */
  async #copyOnce(
    from: CurrentObject,
    target: { bucket: string; key: string },
    description: ObjectDescription,
    precondition: Precondition | undefined,
    existing: CurrentObject | undefined,
  ): Promise<ObjectRecord | undefined> {
    const backendBucket = this.#backend.bucketOf(target.bucket);
    const gen = newGen();
    const multipart = from.record.partsCount !== undefined;
    const document: MetaDocument = {
      ...metaDocument(target.key, description, from.record.size),
      ...(multipart ? { partsCount: from.record.partsCount, parts: from.handle.parts } : {}),
    };
    const copySource = `${from.handle.backendBucket}/${encodeURIComponent(from.handle.key)}`;
    const headers = backendHeaders(description, gen);
    let backendEtag: string;
    let lastModified = new Date();
    try {
      if (multipart) {
        const etag = await this.#mirrorCopy(from, backendBucket, target.key, copySource, headers, async () => {
          await this.#backend.putDocument(backendBucket, metaKey(gen), document);
        }, precondition ? casCondition(existing) : {});
        if (etag === undefined) return undefined;
        backendEtag = etag;
      } else if (precondition) {
        await this.#backend.putDocument(backendBucket, metaKey(gen), document);
        let data: Readable;
        try {
          const answer = await this.#backend.client.send(new GetObjectCommand({ Bucket: from.handle.backendBucket, Key: from.handle.key, IfMatch: from.handle.backendEtag }));
          data = answer.Body as Readable;
        } catch (err) {
          await this.#backend.deleteQuietly(backendBucket, metaKey(gen));
          if (isPreconditionFailed(err)) return undefined;
          throw backendError(err, `read ${from.handle.key}`);
        }
        const answer = await marked(
          this.#backend.streamClient.send(
            new PutObjectCommand({ Bucket: backendBucket, Key: target.key, Body: data, ContentLength: from.record.size, ...headers, ...casCondition(existing) }),
          ),
        );
        backendEtag = answer.ETag ?? '';
      } else {
        await this.#backend.putDocument(backendBucket, metaKey(gen), document);
        try {
          const answer = await this.#backend.client.send(
            new CopyObjectCommand({
              Bucket: backendBucket,
              Key: target.key,
              CopySource: copySource,
              CopySourceIfMatch: from.handle.backendEtag,
              MetadataDirective: 'REPLACE',
              ...headers,
            }),
          );
          backendEtag = answer.CopyObjectResult?.ETag ?? '';
          lastModified = answer.CopyObjectResult?.LastModified ?? lastModified;
        } catch (err) {
          await this.#backend.deleteQuietly(backendBucket, metaKey(gen));
          if (isPreconditionFailed(err)) return undefined;
          throw backendError(err, `copy to ${target.key}`);
        }
      }
    } catch (err) {
      await this.#backend.deleteQuietly(backendBucket, metaKey(gen));
      if (!(err instanceof BackendRequestError)) throw err;
      if (precondition && isPreconditionFailed(err.cause)) return this.conflicted(target.bucket, target.key, precondition);
      throw backendError(err.cause, `copy to ${target.key}`);
    }
    this.cacheMeta(backendBucket, gen, document);
    if (existing?.handle.gen) await this.#backend.deleteQuietly(backendBucket, metaKey(existing.handle.gen));
    const record: ObjectRecord = {
      ...cleanMetadata(description),
      bucket: target.bucket,
      key: target.key,
      size: document.size,
      etag: document.etag,
      lastModified,
      ...(document.partsCount === undefined ? {} : { partsCount: document.partsCount }),
    };
    return this.remember(record, { backendBucket, key: target.key, backendEtag, gen, parts: document.parts ?? [{ partNumber: 1, size: document.size }] });
  }

  /**
   * The multipart copy: a backend upload at the target with one UploadPartCopy per source part
   * (same numbers, same ranges), `beforeComplete` (the metadata object), then
   * CompleteMultipartUpload with `condition`. Aborted on any failure. Undefined when the source
   * changed (412 on a part copy). A 412 of the completion rejects as a BackendRequestError.
   */
  async #mirrorCopy(
    from: CurrentObject,
    backendBucket: string,
    key: string,
    copySource: string,
    headers: ReturnType<typeof backendHeaders>,
    beforeComplete: () => Promise<void>,
    condition: { IfMatch?: string; IfNoneMatch?: string },
  ): Promise<string | undefined> {
    const client = this.#backend.client;
    let uploadId: string;
    try {
      uploadId = (await client.send(new CreateMultipartUploadCommand({ Bucket: backendBucket, Key: key, ...headers }))).UploadId!;
    } catch (err) {
      throw backendError(err, `start a copy to ${key}`);
    }
    let completed = false;
    try {
      const parts: Array<{ PartNumber: number; ETag: string }> = [];
      let offset = 0;
      for (const part of from.handle.parts) {
        try {
          const answer = await client.send(
            new UploadPartCopyCommand({
              Bucket: backendBucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: part.partNumber,
              CopySource: copySource,
              CopySourceIfMatch: from.handle.backendEtag,
              CopySourceRange: `bytes=${offset}-${offset + part.size - 1}`,
            }),
          );
          parts.push({ PartNumber: part.partNumber, ETag: answer.CopyPartResult!.ETag! });
        } catch (err) {
          if (isPreconditionFailed(err)) return undefined;
          throw backendError(err, `copy part ${part.partNumber} to ${key}`);
        }
        offset += part.size;
      }
      await beforeComplete();
      const answer = await marked(
        client.send(new CompleteMultipartUploadCommand({ Bucket: backendBucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, ...condition })),
      );
      completed = true;
      return answer.ETag ?? '';
    } finally {
      if (!completed) await client.send(new AbortMultipartUploadCommand({ Bucket: backendBucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    }
  }

  /** DeleteObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html), then the object's metadata object. */
  async delete(bucket: string, key: string): Promise<boolean> {
    if (isReservedKey(key)) return false;
    const backendBucket = this.#backend.bucketOf(bucket);
    const head = await this.#backend.head(backendBucket, key);
    if (!head) return false;
    try {
      await this.#backend.client.send(new DeleteObjectCommand({ Bucket: backendBucket, Key: key }));
    } catch (err) {
      throw backendError(err, `delete ${key}`);
    }
    const gen = head.Metadata?.[GEN_METADATA];
    if (gen !== undefined && isGen(gen)) await this.#backend.deleteQuietly(backendBucket, metaKey(gen));
    return true;
  }
}

/** The metadata object of a write. */
export function metaDocument(key: string, description: ObjectDescription, size: number): MetaDocument {
  return { v: 1, key, etag: description.etag, size, metadata: cleanMetadata(description), written: new Date().toISOString() };
}
