/**
 * Gateway mode's store (issue #15, GATEWAY.md): `openS3Store` and the reserved-key rule that the
 * wiring applies before the store. src/emulator.ts imports this module lazily, so SQLite mode
 * never loads the AWS SDK.
 */
import { Backend, type S3BackendOptions } from './client.js';
import { S3Store } from './s3-store.js';

export type { S3BackendOptions } from './client.js';
export { RESERVED_PREFIX, isReservedKey } from './layout.js';
export { S3Store } from './s3-store.js';

/**
 * Opens a Store over an S3 backend: probes that it answers and accepts the credentials
 * (conditional writes are probed in each bucket as it is configured: a probe needs a bucket).
 * @throws Error whose message says what to fix (endpoint, credentials).
 */
export async function openS3Store(options: S3BackendOptions): Promise<S3Store> {
  const backend = new Backend(options);
  try {
    await backend.probeAccess();
  } catch (err) {
    backend.destroy();
    throw err;
  }
  return new S3Store(backend, options);
}
