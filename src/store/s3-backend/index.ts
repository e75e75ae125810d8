import type { Store } from '../types.js';

/** The contract of GATEWAY.md; this file is a placeholder that the backend store replaces. */
export interface S3BackendOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucketPrefix?: string;
  conditionalWrites?: 'require' | 'off';
}

/** Keys under it are the gateway's own records. */
export const RESERVED_PREFIX = '.smll-gateway/';

export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_PREFIX);
}

/** Rejects: the S3 backend store is not built yet. */
export function openS3Store(options: S3BackendOptions): Promise<Store> {
  return Promise.reject(new Error(`the S3 backend store is not built yet (backend ${options.endpoint})`));
}
