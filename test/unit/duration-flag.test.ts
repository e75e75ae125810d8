import { describe, expect, it } from 'vitest';
import { parseDuration, parseTimeout } from '../../src/cli/duration-flag.js';

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

describe('--request-timeout', () => {
  it('reads 0 (no limit) or a duration with a unit, in milliseconds', () => {
    expect(parseTimeout('0')).toBe(0);
    expect(parseTimeout('300ms')).toBe(300);
    expect(parseTimeout('20s')).toBe(20_000);
    expect(parseTimeout('2m')).toBe(120_000);
  });

  it('refuses a number without a unit (other than 0) and anything else, saying what it expects', () => {
    for (const bad of ['20', '0s', '-1s', 's', '1.5s', '']) {
      expect(() => parseTimeout(bad)).toThrow(/expected 0 \(no limit\) or a duration with a unit \(ms, s, m, h or d\), e\.g\. 20s or 300ms/);
    }
  });
});
