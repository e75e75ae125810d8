/** The two time formats of SigV4: `20130524T000000Z` on the wire, `2013-05-24T00:00:00Z` in S3's error fields. */

/** S3 allows 15 minutes between a request's time and its own. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses `yyyyMMdd'T'HHmmss'Z'`; undefined when malformed or not a real calendar time. */
export function parseAmzDate(value: string): Date | undefined {
  const match = AMZ_DATE.exec(value);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  const date = new Date(Date.UTC(year, month, day, hour, minute, second));
  // Date.UTC rolls 20130231 over into March (and reads years 0–99 as 1900–1999): reject anything
  // whose fields did not come back as written. Field by field, not by formatting the date again:
  // this runs on every signed request.
  const roundTrips =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return roundTrips ? date : undefined;
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
