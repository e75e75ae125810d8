/** The two time formats of SigV4: `20130524T000000Z` on the wire, `2013-05-24T00:00:00Z` in S3's error fields. */

/** S3 allows 15 minutes between a request's time and its own. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** The number the ASCII digits of value[start, end) spell; -1 if any is not a digit. */
function digitsAt(value: string, start: number, end: number): number {
  let number = 0;
  for (let i = start; i < end; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

/** Parses `yyyyMMdd'T'HHmmss'Z'`; undefined when malformed or not a real calendar time. */
export function parseAmzDate(value: string): Date | undefined {
  if (value.length !== 16 || value[8] !== 'T' || value[15] !== 'Z') return undefined;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 4, 6) - 1;
  const day = digitsAt(value, 6, 8);
  const hour = digitsAt(value, 9, 11);
  const minute = digitsAt(value, 11, 13);
  const second = digitsAt(value, 13, 15);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
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
