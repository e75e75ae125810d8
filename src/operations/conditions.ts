import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../http/s3-error.js';

export interface ConditionTarget {
  etag: string;
  lastModified: Date;
}

/** The condition headers of a read (GetObject/HeadObject) or of a copy source (x-amz-copy-source-if-*). */
export interface ReadConditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function readConditionsFrom(headers: IncomingHttpHeaders, prefix = 'if-'): ReadConditions {
  return {
    ifMatch: headerValue(headers, `${prefix}match`),
    ifNoneMatch: headerValue(headers, `${prefix}none-match`),
    ifModifiedSince: headerValue(headers, `${prefix}modified-since`),
    ifUnmodifiedSince: headerValue(headers, `${prefix}unmodified-since`),
  };
}

/** True when an If-Match / If-None-Match list names the ETag (`*` names any). */
export function etagListMatches(list: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, '');
  return list.split(',').some((candidate) => {
    const c = candidate.trim().replace(/^W\//, '');
    return c === '*' || c.replace(/^"|"$/g, '') === bare;
  });
}

/** Seconds since the epoch of an HTTP date, or undefined when unparseable (S3 then ignores the header). */
function httpDateSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * RFC 7232 precedence as S3 applies it: If-Match (412), else If-Unmodified-Since (412);
 * then If-None-Match (304), else If-Modified-Since (304).
 */
export function evaluateReadConditions(conditions: ReadConditions, target: ConditionTarget): void {
  const modified = Math.floor(target.lastModified.getTime() / 1000);
  const notModified = () =>
    new S3Error('NotModified', undefined, {}, { ETag: target.etag, 'Last-Modified': target.lastModified.toUTCString() });

  if (conditions.ifMatch !== undefined) {
    if (!etagListMatches(conditions.ifMatch, target.etag)) {
      throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
    }
  } else {
    const since = httpDateSeconds(conditions.ifUnmodifiedSince);
    if (since !== undefined && modified > since) {
      throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Unmodified-Since' });
    }
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (etagListMatches(conditions.ifNoneMatch, target.etag)) throw notModified();
  } else {
    const since = httpDateSeconds(conditions.ifModifiedSince);
    if (since !== undefined && modified <= since) throw notModified();
  }
}
