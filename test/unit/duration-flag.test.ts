import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/duration-flag.js';

describe('--upload-expiry ages', () => {
  it('reads a positive number with a unit', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
  });

  it('refuses zero, a missing or unknown unit, and anything else, saying what it expects', () => {
    for (const bad of ['0h', '24', 'h', '1.5h', '-1h', '24 hours', '', '99999999999999999d']) {
      expect(() => parseDuration(bad)).toThrow(/expected a positive age with a unit \(ms, s, m, h or d\)/);
    }
  });
});
