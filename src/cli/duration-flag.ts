import { InvalidArgumentError } from 'commander';
import { durationMs } from '../duration.js';

/** A positive age such as `500ms`, `90s`, `30m`, `24h` or `7d`, in milliseconds. */
export function parseDuration(value: string): number {
  const ms = durationMs(value);
  if (ms === undefined) throw new InvalidArgumentError(`expected a positive age with a unit (ms, s, m, h or d), e.g. 24h, got "${value}"`);
  return ms;
}

/** `0` (no limit) or a duration as parseDuration reads it, in milliseconds: `--request-timeout`. */
export function parseTimeout(value: string): number {
  if (value.trim() === '0') return 0;
  const ms = durationMs(value);
  if (ms === undefined) {
    throw new InvalidArgumentError(`expected 0 (no limit) or a duration with a unit (ms, s, m, h or d), e.g. 20s or 300ms, got "${value}"`);
  }
  return ms;
}
