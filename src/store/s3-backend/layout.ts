/**
 * Where the gateway keeps things in each backend bucket, and the format of what it keeps there
 * (GATEWAY.md, "Layout"): object bytes at the client's key, tagged `x-amz-meta-smll-gen`; an
 * immutable metadata object per write under `.smll-gateway/meta/<gen>`; upload records under
 * `.smll-gateway/uploads/`, part sidecars under `.smll-gateway/parts/`. Everything a request needs is in the backend, so
 * gateways hold no state but caches of immutable documents.
 */
import { randomBytes } from 'node:crypto';
import type { ChecksumType, ObjectMetadata, ObjectPart, UploadCompletion } from '../types.js';

/** Keys under this prefix are the gateway's own: never listed, refused as client keys. */
export const RESERVED_PREFIX = '.smll-gateway/';

/** Whether a client key falls under the gateway's reserved prefix (PutObject etc. refuse it; GET/HEAD find nothing). */
export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_PREFIX);
}

/** The user-metadata name (x-amz-meta-smll-gen) that ties a data object to its metadata object. */
export const GEN_METADATA = 'smll-gen';

/** A write's generation: 32 lower-case hex, random, so two writes never share a metadata object. */
export function newGen(): string {
  return randomBytes(16).toString('hex');
}

const GEN = /^[0-9a-f]{32}$/;

export const metaKey = (gen: string): string => `${RESERVED_PREFIX}meta/${gen}`;
export const META_PREFIX = `${RESERVED_PREFIX}meta/`;
export const UPLOADS_PREFIX = `${RESERVED_PREFIX}uploads/`;
export const PROBE_PREFIX = `${RESERVED_PREFIX}probe/`;
export const uploadRecordKey = (gen: string): string => `${UPLOADS_PREFIX}${gen}`;
/**
 * Part sidecars live apart from the upload records: MinIO does not list keys under a "directory"
 * that is also an object (`uploads/<gen>` and `uploads/<gen>/part-…`).
 */
export const PARTS_PREFIX = `${RESERVED_PREFIX}parts/`;
export const partSidecarPrefix = (gen: string): string => `${PARTS_PREFIX}${gen}/`;
/** Keyed by the part's content (its MD5), so a replaced part never reads another's sidecar. */
export const partSidecarKey = (gen: string, partNumber: number, md5hex: string): string => `${partSidecarPrefix(gen)}part-${partNumber}-${md5hex}`;

/** What `.smll-gateway/meta/<gen>` holds: what the backend object's own headers cannot. Written once, never rewritten. */
export interface MetaDocument {
  v: 1;
  key: string;
  /** Quoted, as the SMLL store answers it. */
  etag: string;
  size: number;
  metadata: ObjectMetadata;
  partsCount?: number;
  /** Only for multipart objects: the layout partNumber reads need. */
  parts?: ObjectPart[];
  /** ISO date. */
  written: string;
}

/** What `.smll-gateway/uploads/<gen>` holds; rewritten once, when the upload completes. */
export interface UploadDocument {
  v: 1;
  key: string;
  backendUploadId: string;
  /** ISO date. */
  initiated: string;
  metadata: ObjectMetadata;
  checksum?: { algorithm: string; type: ChecksumType };
  completion?: UploadCompletion;
  /** ISO date, with `completion`. */
  completed?: string;
}

/** What a part sidecar holds: the part's description (PartDescription) and size. Immutable. */
export interface PartSidecar {
  v: 1;
  etag: string;
  size: number;
  checksum?: string;
  crc64nvme?: string;
}

/** Parses a stored JSON document; throws an Error naming the key when it is not one of ours. */
export function parseDocument<T extends { v: number }>(text: string, key: string): T {
  const parsed = JSON.parse(text) as T;
  if (parsed === null || typeof parsed !== 'object' || parsed.v !== 1) throw new Error(`${key} in the backend is not a smll-gateway v1 document`);
  return parsed;
}

/**
 * The SMLL upload id: the upload's gen then the bucket name, so `getUpload(id)` finds the
 * bucket without state; URL-safe (bucket names are) and never starting with '-'.
 */
export function uploadIdOf(gen: string, bucket: string): string {
  return gen + bucket;
}

export function parseUploadId(uploadId: string): { gen: string; bucket: string } | undefined {
  const gen = uploadId.slice(0, 32);
  const bucket = uploadId.slice(32);
  return GEN.test(gen) && bucket !== '' ? { gen, bucket } : undefined;
}

/** Whether `text` is a gen (a name under meta/ or uploads/ that is ours). */
export function isGen(text: string): boolean {
  return GEN.test(text);
}

/** A bounded least-recently-used map, for immutable documents (metadata objects, part sidecars). */
export class LruCache<V> {
  readonly #entries = new Map<string, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
