import { describe, expect, it } from 'vitest';
import { applyOrders, EMPTY_ACTIVITY } from '../../../lib/metrics/contribution.js';
import { churnRiskOf, quintileScore, quintileThresholds, rfmGroupOf, rfmValuesOf } from '../../../lib/metrics/segments.js';

// The usual R x F grid, written as the regular expressions it is often published as.
const grid: Array<[RegExp, string]> = [
  [/^11$/, 'LOST'],
  [/^[1-2][1-2]$/, 'HIBERNATING'],
  [/^[1-2][3-4]$/, 'AT_RISK'],
  [/^[1-2]5$/, 'CANNOT_LOSE'],
  [/^3[1-2]$/, 'ABOUT_TO_SLEEP'],
  [/^33$/, 'NEEDS_ATTENTION'],
  [/^[3-4][4-5]$/, 'LOYAL'],
  [/^41$/, 'PROMISING'],
  [/^51$/, 'NEW'],
  [/^[4-5][2-3]$/, 'POTENTIAL_LOYALIST'],
  [/^5[4-5]$/, 'CHAMPIONS'],
];
const cells = [1, 2, 3, 4, 5].flatMap((r) => [1, 2, 3, 4, 5].map((f) => [r, f, grid.find(([pattern]) => pattern.test(`${r}${f}`))![1]] as const));

describe('rfmGroupOf', () => {
  it.each(cells)('puts R%i F%i in %s', (recency, frequency, group) => {
    expect(rfmGroupOf(recency, frequency)).toBe(group);
  });
});

describe('quintile scores', () => {
  it('scores values 1 to 5 by the quintile they fall in, ties sharing a score', () => {
    const thresholds = quintileThresholds([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    expect(thresholds).toEqual([2, 4, 6, 8]);
    expect([1, 2, 3, 5, 7, 9, 10].map((v) => quintileScore(v, thresholds))).toEqual([1, 1, 2, 3, 4, 5, 5]);
    expect([1, 3, 9].map((days) => quintileScore(days, thresholds, true))).toEqual([5, 4, 1]);
  });
});

describe('churnRiskOf', () => {
  const day = 86_400_000;
  const start = Date.parse('2024-01-01T12:00:00Z');
  const activity = applyOrders(
    EMPTY_ACTIVITY,
    [0, 10, 20].map((d, i) => ({ orderId: `o${i}`, placedAt: start + d * day, status: 'PLACED' as const, total: 1_000, subtotal: 1_000 })),
  );

  it.each([
    [25, 'LOW'],
    [30, 'LOW'],
    [31, 'MEDIUM'],
    [40, 'MEDIUM'],
    [41, 'HIGH'],
  ])('is %s days after the first order (interval 10 days, last order on day 20) %s', (d, level) => {
    const values = rfmValuesOf(activity, new Date(start + d * day))!;

    expect(churnRiskOf(values, null)).toMatchObject({ level, daysSinceLastOrder: d - 20, typicalIntervalDays: 10, expectedNextOrderAt: new Date(start + 30 * day) });
  });

  it("uses the shop's median interval for a one-order customer", () => {
    const single = applyOrders(EMPTY_ACTIVITY, [{ orderId: 'x', placedAt: start, status: 'PLACED', total: 500, subtotal: 500 }]);

    expect(churnRiskOf(rfmValuesOf(single, new Date(start + 50 * day))!, 20)).toMatchObject({ level: 'HIGH', typicalIntervalDays: 20 });
    expect(churnRiskOf(rfmValuesOf(single, new Date(start + 50 * day))!, null)).toMatchObject({ level: 'LOW', typicalIntervalDays: null, expectedNextOrderAt: null });
  });
});
