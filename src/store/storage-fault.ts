import { S3Error } from '../s3/s3-error.js';

/**
 * Why the data dir refused a write: `full` for lack of space (ENOSPC, EDQUOT, or SQLite's
 * SQLITE_FULL, which is how SQLite reports ENOSPC), `io` for an I/O error (EIO, or SQLite's
 * SQLITE_IOERR family).
 */
export type StorageFaultKind = 'full' | 'io';

/**
 * A write the data dir's file system or SQLite refused. The store throws it only once nothing
 * partial is left behind (temp file removed, transaction rolled back), so the operation changed
 * nothing; the HTTP layer renders it as an S3 error document. `cause` is the original error.
 */
export class StorageFault extends Error {
  readonly kind: StorageFaultKind;
  /** The errno or SQLite code, e.g. `ENOSPC`, `SQLITE_FULL`, `EIO`, `SQLITE_IOERR_FSYNC`. */
  readonly errorCode: string;

  constructor(kind: StorageFaultKind, errorCode: string, dataDir: string, cause: unknown) {
    super(
      kind === 'full'
        ? `The data dir ${dataDir} is full (${errorCode}): nothing was stored. Delete objects or free disk space, then retry.`
        : `I/O error in the data dir ${dataDir} (${errorCode}): nothing was changed.`,
      { cause },
    );
    this.name = 'StorageFault';
    this.kind = kind;
    this.errorCode = errorCode;
  }
}

const SPACE_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `err` says the file system (or SQLite on it) ran out of space. */
export function isOutOfSpace(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && SPACE_CODES.has(code);
}

/** `err` as a StorageFault when it is a lack of space or an I/O error; any other error unchanged. */
export function asStorageFault(err: unknown, dataDir: string): unknown {
  if (err instanceof StorageFault) return err;
  const code = codeOf(err);
  if (code === undefined) return err;
  if (SPACE_CODES.has(code)) return new StorageFault('full', code, dataDir, err);
  if (code === 'EIO' || code.startsWith('SQLITE_IOERR')) return new StorageFault('io', code, dataDir, err);
  return err;
}

/**
 * The S3 error for a write the data dir refused (the store left nothing of it). S3 has no "disk
 * full" error: a full data dir is 503 ServiceUnavailable, the code S3 gives when it cannot take a
 * request for now and a retry later may succeed (as here, once objects are deleted), and which
 * every SDK knows and retries with backoff; minio's own answer, 507 XMinioStorageFull
 * (cmd/api-errors.go), is a code no AWS SDK knows. An I/O error is a fault of the server: 500
 * InternalError. Either way the message says what happened in the data dir.
 */
export function storageFaultError(fault: StorageFault): S3Error {
  return new S3Error(fault.kind === 'full' ? 'ServiceUnavailable' : 'InternalError', fault.message);
}
