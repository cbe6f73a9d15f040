import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPurchaseError } from '../../../lib/predictions/predictions.errors.js';
import {
  applyPurchase,
  emptySummaryState,
  localDayNumber,
  summarizePurchases,
  summarizeState,
  summaryStateOf,
  type Purchase,
} from '../../../lib/predictions/summary.js';

const DAY = 86_400_000;
const utc = (iso: string): number => Date.parse(iso);
const aPurchase = (overrides: Partial<Purchase> = {}): Purchase => ({ at: utc('1997-01-01T10:00:00Z'), amount: 1000, ...overrides });

describe('localDayNumber', () => {
  it('counts whole calendar days from 1970-01-01 in UTC', () => {
    expect(localDayNumber(utc('1970-01-02T23:59:59Z'))).toBe(1);
    expect(localDayNumber(new Date('1997-09-30T00:00:00Z'))).toBe(Date.UTC(1997, 8, 30) / DAY);
  });

  it.each([
    ['America/New_York', '2024-03-10T04:30:00Z', '2024-03-09'],
    ['America/New_York', '2024-03-10T05:30:00Z', '2024-03-10'],
    ['Asia/Tokyo', '2024-03-09T15:30:00Z', '2024-03-10'],
    ['Pacific/Chatham', '2024-03-09T10:30:00Z', '2024-03-10'],
  ])('takes the local date in %s (%s is %s there)', (timeZone, instant, localDate) => {
    expect(localDayNumber(utc(instant), timeZone)).toBe(utc(`${localDate}T00:00:00Z`) / DAY);
  });

  it('rejects an unknown time zone', () => {
    expect(() => emptySummaryState('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('summarizePurchases', () => {
  const calibrationEnd = utc('1997-09-30T00:00:00Z');

  it('measures T in whole days from the first purchase date to the calibration end date', () => {
    const summary = summarizePurchases([aPurchase({ at: utc('1997-01-01T18:00:00Z') })], { calibrationEnd, unit: 'day' })!;

    expect(summary).toMatchObject({ x: 0, tx: 0, T: 272, meanRepeatValue: null });
    expect(summarizePurchases([aPurchase()], { calibrationEnd, unit: 'week' })!.T).toBeCloseTo(38.857, 3);
  });

  it('merges same-day purchases and leaves the first day out of the mean repeat value', () => {
    const purchases = [
      aPurchase({ at: utc('1997-01-01T09:00:00Z'), amount: 5000 }),
      aPurchase({ at: utc('1997-01-01T21:00:00Z'), amount: 7000 }),
      aPurchase({ at: utc('1997-01-15T09:00:00Z'), amount: 1000 }),
      aPurchase({ at: utc('1997-01-15T10:00:00Z'), amount: 1500 }),
      aPurchase({ at: utc('1997-01-29T09:00:00Z'), amount: 2001 }),
    ];

    const summary = summarizePurchases(purchases, { calibrationEnd, unit: 'week' })!;

    expect(summary).toMatchObject({ x: 2, tx: 4, meanRepeatValue: 2250.5 });
    expect(summary.firstPurchaseAt.toISOString()).toBe('1997-01-01T09:00:00.000Z');
  });

  it('counts the calibration end date and ignores later purchases', () => {
    const purchases = [
      aPurchase({ at: utc('1997-09-01T12:00:00Z') }),
      aPurchase({ at: utc('1997-09-30T23:59:00Z'), amount: 300 }),
      aPurchase({ at: utc('1997-10-01T00:00:00Z'), amount: 99_999 }),
    ];

    const summary = summarizePurchases(purchases, { calibrationEnd, unit: 'day' });

    expect(summary).toMatchObject({ x: 1, tx: 29, T: 29, meanRepeatValue: 300 });
  });

  it('returns null for a customer whose first purchase is after the calibration end', () => {
    expect(summarizePurchases([aPurchase({ at: utc('1997-10-02T00:00:00Z') })], { calibrationEnd, unit: 'day' })).toBeNull();
  });

  it('separates days by the shop’s time zone, not by UTC', () => {
    // 23:30 and 00:30 in New York: one UTC date, two local dates.
    const purchases = [aPurchase({ at: utc('1997-03-10T04:30:00Z') }), aPurchase({ at: utc('1997-03-10T05:30:00Z') })];

    expect(summarizePurchases(purchases, { calibrationEnd, unit: 'day' })!.x).toBe(0);
    expect(summarizePurchases(purchases, { calibrationEnd, unit: 'day', timeZone: 'America/New_York' })!.x).toBe(1);
  });

  it.each([1.5, -1, Number.NaN])('rejects the amount %d', (amount) => {
    expect(() => summarizePurchases([aPurchase({ amount })], { calibrationEnd, unit: 'day' })).toThrow(InvalidPurchaseError);
  });
});

describe('applyPurchase', () => {
  it('turns the old first day into a repeat when an earlier purchase arrives late', () => {
    const later = applyPurchase(emptySummaryState(), aPurchase({ at: utc('1997-02-01T10:00:00Z'), amount: 4000 }));

    const both = applyPurchase(later, aPurchase({ at: utc('1997-01-01T10:00:00Z'), amount: 1000 }));

    expect(summarizeState(both, utc('1997-03-01T00:00:00Z'), 'day')).toMatchObject({ x: 1, tx: 31, T: 59, meanRepeatValue: 4000 });
    expect(later.days).toHaveLength(1);
  });

  it('keeps a state that survives a JSON round trip', () => {
    const state = summaryStateOf([aPurchase(), aPurchase({ at: utc('1997-02-01T10:00:00Z') })], 'Europe/Paris');

    const restored = JSON.parse(JSON.stringify(state)) as typeof state;

    expect(applyPurchase(restored, aPurchase({ at: utc('1997-03-01T10:00:00Z') }))).toEqual(
      applyPurchase(state, aPurchase({ at: utc('1997-03-01T10:00:00Z') })),
    );
  });
});

describe('summaries (properties)', () => {
  const timeZone = fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham');
  const purchase = fc.record({
    at: fc.integer({ min: utc('1997-01-01T00:00:00Z'), max: utc('1998-12-31T00:00:00Z') }),
    amount: fc.integer({ min: 0, max: 1_000_000 }),
  });
  const asOf = utc('1998-06-30T00:00:00Z');

  it('do not depend on the order purchases arrive in', () => {
    fc.assert(
      fc.property(
        timeZone,
        fc.array(purchase, { minLength: 1, maxLength: 40 }).chain((purchases) =>
          fc.tuple(fc.constant(purchases), fc.shuffledSubarray(purchases, { minLength: purchases.length })),
        ),
        (zone, [purchases, shuffled]) => {
          const incremental = shuffled.reduce(applyPurchase, emptySummaryState(zone));

          expect(incremental).toEqual(summaryStateOf(purchases, zone));
          expect(summarizeState(incremental, asOf, 'week')).toEqual(
            summarizePurchases(purchases, { calibrationEnd: asOf, unit: 'week', timeZone: zone }),
          );
        },
      ),
    );
  });

  it('merge purchases on the same local day into one purchase day', () => {
    const day = fc.integer({ min: Date.UTC(1997, 0, 1) / DAY, max: Date.UTC(1998, 5, 1) / DAY });
    const split = fc.array(fc.tuple(fc.integer({ min: 0, max: DAY - 1 }), fc.integer({ min: 0, max: 10_000 })), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(day, split), { minLength: 1, maxLength: 15, selector: ([d]) => d }), (days) => {
        const merged = days.map(([d, parts]) => ({ at: d * DAY, amount: parts.reduce((sum, [, amount]) => sum + amount, 0) }));
        const separate = days.flatMap(([d, parts]) => parts.map(([offset, amount]) => ({ at: d * DAY + offset, amount })));

        const summary = summarizePurchases(separate, { calibrationEnd: asOf, unit: 'day' })!;
        const expected = summarizePurchases(merged, { calibrationEnd: asOf, unit: 'day' })!;

        expect(summary.x).toBe(days.length - 1);
        expect({ ...summary, firstPurchaseAt: null }).toEqual({ ...expected, firstPurchaseAt: null });
      }),
    );
  });
});
