/**
 * The emulator's log: one line per request, and notices (warnings, faults, upload expiry), as
 * text for people or as one JSON object per line for machines (`--log-format json`).
 */
import type { Refusal } from '../s3/s3-error.js';
import { escapeLogValue } from './log-escape.js';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What the log records of one request. */
export interface RequestLogEntry {
  time: Date;
  /** The x-amz-request-id the client got (and its SDK reports with an error). */
  requestId: string;
  /** The S3 operation (`PutObject`), or the HTTP method when the request named none. */
  operation: string;
  bucket?: string;
  key?: string;
  /** The path, for a request that named no bucket. */
  path?: string;
  status: number;
  /** The S3 error code of an error answer (`SignatureDoesNotMatch`, `InvalidAccessKeyId`, `AccessDenied` …). */
  errorCode?: string;
  /** Milliseconds from the request's arrival to its answer. */
  durationMs: number;
  /** For a refusal caused by part of the request: the sentence naming it (e.g. which header asked for an action). */
  hint?: string;
  /** An AccessDenied of the authorize stage: the IAM action refused and what in the request asked for it. */
  refusal?: Refusal;
  /** true: the web console made it (its `/_smll/s3/` route); absent otherwise. */
  console?: true;
}

export type NoticeLevel = 'info' | 'warning' | 'error';

export interface Logger {
  request(entry: RequestLogEntry): void;
  /** A line that is not a request: a deprecation warning, a storage fault, an upload expiry sweep. */
  notice(level: NoticeLevel, message: string, requestId?: string): void;
}

/**
 * A logger writing whole lines to `write`. Text lines are
 * `TIME REQUEST-ID OPERATION BUCKET/KEY STATUS [ERROR-CODE] DURATIONms [console] [HINT]`, every
 * client-chosen value escaped (see escapeLogValue) so that none can forge a line; JSON lines are
 * JSON.stringify's, which escapes control characters itself.
 */
export function createLogger(write: (line: string) => void, format: LogFormat = 'text'): Logger {
  if (format === 'json') {
    return {
      request: (entry) => write(JSON.stringify({ ...entry, time: entry.time.toISOString(), durationMs: Number(entry.durationMs.toFixed(3)) })),
      notice: (level, message, requestId) => write(JSON.stringify({ time: new Date().toISOString(), level, message, ...(requestId === undefined ? {} : { requestId }) })),
    };
  }
  return {
    request: (entry) => {
      const target = entry.bucket === undefined ? (entry.path ?? '/') : [entry.bucket, entry.key].filter((part) => part !== undefined).join('/');
      const fields = [
        entry.time.toISOString(),
        entry.requestId,
        escapeLogValue(entry.operation),
        escapeLogValue(target || '/'),
        String(entry.status),
        ...(entry.errorCode === undefined ? [] : [entry.errorCode]),
        `${entry.durationMs.toFixed(1)}ms`,
        ...(entry.console ? ['console'] : []),
        ...(entry.hint === undefined ? [] : [escapeLogValue(entry.hint)]),
      ];
      write(fields.join(' '));
    },
    notice: (level, message, requestId) =>
      write(`${new Date().toISOString()} ${requestId === undefined ? '' : `${requestId} `}${level === 'info' ? '' : `${level}: `}${escapeLogValue(message)}`),
  };
}
