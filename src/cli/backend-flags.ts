import { InvalidArgumentError } from 'commander';
import { assertBackendOptions, type BackendOptions } from '../backend.js';
import type { SmllStorageConfig } from '../config-file.js';
import { OPTIONS } from '../options.js';

/** serve's `--backend*` flags; undefined when not typed. */
export interface BackendFlags {
  backend?: 's3';
  backendEndpoint?: string;
  backendRegion?: string;
  backendBucketPrefix?: string;
  backendConditionalWrites?: 'require' | 'off';
}

/** `--backend-endpoint`: an http(s) URL, said at once rather than at start. */
export function parseBackendEndpoint(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidArgumentError(`expected the backend's http:// or https:// URL, e.g. http://minio.storage:9000, got "${value}"`);
  }
  return value;
}

const FIELD_FLAGS = OPTIONS.backend.fieldFlags!;

/**
 * The backend the flags and the config file's `backend` section give together (a typed flag
 * wins over the file's field), or undefined when neither names one.
 * @throws InvalidArgumentError for a `--backend-*` flag without a backend, or a backend without
 *   its endpoint or region, naming the flag that is missing.
 */
export function backendFromFlags(flags: BackendFlags, config: SmllStorageConfig | undefined): BackendOptions | undefined {
  const typed: Partial<BackendOptions> = Object.fromEntries(
    Object.entries({
      endpoint: flags.backendEndpoint,
      region: flags.backendRegion,
      bucketPrefix: flags.backendBucketPrefix,
      conditionalWrites: flags.backendConditionalWrites,
    }).filter(([, value]) => value !== undefined),
  );
  const base = flags.backend === undefined ? config?.backend : { ...config?.backend, type: flags.backend };
  if (base === undefined) {
    const [field] = Object.keys(typed);
    if (field !== undefined) throw new InvalidArgumentError(`${FIELD_FLAGS[field]} needs --backend s3 (or a "backend" section in the config file)`);
    return undefined;
  }
  const backend = { ...base, ...typed };
  if (backend.endpoint === undefined) throw new InvalidArgumentError(`--backend s3 needs ${FIELD_FLAGS.endpoint} URL: the S3 service that keeps the objects`);
  if (backend.region === undefined) throw new InvalidArgumentError(`--backend s3 needs ${FIELD_FLAGS.region} REGION: the backend's region (MinIO's default: us-east-1)`);
  try {
    assertBackendOptions(backend, 'backend');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return backend;
}
