import { S3Error } from '../s3/s3-error.js';
import type { Store } from '../store/types.js';

/** The refusal of a write or delete of a key under the store's reserved prefix, if `key` is one (gateway mode only). */
export function reservedKeyError(store: Store, key: string): S3Error | undefined {
  const prefix = store.reservedPrefix;
  if (prefix === undefined || !key.startsWith(prefix)) return undefined;
  return new S3Error('InvalidArgument', `Keys beginning with ${prefix} are reserved by the gateway`, { ArgumentName: 'key', ArgumentValue: key });
}

/**
 * Refuses a write or delete of a key the store keeps for itself (GATEWAY.md: the gateway's own
 * records live beside the client's objects in each backend bucket).
 * @throws S3Error 400 InvalidArgument naming the prefix.
 */
export function refuseReservedKey(store: Store, key: string): void {
  const error = reservedKeyError(store, key);
  if (error) throw error;
}
