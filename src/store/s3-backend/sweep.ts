/**
 * Collecting what a gateway leaves behind: expired uploads (aborted in the backend, with their
 * records and sidecars), backend uploads no record names (a gateway killed between
 * CreateMultipartUpload and its record, or during a multipart copy), part sidecars of uploads
 * gone, metadata objects no data object names (a write that failed after its metadata object, a
 * gateway killed before publishing, or the metadata of an overwritten object), probe keys. Only
 * leftovers older than LEFTOVER_AGE_MS are taken, so that a write in progress keeps its own.
 */
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, ListObjectsV2Command, type MultipartUpload } from '@aws-sdk/client-s3';
import { backendError, type Backend } from './client.js';
import { GEN_METADATA, META_PREFIX, PARTS_PREFIX, PROBE_PREFIX, isGen, type MetaDocument } from './layout.js';
import { keysUnder, type BackendUploads } from './uploads.js';

/** A leftover younger than this may belong to a write in progress. */
export const LEFTOVER_AGE_MS = 60 * 60 * 1000;

/**
 * Expires the bucket's uploads initiated (or completed) before `cutoff`, then collects leftovers
 * older than `leftoversBefore`; resolves to how many SMLL uploads expired.
 */
export async function sweepBucket(backend: Backend, uploads: BackendUploads, bucket: string, cutoff: Date, leftoversBefore: Date): Promise<number> {
  const backendBucket = backend.bucketOf(bucket);
  let expired = 0;
  const liveGens = new Set<string>();
  const liveUploadIds = new Set<string>();
  for await (const upload of uploads.records(bucket)) {
    const at = new Date(upload.document.completed ?? upload.document.initiated);
    if (at < cutoff) {
      await uploads.discard(upload);
      expired++;
    } else {
      liveGens.add(upload.gen);
      liveUploadIds.add(upload.document.backendUploadId);
    }
  }
  for (const upload of await backendUploads(backend, backendBucket)) {
    if (!liveUploadIds.has(upload.UploadId!) && (upload.Initiated ?? new Date(0)) < leftoversBefore) {
      await backend.client.send(new AbortMultipartUploadCommand({ Bucket: backendBucket, Key: upload.Key, UploadId: upload.UploadId })).catch(() => undefined);
    }
  }
  const orphanSidecars = (await oldKeys(backend, backendBucket, PARTS_PREFIX, leftoversBefore)).filter((key) => {
    const gen = key.slice(PARTS_PREFIX.length).split('/')[0];
    return isGen(gen) && !liveGens.has(gen);
  });
  await backend.deleteKeys(backendBucket, [...orphanSidecars, ...(await oldKeys(backend, backendBucket, PROBE_PREFIX, leftoversBefore))]);
  await backend.deleteKeys(backendBucket, await orphanMetadata(backend, backendBucket, cutoff, leftoversBefore));
  return expired;
}

/**
 * Metadata objects written between `since` and `before` whose key's data object does not name
 * them (one GetObject and one HeadObject each). Only those since the upload-expiry cutoff: each
 * is looked at by the sweeps of one expiry period, so a sweep costs in proportion to the writes
 * of that period, not to the bucket's size (a leftover is missed only if no gateway swept for a
 * whole period).
 */
async function orphanMetadata(backend: Backend, backendBucket: string, since: Date, before: Date): Promise<string[]> {
  const orphans: string[] = [];
  for (const key of await oldKeys(backend, backendBucket, META_PREFIX, before, since)) {
    const gen = key.slice(META_PREFIX.length);
    const document = await backend.getDocument<MetaDocument>(backendBucket, key).catch(() => undefined);
    if (!document) continue;
    const head = await backend.head(backendBucket, document.key);
    if (head?.Metadata?.[GEN_METADATA] !== gen) orphans.push(key);
  }
  return orphans;
}

/** Keys under `prefix` last modified before `before` (and not before `since`). */
async function oldKeys(backend: Backend, backendBucket: string, prefix: string, before: Date, since = new Date(0)): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  for (;;) {
    try {
      const page = await backend.client.send(new ListObjectsV2Command({ Bucket: backendBucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const at = object.LastModified ?? new Date(0);
        if (at < before && at >= since) keys.push(object.Key!);
      }
      if (!page.IsTruncated || !page.NextContinuationToken) return keys;
      token = page.NextContinuationToken;
    } catch (err) {
      throw backendError(err, `list ${prefix}`);
    }
  }
}

/** Every multipart upload in progress in the backend bucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html). */
export async function backendUploads(backend: Backend, backendBucket: string): Promise<MultipartUpload[]> {
  const found: MultipartUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    try {
      const page = await backend.client.send(new ListMultipartUploadsCommand({ Bucket: backendBucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
      found.push(...(page.Uploads ?? []));
      if (!page.IsTruncated) return found;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    } catch (err) {
      throw backendError(err, 'list multipart uploads');
    }
  }
}

/** Deletes every backend object of the bucket (reserved keys included) and aborts its backend uploads. */
export async function emptyBackendBucket(backend: Backend, backendBucket: string): Promise<void> {
  for (const upload of await backendUploads(backend, backendBucket)) {
    await backend.client.send(new AbortMultipartUploadCommand({ Bucket: backendBucket, Key: upload.Key, UploadId: upload.UploadId })).catch(() => undefined);
  }
  await backend.deleteKeys(backendBucket, await keysUnder(backend, backendBucket, ''));
}
