import type { S3BackendOptions } from './store/s3-backend/index.js';

/** Where the backend's own credentials come from when the options do not give them. */
export const BACKEND_ACCESS_KEY_VARIABLE = 'SMLL_BACKEND_ACCESS_KEY';
export const BACKEND_SECRET_KEY_VARIABLE = 'SMLL_BACKEND_SECRET_KEY';

export const CONDITIONAL_WRITE_MODES = ['require', 'off'] as const;

/**
 * Gateway mode (README "Shared environments"): the objects live in an existing S3 service
 * (MinIO, Ceph RGW, Garage …), which this emulator fronts with SMLL's rules. GATEWAY.md is the
 * layout it keeps there.
 */
export interface BackendOptions {
  type: 's3';
  /** The backend's URL, e.g. `http://minio.storage:9000`. */
  endpoint: string;
  /** The backend's region (MinIO's default: us-east-1). */
  region: string;
  /** The backend's own credentials; default: the environment's SMLL_BACKEND_ACCESS_KEY / SMLL_BACKEND_SECRET_KEY. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Backend bucket = this + the SMLL bucket's name; default ''. */
  bucketPrefix?: string;
  /** `require` (default): refuse to start on a backend without conditional writes; `off`: start, answer 501 to conditional writes. */
  conditionalWrites?: 'require' | 'off';
}

const FIELDS = ['type', 'endpoint', 'region', 'accessKeyId', 'secretAccessKey', 'bucketPrefix', 'conditionalWrites'] as const;

/** What a bucket name may start with and hold, so that prefix + name is still one (S3's bucket naming rules). */
const BUCKET_PREFIX = /^[a-z0-9][a-z0-9.-]*$/;

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/**
 * Checks `value` as `BackendOptions` (from startEmulator, a config file or a setup); `where`
 * names it in messages. Credentials may be missing here: the environment may give them.
 * @throws Error naming the field and what it must be.
 */
export function assertBackendOptions(value: unknown, where: string): asserts value is BackendOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected { type: "s3", endpoint, region, … }, got ${JSON.stringify(value)}`);
  }
  const backend = value as Record<string, unknown>;
  for (const key of Object.keys(backend)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw new Error(`${where}: unknown key "${key}" (known keys: ${FIELDS.join(', ')})`);
  }
  if (backend.type !== 's3') throw new Error(`${where}.type: the one backend type is "s3", got ${JSON.stringify(backend.type)}`);
  if (!nonEmptyString(backend.endpoint)) throw new Error(`${where}.endpoint: the backend's URL is missing (e.g. "http://minio.storage:9000")`);
  let url: URL | undefined;
  try {
    url = new URL(backend.endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`${where}.endpoint: expected an http:// or https:// URL, got ${JSON.stringify(backend.endpoint)}`);
  }
  if (!nonEmptyString(backend.region)) throw new Error(`${where}.region: the backend's region is missing (MinIO's default is "us-east-1")`);
  for (const key of ['accessKeyId', 'secretAccessKey'] as const) {
    if (backend[key] !== undefined && !nonEmptyString(backend[key])) throw new Error(`${where}.${key}: expected a non-empty string, got ${JSON.stringify(backend[key])}`);
  }
  const prefix = backend.bucketPrefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || (prefix !== '' && !BUCKET_PREFIX.test(prefix)))) {
    throw new Error(`${where}.bucketPrefix: a bucket name starts with it, so it is lower-case letters, digits, "-" and ".", starting with a letter or digit; got ${JSON.stringify(prefix)}`);
  }
  if (backend.conditionalWrites !== undefined && !(CONDITIONAL_WRITE_MODES as readonly unknown[]).includes(backend.conditionalWrites)) {
    throw new Error(`${where}.conditionalWrites: expected ${CONDITIONAL_WRITE_MODES.map((m) => `"${m}"`).join(' or ')}, got ${JSON.stringify(backend.conditionalWrites)}`);
  }
}

/**
 * What `openS3Store` takes: `backend` with its credentials from `env` where it gives none, and
 * each of `buckets` checked to make a valid backend bucket name with the prefix (at most 63 characters).
 * @throws Error naming the missing variable or the bucket whose backend name is too long.
 */
export function s3BackendOptions(backend: BackendOptions, buckets: readonly string[], env: NodeJS.ProcessEnv = process.env): S3BackendOptions {
  const accessKeyId = backend.accessKeyId ?? env[BACKEND_ACCESS_KEY_VARIABLE];
  const secretAccessKey = backend.secretAccessKey ?? env[BACKEND_SECRET_KEY_VARIABLE];
  if (!nonEmptyString(accessKeyId) || !nonEmptyString(secretAccessKey)) {
    const missing = [
      ...(nonEmptyString(accessKeyId) ? [] : [`${BACKEND_ACCESS_KEY_VARIABLE} (or backend.accessKeyId)`]),
      ...(nonEmptyString(secretAccessKey) ? [] : [`${BACKEND_SECRET_KEY_VARIABLE} (or backend.secretAccessKey)`]),
    ];
    throw new Error(`backend: the S3 backend's own credentials are missing: set ${missing.join(' and ')} to a key of ${backend.endpoint} allowed to create buckets and write objects.`);
  }
  const bucketPrefix = backend.bucketPrefix ?? '';
  for (const bucket of buckets) {
    if (bucketPrefix.length + bucket.length > 63) {
      throw new Error(`Bucket "${bucket}": with backend.bucketPrefix "${bucketPrefix}" its backend bucket "${bucketPrefix}${bucket}" is longer than S3's 63 characters.`);
    }
  }
  return {
    endpoint: backend.endpoint,
    region: backend.region,
    accessKeyId,
    secretAccessKey,
    bucketPrefix,
    conditionalWrites: backend.conditionalWrites ?? 'require',
  };
}
