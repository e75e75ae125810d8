import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../src/s3/timestamp.js';

describe('isoTimestamp', () => {
  it('is toISOString for every instant, across days and outside years 1970–9999', () => {
    const edges = [0, 1, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000, 951_782_400_000, 1_764_535_338_958, 253_402_300_799_999, 253_402_300_800_000, -1, -86_400_001, 8.64e15];
    for (const ms of edges) expect(isoTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
    // Consecutive instants of one day, then of the next: the cached day part changes with the day.
    for (let ms = 1_764_547_199_000; ms < 1_764_547_201_000; ms += 7) expect(isoTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
  });
});
