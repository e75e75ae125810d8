/** The two time formats of SigV4: `20130524T000000Z` on the wire, `2013-05-24T00:00:00Z` in S3's error fields. */

/** S3 allows 15 minutes between a request's time and its own. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses `yyyyMMdd'T'HHmmss'Z'`; undefined when malformed or not a real calendar time. */
export function parseAmzDate(value: string): Date | undefined {
  const match = AMZ_DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 20130231 over into March: reject anything that did not round-trip.
  return formatAmzDate(date) === value ? date : undefined;
}

export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** ISO 8601 without milliseconds, as S3 writes ServerTime and Expires. */
export function formatIsoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `yyyyMMdd`, the date in a credential scope. */
export function isScopeDate(value: string): boolean {
  return /^\d{8}$/.test(value);
}
