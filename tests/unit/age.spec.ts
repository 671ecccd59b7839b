// The ages a user writes (verify --older-than, the reporter's maxAge) and how an age is shown.
import { test, expect } from '@playwright/test';
import { ageOf, formatAge, isRecordedAt, parseAge } from '../../src/core/age.js';
import { LlmOptionError } from '../../src/core/errors.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

test('an age is a whole number of hours, days or weeks; anything else is named with what is accepted', () => {
  expect([parseAge('12h', 'x'), parseAge('90d', 'x'), parseAge('2w', 'x'), parseAge(' 30D ', 'x')]).toEqual([12 * HOUR, 90 * DAY, 14 * DAY, 30 * DAY]);
  for (const bad of ['', '90', 'd', '30m', '1.5d', '-3d', '0d', '90 days', '1y', '9999999d']) {
    expect(() => parseAge(bad, '--older-than'), bad).toThrow(LlmOptionError);
    expect(() => parseAge(bad, '--older-than'), bad).toThrow(`--older-than takes an age: a whole number above 0 and a unit, h (hours), d (days) or w (weeks), e.g. 90d, 12h, 2w; got ${JSON.stringify(bad)}.`);
  }
});

test('an age is shown in days, else hours; a time ahead of now is no age', () => {
  const now = Date.parse('2026-12-02T12:00:00.000Z');
  expect(formatAge(ageOf('2026-08-24T12:00:00.000Z', now))).toBe('100 days');
  expect(formatAge(ageOf('2026-12-01T11:00:00.000Z', now))).toBe('1 day');
  expect(formatAge(ageOf('2026-12-02T07:00:00+00:00', now))).toBe('5 hours');
  expect(formatAge(ageOf('2026-12-02T11:30:00.000Z', now))).toBe('under an hour');
  expect(ageOf('2026-12-03T12:00:00.000Z', now)).toBe(0);
  expect(ageOf('2026-12-02T13:00:00+01:00', now)).toBe(0);
  expect([isRecordedAt('2026-12-02T12:00:00Z'), isRecordedAt('2026-12-02'), isRecordedAt('2026-13-02T12:00:00Z'), isRecordedAt(5)]).toEqual([true, false, false, false]);
});
