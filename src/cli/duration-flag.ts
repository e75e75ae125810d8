import { InvalidArgumentError } from 'commander';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A positive age such as `500ms`, `90s`, `30m`, `24h` or `7d`, in milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
  if (!match || !Number.isSafeInteger(ms) || ms <= 0) {
    throw new InvalidArgumentError(`expected a positive age with a unit (ms, s, m, h or d), e.g. 24h, got "${value}"`);
  }
  return ms;
}

/** `0` (no limit) or a duration as parseDuration reads it, in milliseconds: `--request-timeout`. */
export function parseTimeout(value: string): number {
  if (value.trim() === '0') return 0;
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError(`expected 0 (no limit) or a duration with a unit (ms, s, m, h or d), e.g. 20s or 300ms, got "${value}"`);
  }
}
