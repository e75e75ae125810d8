import { describe, expect, test } from 'vitest';
import { parseAmzDate } from '../../src/auth/amz-date.js';

describe('parseAmzDate', () => {
  test('reads a real calendar time', () => {
    expect(parseAmzDate('20130524T235959Z')?.toISOString()).toBe('2013-05-24T23:59:59.000Z');
    expect(parseAmzDate('20240229T000000Z')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  test.each([
    ['20130231T000000Z', 'a day past the month'],
    ['20230229T000000Z', 'February 29 of a common year'],
    ['20131301T000000Z', 'month 13'],
    ['20130100T000000Z', 'day 0'],
    ['20130524T240000Z', 'hour 24'],
    ['20130524T006000Z', 'minute 60'],
    ['20130524T000060Z', 'second 60'],
    ['00500101T000000Z', 'a year Date.UTC reads as 1950'],
    ['2013-05-24T00:00:00Z', 'the extended ISO format'],
    ['20130524T000000', 'no Z'],
  ])('refuses %s (%s)', (value) => {
    expect(parseAmzDate(value)).toBeUndefined();
  });
});
