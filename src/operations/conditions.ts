import type { IncomingHttpHeaders } from 'node:http';
import { headerValue } from '../s3/headers.js';
import { S3Error } from '../s3/s3-error.js';

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

const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';

/**
 * RFC 9110 §5.6.7's three HTTP-date forms, each capturing the day of the month (Date.parse
 * rolls `31 Feb` over into March) and with the zone Date.parse must be told (asctime is UTC).
 */
const HTTP_DATE_FORMS: ReadonlyArray<{ pattern: RegExp; zone: string }> = [
  { pattern: new RegExp(`^${WEEKDAY}, (\\d{2}) ${MONTH} \\d{4} ${TIME} GMT$`), zone: '' }, // IMF-fixdate
  { pattern: new RegExp(`^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\\d{2})-${MONTH}-\\d{2} ${TIME} GMT$`), zone: '' }, // RFC 850
  { pattern: new RegExp(`^${WEEKDAY} ${MONTH} ( \\d|\\d{2}) ${TIME} \\d{4}$`), zone: ' GMT' }, // asctime
];

/**
 * Milliseconds since the epoch of an HTTP-date (RFC 9110 §5.6.7), or undefined for anything
 * else: another date format, an impossible date, or a list of dates (a repeated header).
 * RFC 9110 §13.1.3 and §13.1.4: such a condition is ignored.
 */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  for (const { pattern, zone } of HTTP_DATE_FORMS) {
    const match = pattern.exec(value);
    if (!match) continue;
    const ms = Date.parse(value + zone);
    return Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(match[1]) ? undefined : ms;
  }
  return undefined;
}

/**
 * RFC 9110 §13.2.2 precedence as S3 applies it: If-Match (412), else If-Unmodified-Since (412);
 * then If-None-Match (304), else If-Modified-Since (304). Dates compare in whole seconds, as
 * Last-Modified is sent. A date that is not an HTTP-date is ignored (RFC 9110 §13.1.3, §13.1.4),
 * and so is an If-Modified-Since later than now: S3 ignores it (LocalStack's snapshots recorded
 * against AWS, `obj-ignore-future-modified-since`), as RFC 2616 §14.25 called it invalid. A
 * future If-Unmodified-Since is evaluated, and holds.
 */
export function evaluateReadConditions(conditions: ReadConditions, target: ConditionTarget): void {
  const modified = Math.floor(target.lastModified.getTime() / 1000);
  const notModified = () =>
    new S3Error('NotModified', undefined, {}, { headers: { ETag: target.etag, 'Last-Modified': target.lastModified.toUTCString() } });

  if (conditions.ifMatch !== undefined) {
    if (!etagListMatches(conditions.ifMatch, target.etag)) {
      throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
    }
  } else {
    const since = parseHttpDate(conditions.ifUnmodifiedSince);
    if (since !== undefined && modified > since / 1000) {
      throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Unmodified-Since' });
    }
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (etagListMatches(conditions.ifNoneMatch, target.etag)) throw notModified();
  } else {
    const since = parseHttpDate(conditions.ifModifiedSince);
    if (since !== undefined && since <= Date.now() && modified <= since / 1000) throw notModified();
  }
}
