import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPeriodError, InvalidTimeZoneError } from '../../../lib/metrics/metrics.errors.js';
import {
  addPeriods,
  assertTimeZone,
  granularityOf,
  isoWeekLabel,
  nextPeriod,
  periodEnd,
  periodOf,
  periodOffset,
  periodRange,
  periodsBetween,
  periodStart,
  previousPeriod,
  zonedTimeToInstant,
  GRANULARITIES,
  type Granularity,
} from '../../../lib/metrics/periods.js';

const at = (iso: string) => Date.parse(iso);

describe('periodOf', () => {
  it.each([
    ['2024-02-14T12:00:00Z', 'WEEK', 'UTC', '2024-02-12'],
    ['2024-02-14T12:00:00Z', 'MONTH', 'UTC', '2024-02'],
    ['2024-02-14T12:00:00Z', 'QUARTER', 'UTC', '2024-Q1'],
    ['2024-02-14T12:00:00Z', 'YEAR', 'UTC', '2024'],
    // ISO weeks across a year boundary: 2021-01-03 is the Sunday of 2020-W53.
    ['2021-01-03T23:59:59.999Z', 'WEEK', 'UTC', '2020-12-28'],
    ['2021-01-04T00:00:00Z', 'WEEK', 'UTC', '2021-01-04'],
    ['2024-12-31T10:00:00Z', 'WEEK', 'UTC', '2024-12-30'],
    ['2024-12-31T23:59:59.999Z', 'YEAR', 'UTC', '2024'],
    // Local dates, not UTC dates: 22:30Z on 31 March is already April in Berlin (CEST, +2).
    ['2024-03-31T21:59:59.999Z', 'MONTH', 'Europe/Berlin', '2024-03'],
    ['2024-03-31T22:00:00Z', 'MONTH', 'Europe/Berlin', '2024-04'],
    ['2024-03-31T22:00:00Z', 'QUARTER', 'Europe/Berlin', '2024-Q2'],
    ['2023-12-31T23:30:00Z', 'YEAR', 'Europe/Berlin', '2024'],
    // New York is behind UTC: 03:00Z on 1 December is still November there (EST, -5).
    ['2024-12-01T04:59:59.999Z', 'MONTH', 'America/New_York', '2024-11'],
    ['2024-12-01T05:00:00Z', 'MONTH', 'America/New_York', '2024-12'],
    ['2024-03-11T03:59:59.999Z', 'WEEK', 'America/New_York', '2024-03-04'],
    ['2024-03-11T04:00:00Z', 'WEEK', 'America/New_York', '2024-03-11'],
    ['2021-01-04T04:59:00Z', 'WEEK', 'America/New_York', '2020-12-28'],
  ] as const)('puts %s in %s (%s) into %s', (instant, granularity, timeZone, expected) => {
    expect(periodOf(at(instant), granularity, timeZone)).toBe(expected);
  });

  it('defaults to UTC and accepts a Date', () => {
    expect(periodOf(new Date('2024-06-30T23:30:00Z'), 'MONTH')).toBe('2024-06');
  });

  it('rejects an unknown time zone with a domain error', () => {
    expect(() => periodOf(0, 'MONTH', 'Mars/Olympus_Mons')).toThrow(InvalidTimeZoneError);
    expect(() => assertTimeZone('Europe/Berlin')).not.toThrow();
  });
});

describe('periodStart and periodEnd', () => {
  it.each([
    ['2024-02', 'MONTH', 'UTC', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-Q1', 'QUARTER', 'UTC', '2024-01-01T00:00:00.000Z', '2024-04-01T00:00:00.000Z'],
    ['2024', 'YEAR', 'UTC', '2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2020-12-28', 'WEEK', 'UTC', '2020-12-28T00:00:00.000Z', '2021-01-04T00:00:00.000Z'],
    // Berlin springs forward on 2024-03-31: March starts at +1 and ends at +2, 743 hours long.
    ['2024-03', 'MONTH', 'Europe/Berlin', '2024-02-29T23:00:00.000Z', '2024-03-31T22:00:00.000Z'],
    ['2024-03-25', 'WEEK', 'Europe/Berlin', '2024-03-24T23:00:00.000Z', '2024-03-31T22:00:00.000Z'],
    // ... and falls back on 2024-10-27: that week is 169 hours long.
    ['2024-10-21', 'WEEK', 'Europe/Berlin', '2024-10-20T22:00:00.000Z', '2024-10-27T23:00:00.000Z'],
    ['2024-Q4', 'QUARTER', 'Europe/Berlin', '2024-09-30T22:00:00.000Z', '2024-12-31T23:00:00.000Z'],
    ['2024-11', 'MONTH', 'America/New_York', '2024-11-01T04:00:00.000Z', '2024-12-01T05:00:00.000Z'],
    ['2024-03-04', 'WEEK', 'America/New_York', '2024-03-04T05:00:00.000Z', '2024-03-11T04:00:00.000Z'],
    ['2024', 'YEAR', 'America/New_York', '2024-01-01T05:00:00.000Z', '2025-01-01T05:00:00.000Z'],
    // Asuncion skipped midnight on 2023-10-01 (00:00 → 01:00): October starts at local 01:00.
    ['2023-10', 'MONTH', 'America/Asuncion', '2023-10-01T04:00:00.000Z', '2023-11-01T03:00:00.000Z'],
    // Kathmandu is +05:45: quarter-hour offsets come from Intl like any other.
    ['2024-01', 'MONTH', 'Asia/Kathmandu', '2023-12-31T18:15:00.000Z', '2024-01-31T18:15:00.000Z'],
  ] as const)('bounds %s (%s, %s) by [%s, %s)', (key, granularity, timeZone, start, end) => {
    expect(periodStart(key, granularity, timeZone).toISOString()).toBe(start);
    expect(periodEnd(key, granularity, timeZone).toISOString()).toBe(end);
  });

  it('rejects a key of another granularity', () => {
    expect(() => periodStart('2024-02', 'QUARTER', 'UTC')).toThrow(InvalidPeriodError);
  });

  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Sao_Paulo'];

  it('contains every instant in the period periodOf gives it, and periods tile time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('1995-01-01T00:00:00Z'), max: at('2035-01-01T00:00:00Z') }),
        fc.constantFrom(...GRANULARITIES),
        fc.constantFrom(...zones),
        (instant, granularity, timeZone) => {
          const key = periodOf(instant, granularity, timeZone);
          const start = periodStart(key, granularity, timeZone).getTime();
          const end = periodEnd(key, granularity, timeZone).getTime();
          expect(start).toBeLessThanOrEqual(instant);
          expect(instant).toBeLessThan(end);
          expect(periodOf(start, granularity, timeZone)).toBe(key);
          expect(periodOf(end - 1, granularity, timeZone)).toBe(key);
          expect(periodStart(nextPeriod(key), granularity, timeZone).getTime()).toBe(end);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('period arithmetic', () => {
  it.each([
    ['2024-12', '2025-01', '2024-11'],
    ['2024-Q4', '2025-Q1', '2024-Q3'],
    ['2024-Q1', '2024-Q2', '2023-Q4'],
    ['2024', '2025', '2023'],
    ['2020-12-28', '2021-01-04', '2020-12-21'],
    ['2024-02-26', '2024-03-04', '2024-02-19'],
  ])('steps from %s to %s and back to %s', (key, next, previous) => {
    expect(nextPeriod(key)).toBe(next);
    expect(previousPeriod(key)).toBe(previous);
    expect(previousPeriod(nextPeriod(key))).toBe(key);
  });

  it.each([
    ['2024-01', '2024-01', 0],
    ['2023-11', '2024-02', 3],
    ['2023-Q4', '2025-Q1', 5],
    ['2020-12-28', '2021-01-11', 2],
    ['2024', '2021', -3],
  ])('counts the offset from cohort %s to %s as %i', (cohort, period, k) => {
    expect(periodOffset(cohort, period)).toBe(k);
    expect(addPeriods(cohort, k)).toBe(period);
  });

  it('rejects offsets between granularities', () => {
    expect(() => periodOffset('2024-01', '2024-Q1')).toThrow(InvalidPeriodError);
  });

  it.each([
    ['2020-12-28', '2020-W53'],
    ['2021-01-04', '2021-W01'],
    ['2024-02-12', '2024-W07'],
    ['2024-12-30', '2025-W01'],
    ['2015-12-28', '2015-W53'],
  ])('labels week %s as %s', (key, label) => {
    expect(isoWeekLabel(key)).toBe(label);
  });

  it.each(['2024-13', '2024-Q5', '24', '2024-02-13', '2024-02-30', '2024-W07', ''])('rejects the malformed key "%s"', (key) => {
    expect(() => granularityOf(key)).toThrow(InvalidPeriodError);
  });

  it('keeps keys of one granularity sorted as strings in time order', () => {
    for (const granularity of GRANULARITIES) {
      const keys = periodsBetween(at('1999-06-01T00:00:00Z'), at('2031-06-01T00:00:00Z'), granularity);
      expect([...keys].sort()).toEqual(keys);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('lists the periods overlapping a half-open range', () => {
    expect(periodsBetween(at('2024-01-15T00:00:00Z'), at('2024-07-01T00:00:00Z'), 'QUARTER')).toEqual(['2024-Q1', '2024-Q2']);
    expect(periodsBetween(at('2024-01-15T00:00:00Z'), at('2024-07-01T00:00:01Z'), 'QUARTER')).toEqual(['2024-Q1', '2024-Q2', '2024-Q3']);
    expect(periodsBetween(at('2024-03-31T22:30:00Z'), at('2024-05-01T00:00:00Z'), 'MONTH', 'Europe/Berlin')).toEqual(['2024-04', '2024-05']);
    expect(periodsBetween(at('2024-07-01T00:00:00Z'), at('2024-07-01T00:00:00Z'), 'MONTH')).toEqual([]);
    expect(periodRange('2024-03', '2024-01')).toEqual([]);
  });
});

describe('zonedTimeToInstant', () => {
  it.each([
    [{ year: 2024, month: 7, day: 1, hour: 12 }, 'Europe/Berlin', '2024-07-01T10:00:00.000Z'],
    [{ year: 2024, month: 1, day: 1, hour: 12 }, 'Europe/Berlin', '2024-01-01T11:00:00.000Z'],
    // 02:30 does not exist on 2024-03-31 in Berlin: shifted forward by the gap, to 03:30 CEST.
    [{ year: 2024, month: 3, day: 31, hour: 2, minute: 30 }, 'Europe/Berlin', '2024-03-31T01:30:00.000Z'],
    // 02:30 happens twice on 2024-10-27: the earlier one (CEST).
    [{ year: 2024, month: 10, day: 27, hour: 2, minute: 30 }, 'Europe/Berlin', '2024-10-27T00:30:00.000Z'],
    [{ year: 2024, month: 11, day: 3, hour: 1, minute: 30 }, 'America/New_York', '2024-11-03T05:30:00.000Z'],
    [{ year: 2024, month: 11, day: 3 }, 'UTC', '2024-11-03T00:00:00.000Z'],
  ] as const)('reads %o in %s as %s', (wall, timeZone, expected) => {
    expect(zonedTimeToInstant(wall, timeZone).toISOString()).toBe(expected);
  });

  it.each([
    ['2024-03', 'MONTH', { year: 2024, month: 3, day: 1 }],
    ['2024-10-28', 'WEEK', { year: 2024, month: 10, day: 28 }],
    ['2025', 'YEAR', { year: 2025, month: 1, day: 1 }],
  ] as const)('agrees with periodStart on the first midnight of %s', (key, granularity, firstDay) => {
    expect(zonedTimeToInstant(firstDay, 'America/New_York')).toEqual(periodStart(key, granularity, 'America/New_York'));
  });
});
