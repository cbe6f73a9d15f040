import { describe, expect, it } from 'vitest';
import type { CounterValues } from '../../../lib/metrics/domain-reports.js';
import {
  diffDeltas,
  feedbackFigures,
  loyaltyEntryDelta,
  loyaltyRows,
  memberPurchaseFigures,
  nonMemberPurchaseFigures,
  referralDeltas,
  referralFigures,
  responseDeltas,
} from '../../../lib/metrics/domain-reports.js';

describe('loyalty entry contributions', () => {
  it.each([
    ['EARN', 40, { issued: 40, net: 40 }],
    ['ADJUST', 15, { issued: 15, net: 15 }],
    ['ADJUST', -5, { reversed: 5, net: -5 }],
    ['REDEEM', -20, { redeemed: 20, net: -20 }],
    ['EXPIRE', -30, { expired: 30, net: -30 }],
    ['REVERSE', -10, { reversed: 10, net: -10 }],
  ])('counts a %s of %i points', (type, points, values) => {
    expect(loyaltyEntryDelta({ type, points, at: '2026-01-05T10:00:00Z' }).values).toEqual(values);
  });
});

describe('loyaltyRows', () => {
  it('carries outstanding points and members from periods before the range, and gives null rates without issued points', () => {
    const points = new Map<string, CounterValues>([
      ['2026-01', { issued: 100, net: 100 }],
      ['2026-02', { redeemed: 30, net: -30 }],
      ['2026-03', { issued: 50, expired: 10, redeemed: 5, net: 35 }],
    ]);
    const periods = new Map<string, CounterValues>([
      ['2025-12', { newMembers: 1 }],
      ['2026-01', { newMembers: 2 }],
      ['2026-03', { newMembers: 1 }],
    ]);

    const rows = loyaltyRows(points, periods, ['2026-02', '2026-03']);

    expect(rows.map(({ memberPurchases: _m, nonMemberPurchases: _n, ...row }) => row)).toEqual([
      { period: '2026-02', pointsIssued: 0, pointsRedeemed: 30, pointsExpired: 0, pointsReversed: 0, redemptionRate: null, breakageRate: null, outstandingPoints: 70, members: 3, newMembers: 0 },
      { period: '2026-03', pointsIssued: 50, pointsRedeemed: 5, pointsExpired: 10, pointsReversed: 0, redemptionRate: 10, breakageRate: 20, outstandingPoints: 105, members: 4, newMembers: 1 },
    ]);
  });
});

describe('diffDeltas', () => {
  it('moves a referral from pending to completed in the period of its order, in the shop time zone', () => {
    const pending = referralDeltas({ status: 'PENDING', reason: 'PASSED_RULES', placedAt: '2026-01-31T23:30:00Z', orderTotal: 5_500 });
    const completed = referralDeltas({ status: 'COMPLETED', reason: 'HOLD_PERIOD_PASSED', placedAt: '2026-01-31T23:30:00Z', orderTotal: 5_500 });

    expect(diffDeltas(pending, completed, 'MONTH', 'Europe/Berlin')).toEqual(new Map([['2026-02', { completed: 1, referredRevenue: 5_500 }]]));
    expect(diffDeltas(pending, completed, 'MONTH', 'UTC')).toEqual(new Map([['2026-01', { completed: 1, referredRevenue: 5_500 }]]));
    expect(diffDeltas(completed, completed, 'MONTH', 'UTC').size).toBe(0);
  });

  it('moves an edited NPS score from detractor to passive', () => {
    const before = responseDeltas({ kind: 'NPS', score: 3, submittedAt: '2026-01-10T12:00:00Z', channel: 'PARTNER' });
    const after = responseDeltas({ kind: 'NPS', score: 7, submittedAt: '2026-01-10T12:00:00Z', channel: 'PARTNER' });

    expect(diffDeltas(before, after, 'YEAR', 'UTC')).toEqual(new Map([['2026', { npsDetractors: -1, npsPassives: 1 }]]));
  });
});

describe('referral figures', () => {
  it('does not start a referral whose code was invalid, but counts its rejection by reason', () => {
    const [unknown] = referralDeltas({ status: 'REJECTED', reason: 'UNKNOWN_CODE', placedAt: '2026-01-10T00:00:00Z', orderTotal: 100 });
    const [below] = referralDeltas({ status: 'REJECTED', reason: 'BELOW_MINIMUM_ORDER', placedAt: '2026-01-10T00:00:00Z', orderTotal: 100 });
    const values: Record<string, number> = {};
    for (const delta of [unknown!, below!]) for (const [k, v] of Object.entries(delta.values)) values[k] = (values[k] ?? 0) + v;

    expect(referralFigures(values)).toEqual({
      referralsStarted: 1,
      referralsCompleted: 0,
      referralsRejected: 2,
      rejectedByReason: [
        { reason: 'BELOW_MINIMUM_ORDER', count: 1 },
        { reason: 'UNKNOWN_CODE', count: 1 },
      ],
      completionRate: 0,
      referredRevenue: 0,
    });
    expect(referralFigures({}).completionRate).toBeNull();
  });
});

describe('feedback figures', () => {
  it('computes NPS, CSAT, CES and the response rate from counts, null without a denominator', () => {
    const figures = feedbackFigures({ responses: 6, invitedResponses: 1, invitations: 4, npsPromoters: 2, npsPassives: 1, npsDetractors: 1, csatResponses: 3, csatSatisfied: 2 });

    expect(figures).toMatchObject({ responseRate: 25, nps: { score: 25, responses: 4 }, csat: { satisfied: 2, responses: 3 }, ces: { mean: null, sum: 0, responses: 0 } });
    expect(figures.csat.score).toBeCloseTo(200 / 3, 12);
    expect(feedbackFigures({})).toMatchObject({ responseRate: null, nps: { score: null }, csat: { score: null }, ces: { mean: null } });
  });
});

describe('members vs non-members', () => {
  it('gives the members their counters and everyone else the rest of the period, with rates and averages', () => {
    const period = { activeCustomers: 10, repeatCustomers: 3, orders: 16, revenue: 5_000, memberActiveCustomers: 4, memberRepeatCustomers: 1, memberOrders: 6, memberRevenue: 1_000 };

    expect(memberPurchaseFigures(period)).toEqual({ customers: 4, repeatCustomers: 1, repeatPurchaseRate: 25, orders: 6, revenue: 1_000, averageOrderValue: 1_000 / 6 });
    expect(nonMemberPurchaseFigures(period)).toEqual({ customers: 6, repeatCustomers: 2, repeatPurchaseRate: (2 / 6) * 100, orders: 10, revenue: 4_000, averageOrderValue: 400 });
  });

  it('gives null rates and averages to a group without customers', () => {
    expect(memberPurchaseFigures({ activeCustomers: 2, orders: 2, revenue: 100 })).toMatchObject({ customers: 0, repeatPurchaseRate: null, averageOrderValue: null });
    expect(nonMemberPurchaseFigures({ activeCustomers: 2, orders: 2, revenue: 100, memberActiveCustomers: 2, memberOrders: 2, memberRevenue: 100 })).toMatchObject({
      customers: 0,
      repeatPurchaseRate: null,
      averageOrderValue: null,
    });
  });
});
