import { describe, expect, it } from 'vitest';
import {
  actionBonus,
  checkLimit,
  earnPreview,
  eligibleAmount,
  orderPoints,
  type ActionLimit,
  type ActionRule,
  type Rounding,
} from '../../../lib/loyalty/earn.js';
import { anEarnProgram, anOrder } from './loyalty.fixtures.js';

describe('orderPoints', () => {
  it.each<[string, number, string, number, number, Rounding, number]>([
    ['a fraction rounds down', 1, 'EUR', 1_999, 1, 'FLOOR', 19],
    ['a fraction rounds half up', 1, 'EUR', 1_999, 1, 'ROUND', 20],
    ['a fraction rounds up', 1, 'EUR', 1_999, 1, 'CEIL', 20],
    ['exactly half rounds down', 1, 'EUR', 1_050, 1, 'FLOOR', 10],
    ['exactly half rounds half up', 1, 'EUR', 1_050, 1, 'ROUND', 11],
    ['just under half rounds half up to below', 1, 'EUR', 1_049, 1, 'ROUND', 10],
    ['0.1 x 30.00 is exactly 3 (no float drift)', 0.1, 'EUR', 3_000, 1, 'CEIL', 3],
    ['0.1 x 30.00 is exactly 3, rounded down', 0.1, 'EUR', 3_000, 1, 'FLOOR', 3],
    ['0.07 x 100.00 is exactly 7', 0.07, 'EUR', 10_000, 1, 'CEIL', 7],
    ['1.5 x 9.99 x 1.25 = 18.73', 1.5, 'EUR', 999, 1.25, 'FLOOR', 18],
    ['1.5 x 9.99 x 1.25 = 18.73, rounded', 1.5, 'EUR', 999, 1.25, 'ROUND', 19],
    ['1.1 x 10.00 x 3 = 33 exactly', 1.1, 'EUR', 1_000, 3, 'CEIL', 33],
    ['yen have no minor unit', 0.01, 'JPY', 1_999, 1, 'FLOOR', 19],
    ['dinars have three', 1, 'KWD', 12_345, 1, 'CEIL', 13],
  ])('%s', (_case, pointsPerUnit, currencyCode, subtotal, multiplier, rounding, expected) => {
    const program = anEarnProgram({ pointsPerUnit, rounding });

    const { points } = orderPoints(program, multiplier, anOrder({ currencyCode, subtotal }));

    expect(points).toBe(expected);
  });
});

describe('eligibleAmount', () => {
  it.each([
    [false, false, 8_500],
    [true, false, 9_000],
    [false, true, 10_400],
    [true, true, 10_900],
  ])('with shipping %s and tax %s, earns on %i', (includeShipping, includeTax, expected) => {
    const program = anEarnProgram({ includeShipping, includeTax });

    const amount = eligibleAmount(program, anOrder({ subtotal: 10_000, discount: 1_500, shipping: 500, tax: 1_900 }));

    expect(amount).toBe(expected);
  });

  it('never goes below zero when discounts exceed the subtotal', () => {
    expect(eligibleAmount(anEarnProgram({ includeShipping: true }), anOrder({ subtotal: 1_000, discount: 2_000, shipping: 300 }))).toBe(300);
  });
});

describe('earnPreview', () => {
  it('splits the points into base points and what the tier adds', () => {
    const program = anEarnProgram({ pointsPerUnit: 2, rounding: 'FLOOR' });

    const preview = earnPreview(program, { multiplier: 1.25 }, anOrder({ subtotal: 4_999, discount: 0 }));

    expect(preview).toEqual({
      currencyCode: 'EUR',
      eligibleAmount: 4_999,
      basePoints: 99,
      multiplier: 1.25,
      tierBonusPoints: 25,
      points: 124,
    });
  });

  it('earns at the base rate without a tier', () => {
    expect(earnPreview(anEarnProgram(), null, anOrder({ subtotal: 2_000 }))).toMatchObject({ points: 20, tierBonusPoints: 0 });
  });
});

function aRule(limits: ActionLimit[], overrides: Partial<ActionRule> = {}): ActionRule {
  return { action: 'REVIEW', points: 50, enabled: true, limits, ...overrides };
}

describe('checkLimit', () => {
  // 2025-06-10T22:00:00Z is midnight starting June 11 in Berlin (UTC+2).
  it.each([
    ['the previous local day', ['2025-06-10T21:59:59.000Z'], '2025-06-10T22:00:00.000Z', 'Europe/Berlin', { allowed: true }],
    [
      'the same local day',
      ['2025-06-10T22:00:00.000Z'],
      '2025-06-11T21:59:59.000Z',
      'Europe/Berlin',
      { allowed: false, reason: 'PER_DAY', retryAt: '2025-06-11T22:00:00.000Z' },
    ],
    [
      'the same UTC day, a different day in Berlin',
      ['2025-06-10T21:00:00.000Z'],
      '2025-06-10T22:30:00.000Z',
      'UTC',
      { allowed: false, reason: 'PER_DAY', retryAt: '2025-06-11T00:00:00.000Z' },
    ],
    ['the previous day in New York', ['2025-06-11T03:59:00.000Z'], '2025-06-11T04:00:00.000Z', 'America/New_York', { allowed: true }],
  ])('allows one earn per day when the prior one was on %s', (_case, priors, at, timeZone, expected) => {
    const rule = aRule([{ type: 'PER_DAY', max: 1 }]);

    expect(checkLimit(rule, priors, at, timeZone)).toEqual(expected);
  });

  it.each([
    [[{ type: 'ONCE_EVER' }], [], { allowed: true }],
    [[{ type: 'ONCE_EVER' }], ['2020-01-01T00:00:00.000Z'], { allowed: false, reason: 'ONCE_EVER', retryAt: null }],
    [[{ type: 'PER_DAY', max: 2 }], ['2025-06-15T08:00:00.000Z'], { allowed: true }],
    [[{ type: 'PER_YEAR', max: 1 }], ['2024-12-31T22:59:59.000Z'], { allowed: true }],
    [
      [{ type: 'PER_YEAR', max: 1 }],
      ['2024-12-31T23:00:00.000Z'],
      { allowed: false, reason: 'PER_YEAR', retryAt: '2025-12-31T23:00:00.000Z' },
    ],
    [
      [{ type: 'PER_MONTH', max: 2 }],
      ['2025-06-01T08:00:00.000Z', '2025-06-02T08:00:00.000Z'],
      { allowed: false, reason: 'PER_MONTH', retryAt: '2025-06-30T22:00:00.000Z' },
    ],
    [
      [{ type: 'PER_ROLLING_DAYS', days: 7, max: 2 }],
      ['2025-06-09T12:00:00.000Z', '2025-06-12T12:00:00.000Z'],
      { allowed: false, reason: 'PER_ROLLING_DAYS', retryAt: '2025-06-16T12:00:00.000Z' },
    ],
    [[{ type: 'PER_ROLLING_DAYS', days: 7, max: 2 }], ['2025-06-08T12:00:00.000Z', '2025-06-12T12:00:00.000Z'], { allowed: true }],
    [
      [{ type: 'PER_DAY', max: 5 }, { type: 'PER_YEAR', max: 1 }, { type: 'PER_MONTH', max: 1 }],
      ['2025-06-01T08:00:00.000Z'],
      { allowed: false, reason: 'PER_YEAR', retryAt: '2025-12-31T23:00:00.000Z' },
    ],
  ] as [ActionLimit[], string[], unknown][])('with limits %j and priors %j at 2025-06-15 in Berlin, answers %j', (limits, priors, expected) => {
    expect(checkLimit(aRule(limits), priors, '2025-06-15T12:00:00.000Z', 'Europe/Berlin')).toEqual(expected);
  });

  it('refuses a switched-off rule for good', () => {
    expect(checkLimit(aRule([], { enabled: false }), [], '2025-06-15T12:00:00.000Z', 'UTC')).toEqual({
      allowed: false,
      reason: 'DISABLED',
      retryAt: null,
    });
  });
});

describe('actionBonus', () => {
  const program = anEarnProgram({
    actions: [
      { action: 'SIGNUP', points: 100, enabled: true, limits: [{ type: 'ONCE_EVER' }] },
      { action: 'CUSTOM:app-install', points: 25, enabled: true, limits: [] },
    ],
  });

  it.each([
    ['SIGNUP', [], { allowed: true, points: 100 }],
    ['SIGNUP', ['2025-01-01T00:00:00.000Z'], { allowed: false, reason: 'ONCE_EVER', retryAt: null }],
    ['CUSTOM:app-install', ['2025-06-15T11:00:00.000Z'], { allowed: true, points: 25 }],
    ['BIRTHDAY', [], { allowed: false, reason: 'NOT_CONFIGURED', retryAt: null }],
  ] as const)('for %s with priors %j, answers %j', (action, priors, expected) => {
    expect(actionBonus(program, action, priors, '2025-06-15T12:00:00.000Z', 'Europe/Berlin')).toEqual(expected);
  });
});
