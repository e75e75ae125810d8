import type { Logger } from './http/request-log.js';
import type { Store } from './store/types.js';

/** How long an upload may stay incomplete before its parts are deleted, unless told otherwise. */
export const DEFAULT_UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;
/** The sweep runs at least this often, and never more often than MIN_SWEEP_INTERVAL_MS. */
const MAX_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const MIN_SWEEP_INTERVAL_MS = 50;

export function assertValidUploadExpiry(ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`uploadExpiry must be a positive number of milliseconds, got ${ms}.`);
}

/**
 * Deletes multipart uploads older than `expiryMs` (abandoned ones, and completed ones kept for
 * retries) with their part data: now, then periodically on a timer that never keeps the process
 * alive. Returns the function that stops it.
 */
export function startUploadExpiry(store: Store, expiryMs: number, log?: Logger): () => void {
  const sweep = async () => {
    try {
      const expired = await store.expireUploads(new Date(Date.now() - expiryMs));
      if (expired > 0) log?.notice('info', `expired ${expired} multipart upload(s) older than ${expiryMs} ms`);
    } catch (err) {
      log?.notice('error', `multipart upload expiry failed: ${(err as Error)?.stack ?? String(err)}`);
    }
  };
  void sweep();
  const interval = Math.min(Math.max(expiryMs / 2, MIN_SWEEP_INTERVAL_MS), MAX_SWEEP_INTERVAL_MS);
  const timer = setInterval(sweep, interval);
  timer.unref();
  return () => clearInterval(timer);
}
