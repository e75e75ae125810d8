/**
 * The gateway's connection to its S3 backend (@aws-sdk/client-s3): two clients (one that
 * retries, for small idempotent requests; one that never does, for streamed bodies, which cannot
 * be sent twice), small-document helpers, the backend's errors as S3Errors, and the probe that
 * `openS3Store` runs.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { S3Error } from '../../s3/s3-error.js';
import type { ObjectMetadata } from '../types.js';
import { GEN_METADATA, PROBE_PREFIX, newGen, parseDocument } from './layout.js';

export interface S3BackendOptions {
  /** e.g. http://127.0.0.1:9000 */
  endpoint: string;
  /** The backend's region (MinIO: us-east-1). */
  region: string;
  /** The backend's own credentials (SMLL_BACKEND_ACCESS_KEY). */
  accessKeyId: string;
  /** (SMLL_BACKEND_SECRET_KEY) */
  secretAccessKey: string;
  /** Backend bucket = bucketPrefix + SMLL bucket name (default ''). */
  bucketPrefix?: string;
  /**
   * 'require' (default): probe, and refuse a bucket whose backend lacks conditional writes.
   * 'off': a write with a precondition rejects with S3Error 501 NotImplemented.
   */
  conditionalWrites?: 'require' | 'off';
}

/** HTTP status of a backend error, if it came from the backend. */
export function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

export function codeOf(err: unknown): string | undefined {
  return err instanceof S3ServiceException ? err.name : undefined;
}

export const isNotFound = (err: unknown): boolean => statusOf(err) === 404;
export const isPreconditionFailed = (err: unknown): boolean => statusOf(err) === 412;

/**
 * A backend failure as the S3 error the client gets: the backend unreachable or failing (5xx,
 * network) is 503 ServiceUnavailable, which SDKs retry; a request the backend refuses as bad
 * (400: MinIO refuses keys S3 takes, such as `a//b` or `a/./b`) is 400 InvalidArgument; anything
 * else is 500 InternalError. The client's message names at most the backend's error code (MinIO's
 * `XMinioInvalidObjectName` tells a client why its key is refused); what was being done, the
 * backend's message and its address (an internal key, `connect ECONNREFUSED 10.0.0.7:9000`) go
 * to the operator's request log only, as the error's hint.
 */
export function backendError(err: unknown, what: string): S3Error {
  if (err instanceof S3Error) return err;
  const status = statusOf(err);
  const backendCode = codeOf(err);
  const detail = [backendCode, (err as Error)?.message].filter(Boolean).join(': ') || String(err);
  const hint = `the storage backend failed to ${what}: ${status ?? 'no answer'} ${detail}`.replace(/\s+/g, ' ');
  if (status === undefined || status >= 500) {
    return new S3Error('ServiceUnavailable', 'The storage backend is unavailable. Please retry.', {}, { hint });
  }
  if (status === 400) {
    return new S3Error('InvalidArgument', `The storage backend refuses this request${backendCode ? ` (${backendCode})` : ''}.`, {}, { hint });
  }
  return new S3Error('InternalError', undefined, {}, { hint });
}

/** The backend's own object headers we set (besides smll-gen), so the bucket reads sensibly with other tools. */
export function backendHeaders(metadata: ObjectMetadata, gen: string) {
  // Only printable ASCII goes into the backend's headers; the metadata object keeps every value.
  const ascii = (value: string | undefined) => (value !== undefined && /^[\x20-\x7e]*$/.test(value) ? value : undefined);
  return {
    Metadata: { [GEN_METADATA]: gen },
    ContentType: ascii(metadata.contentType),
    CacheControl: ascii(metadata.cacheControl),
    ContentDisposition: ascii(metadata.contentDisposition),
    ContentEncoding: ascii(metadata.contentEncoding),
    ContentLanguage: ascii(metadata.contentLanguage),
  };
}

export class Backend {
  /** Retries idempotent small requests (the SDK's standard mode, 3 attempts). */
  readonly client: S3Client;
  /** Never retries: for requests whose body is a stream read once. */
  readonly streamClient: S3Client;
  readonly endpoint: string;
  readonly #prefix: string;

  constructor(options: S3BackendOptions) {
    const common = {
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: true,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // The gateway verifies every body itself; the SDK's own checksums would cost a second pass
      // (and a trailer the backend may not know).
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
      responseChecksumValidation: 'WHEN_REQUIRED' as const,
    };
    this.client = new S3Client({ ...common, maxAttempts: 3 });
    // A failed streamed request is the store's to handle (a 412 of a conditional write is an
    // answer): the SDK would otherwise print a warning to the console for each.
    const quiet = () => undefined;
    this.streamClient = new S3Client({ ...common, maxAttempts: 1, logger: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
    this.endpoint = options.endpoint;
    this.#prefix = options.bucketPrefix ?? '';
  }

  /** The backend bucket of an SMLL bucket. */
  bucketOf(bucket: string): string {
    return this.#prefix + bucket;
  }

  async head(backendBucket: string, key: string): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: backendBucket, Key: key }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw backendError(err, `read ${key}`);
    }
  }

  /** A JSON document of ours, or undefined when there is none. */
  async getDocument<T extends { v: number }>(backendBucket: string, key: string): Promise<T | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: backendBucket, Key: key }));
      return parseDocument<T>(await answer.Body!.transformToString(), key);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw backendError(err, `read ${key}`);
    }
  }

  async putDocument(backendBucket: string, key: string, document: object): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: backendBucket, Key: key, Body: JSON.stringify(document), ContentType: 'application/json' }));
    } catch (err) {
      throw backendError(err, `write ${key}`);
    }
  }

  /** Deletes keys (1,000 a request, S3's limit: https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html). */
  async deleteKeys(backendBucket: string, keys: readonly string[]): Promise<void> {
    for (let at = 0; at < keys.length; at += 1000) {
      const batch = keys.slice(at, at + 1000);
      try {
        await this.client.send(new DeleteObjectsCommand({ Bucket: backendBucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      } catch (err) {
        throw backendError(err, `delete ${batch.length} object(s)`);
      }
    }
  }

  /** Deletes one key, ignoring failure: for leftovers the sweep would collect anyway. */
  async deleteQuietly(backendBucket: string, key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: backendBucket, Key: key })).catch(() => undefined);
  }

  /**
   * Reachability and credentials (ListBuckets: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
   * @throws Error saying what to fix.
   */
  async probeAccess(): Promise<void> {
    try {
      await this.client.send(new ListBucketsCommand({}));
    } catch (err) {
      const status = statusOf(err);
      if (status === 403 || status === 401) {
        throw new Error(
          `The S3 backend at ${this.endpoint} refused the backend credentials (${codeOf(err) ?? status}): check SMLL_BACKEND_ACCESS_KEY and SMLL_BACKEND_SECRET_KEY.`,
        );
      }
      throw new Error(`The S3 backend at ${this.endpoint} did not answer (${codeOf(err) ?? (err as Error)?.message}): check --backend-endpoint and that the backend is running.`);
    }
  }

  /**
   * Creates the backend bucket if missing (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html):
   * "already owned by you" is success.
   * @throws Error when the name is taken by another owner or the backend refuses.
   */
  async ensureBucket(backendBucket: string): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: backendBucket }));
    } catch (err) {
      if (codeOf(err) === 'BucketAlreadyOwnedByYou') return;
      throw new Error(`The S3 backend at ${this.endpoint} could not create bucket ${backendBucket} (${codeOf(err) ?? (err as Error)?.message}).`);
    }
  }

  /**
   * Whether the backend honours `If-None-Match: *` on PutObject
   * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html): a probe key
   * written twice with it; the second must be refused with 412. The probe key is removed.
   */
  async supportsConditionalWrites(backendBucket: string): Promise<boolean> {
    const key = `${PROBE_PREFIX}${newGen()}`;
    const put = () => this.client.send(new PutObjectCommand({ Bucket: backendBucket, Key: key, Body: 'probe', IfNoneMatch: '*' }));
    try {
      await put();
      try {
        await put();
        return false;
      } catch (err) {
        if (isPreconditionFailed(err)) return true;
        // 501 NotImplemented or any refusal of the header: not supported.
        if (statusOf(err) !== undefined && statusOf(err)! < 500) return false;
        throw err;
      }
    } finally {
      await this.deleteQuietly(backendBucket, key);
    }
  }

  destroy(): void {
    this.client.destroy();
    this.streamClient.destroy();
  }
}

/** A backend request failed (its error is `cause`), as opposed to the body or a check of the caller. */
export class BackendRequestError extends Error {
  constructor(cause: unknown) {
    super(`backend request failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'BackendRequestError';
  }
}

/** `request`, its failure wrapped in a BackendRequestError. */
export function marked<T>(request: Promise<T>): Promise<T> {
  return request.catch((err: unknown) => {
    throw new BackendRequestError(err);
  });
}
