import { describe, expect, it } from 'vitest';
import {
  adjust,
  balance,
  balanceFromLedger,
  earn,
  expire,
  pointsExpiringSoon,
  pruneLots,
  redeem,
  reverse,
  type EarnInput,
  type ExpiryPolicy,
  type LedgerEntry,
} from '../../../lib/loyalty/ledger.js';
import { InsufficientPointsError, RefundMismatchError, SourceNotEarnedError } from '../../../lib/loyalty/loyalty.errors.js';
import { day, LedgerRun } from './loyalty.fixtures.js';

const NEVER: ExpiryPolicy = { type: 'NEVER' };

function anEarn(overrides: Partial<EarnInput> & Pick<EarnInput, 'source'>): EarnInput {
  return { points: 100, at: day(0), pendingDays: 0, expiry: NEVER, ...overrides };
}

const order = (id: string) => ({ type: 'ORDER' as const, id });
const reward = (id: string) => ({ type: 'REWARD' as const, id });
const lotsOf = (entries: LedgerEntry[]) => entries.flatMap((e) => e.lots.map((c) => [c.lotId, c.points]));

describe('earn', () => {
  it('keeps points pending until the pending period ends, to the millisecond', () => {
    const run = new LedgerRun();

    run.apply((s) => earn(s, anEarn({ source: order('a'), pendingDays: 14 })));

    expect(balance(run.state, '2025-01-14T23:59:59.999Z')).toMatchObject({ available: 0, pending: 100 });
    expect(balance(run.state, day(14))).toMatchObject({ available: 100, pending: 0 });
  });

  it('earns nothing for a source that already has a lot (replayed order)', () => {
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('a') })));
    const before = run.state;

    const replay = earn(before, anEarn({ source: order('a'), points: 999, at: day(3) }));

    expect(replay.entries).toEqual([]);
    expect(replay.state).toBe(before);
  });

  it.each([
    [{ type: 'NEVER' } as ExpiryPolicy, null],
    [{ type: 'AFTER_DAYS', days: 365 } as ExpiryPolicy, '2026-01-01T00:00:00.000Z'],
    [{ type: 'INACTIVITY', days: 180 } as ExpiryPolicy, null],
  ])('sets the lot expiry from the policy %o', (expiry, expiresAt) => {
    const { state } = earn(emptyState(), anEarn({ source: order('a'), expiry }));

    expect(state.lots[0]?.expiresAt).toBe(expiresAt);
  });
});

describe('redeem', () => {
  // Lots: a expires day 100, b day 31, c never, d also day 31 but earned later than b; p is still
  // pending at day 12 although it expires first.
  function fourLots(): LedgerRun {
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('a'), at: day(0), expiry: { type: 'AFTER_DAYS', days: 100 } })));
    run.apply((s) => earn(s, anEarn({ source: order('b'), at: day(1), expiry: { type: 'AFTER_DAYS', days: 30 } })));
    run.apply((s) => earn(s, anEarn({ source: order('c'), at: day(2) })));
    run.apply((s) => earn(s, anEarn({ source: order('d'), at: day(11), expiry: { type: 'AFTER_DAYS', days: 20 } })));
    run.apply((s) => earn(s, anEarn({ source: order('p'), at: day(9), pendingDays: 14, expiry: { type: 'AFTER_DAYS', days: 20 } })));
    return run;
  }

  it.each([
    [40, [['ORDER#b', -40]]],
    [100, [['ORDER#b', -100]]],
    [150, [['ORDER#b', -100], ['ORDER#d', -50]]],
    [250, [['ORDER#b', -100], ['ORDER#d', -100], ['ORDER#a', -50]]],
    [400, [['ORDER#b', -100], ['ORDER#d', -100], ['ORDER#a', -100], ['ORDER#c', -100]]],
  ])('draws %i points from the lots that expire first, never-expiring last', (points, expected) => {
    const run = fourLots();

    const entries = run.apply((s) => redeem(s, { points, at: day(12), source: reward('r1') }));

    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ type: 'REDEEM', points: -points, source: reward('r1') });
    expect(lotsOf(entries)).toEqual(expected);
    expect(balance(run.state, day(12))).toMatchObject({ available: 400 - points, pending: 100, lifetimeSpent: points });
  });

  it('refuses more than the available balance, pending points not counting', () => {
    const run = fourLots();

    const attempt = () => redeem(run.state, { points: 401, at: day(12), source: reward('r1') });

    expect(attempt).toThrow(InsufficientPointsError);
    expect(attempt).toThrow(expect.objectContaining({ available: 400, requested: 401 }));
  });

  it('does not spend a lot past its expiry even before the expiry job has run', () => {
    const run = fourLots();

    const attempt = () => redeem(run.state, { points: 201, at: day(31), source: reward('r1') });

    expect(balance(run.state, day(31)).available).toBe(200);
    expect(attempt).toThrow(expect.objectContaining({ available: 200, requested: 201 }));
  });
});

describe('reverse', () => {
  it('takes back a refunded order from its own pending lot first', () => {
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('old'), at: day(0) })));
    run.apply((s) => earn(s, anEarn({ source: order('new'), at: day(1), pendingDays: 14, eligibleAmount: 10_000 })));

    const entries = run.apply((s) =>
      reverse(s, { source: order('new'), at: day(2), allowNegative: false, refund: { amount: 5_000, eligibleAmount: 10_000 } }),
    );

    expect(entries).toEqual([
      expect.objectContaining({ type: 'REVERSE', points: -50, shortfall: 0, lots: [{ lotId: 'ORDER#new', points: -50 }] }),
    ]);
    expect(balance(run.state, day(2))).toMatchObject({ available: 100, pending: 50, lifetimeEarned: 150 });
  });

  it('takes back an order no longer pending from the available lots that expire first', () => {
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('a'), at: day(0), expiry: { type: 'AFTER_DAYS', days: 300 } })));
    run.apply((s) => earn(s, anEarn({ source: order('b'), points: 60, at: day(1), expiry: { type: 'AFTER_DAYS', days: 100 } })));

    const entries = run.apply((s) => reverse(s, { source: order('a'), at: day(3), allowNegative: false, points: 100 }));

    expect(lotsOf(entries)).toEqual([['ORDER#b', -60], ['ORDER#a', -40]]);
    expect(run.state.lots.find((l) => l.lotId === 'ORDER#a')).toMatchObject({ reversed: 100, remaining: 60 });
    expect(balance(run.state, day(3))).toMatchObject({ available: 60, shortfall: 0, lifetimeEarned: 60 });
  });

  it('records what a refund after redemption cannot take back as shortfall, repaid first by the next earns', () => {
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('a'), eligibleAmount: 10_000 })));
    run.apply((s) => redeem(s, { points: 80, at: day(1), source: reward('r1') }));

    const refund = run.apply((s) =>
      reverse(s, { source: order('a'), at: day(2), allowNegative: false, refund: { amount: 10_000, eligibleAmount: 10_000 } }),
    );
    const firstEarn = run.apply((s) => earn(s, anEarn({ source: order('b'), points: 50, at: day(3) })));
    const secondEarn = run.apply((s) => earn(s, anEarn({ source: order('c'), points: 100, at: day(4) })));

    expect(refund).toEqual([expect.objectContaining({ type: 'REVERSE', points: -20, shortfall: 80, overdrawn: 0 })]);
    expect(firstEarn.map((e) => [e.type, e.reason, e.points, e.shortfall])).toEqual([
      ['EARN', 'ORDER', 50, 0],
      ['REVERSE', 'SHORTFALL_REPAID', -50, -50],
    ]);
    expect(secondEarn.map((e) => [e.type, e.reason, e.points, e.shortfall])).toEqual([
      ['EARN', 'ORDER', 100, 0],
      ['REVERSE', 'SHORTFALL_REPAID', -30, -30],
    ]);
    expect(balance(run.state, day(4))).toEqual({ available: 70, pending: 0, lifetimeEarned: 150, lifetimeSpent: 80, shortfall: 0 });
    expect(balanceFromLedger(run.entries, day(4))).toEqual(balance(run.state, day(4)));
  });

  it('shows an uncovered clawback as a negative balance when the tenant allows it, lifted by the next earn', () => {
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('a') })));
    run.apply((s) => redeem(s, { points: 80, at: day(1), source: reward('r1') }));

    const refund = run.apply((s) => reverse(s, { source: order('a'), at: day(2), allowNegative: true, points: 100 }));
    const afterRefund = balance(run.state, day(2));
    const next = run.apply((s) => earn(s, anEarn({ source: order('b'), points: 50, at: day(3) })));

    expect(refund).toEqual([expect.objectContaining({ points: -100, overdrawn: 80, shortfall: 0 })]);
    expect(afterRefund).toMatchObject({ available: -80, shortfall: 0 });
    expect(next).toEqual([expect.objectContaining({ type: 'EARN', points: 50, overdrawn: -50, lots: [{ lotId: 'ORDER#b', points: 0 }] })]);
    expect(balance(run.state, day(3))).toMatchObject({ available: -30, lifetimeEarned: 50 });
    expect(balanceFromLedger(run.entries, day(3))).toEqual(balance(run.state, day(3)));
  });

  it.each([
    [10, 3_000, [1_000, 1_000, 1_000], [3, 3, 4]],
    [10, 3_000, [1, 2_999], [0, 10]],
    [10, 3_000, [2_999, 1], [9, 1]],
    [7, 999, [333, 333, 333], [2, 2, 3]],
    [1, 3, [1, 1, 1], [0, 0, 1]],
    [250, 10_000, [2_500, 2_500, 2_500, 2_500], [62, 63, 62, 63]],
    [100, 5_000, [3_000, 3_000], [60, 40]],
  ])('takes back exactly the %i earned points when refunds of %i add up to the whole (%j)', (earned, eligible, refunds, expected) => {
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('a'), points: earned, eligibleAmount: eligible })));

    const clawbacks = refunds.map((amount, i) => {
      const entries = run.apply((s) =>
        reverse(s, { source: order('a'), at: day(1 + i), allowNegative: false, refund: { amount, eligibleAmount: eligible } }),
      );
      return 0 - (entries[0]?.points ?? 0);
    });

    expect(clawbacks).toEqual(expected);
    expect(run.state.lots[0]).toMatchObject({ reversed: earned, remaining: 0 });
  });

  it('throws for a source that never earned and for refunds that disagree on the eligible amount', () => {
    const { state } = earn(emptyState(), anEarn({ source: order('a'), eligibleAmount: 10_000 }));

    expect(() => reverse(state, { source: order('x'), at: day(1), allowNegative: false, points: 1 })).toThrow(SourceNotEarnedError);
    expect(() =>
      reverse(state, { source: order('a'), at: day(1), allowNegative: false, refund: { amount: 1, eligibleAmount: 9_999 } }),
    ).toThrow(RefundMismatchError);
  });
});

describe('adjust', () => {
  it('credits an available lot that a replay of the same adjustment id does not credit again', () => {
    const run = new LedgerRun();
    const credit = (s: typeof run.state) =>
      adjust(s, { points: 30, reason: 'goodwill', at: day(1), id: 'adj-1', allowNegative: false, expiry: NEVER });

    const first = run.apply(credit);
    const replay = run.apply(credit);

    expect(first).toEqual([expect.objectContaining({ type: 'ADJUST', points: 30, reason: 'goodwill' })]);
    expect(replay).toEqual([]);
    expect(balance(run.state, day(1))).toMatchObject({ available: 30, lifetimeEarned: 0 });
  });

  it.each([
    [false, 'throws', { available: 100, pending: 0 }],
    [true, 'overdraws', { available: -50, pending: 0 }],
  ])('with allowNegative %s, a deduction beyond the balance %s', (allowNegative, _outcome, expected) => {
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('a') })));

    const deduct = () =>
      run.apply((s) => adjust(s, { points: -150, reason: 'fraud', at: day(1), id: 'adj-1', allowNegative, expiry: NEVER }));

    if (allowNegative) deduct();
    else expect(deduct).toThrow(expect.objectContaining({ available: 100, requested: 150 }));
    expect(balance(run.state, day(1))).toMatchObject(expected);
    expect(balanceFromLedger(run.entries, day(1))).toEqual(balance(run.state, day(1)));
  });
});

describe('expire', () => {
  it.each([
    ['one millisecond before the lot expiry', '2025-01-30T23:59:59.999Z', 0],
    ['at the lot expiry', day(30), 100],
  ])('expires AFTER_DAYS lots %s only once', (_when, at, expired) => {
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('a'), expiry: { type: 'AFTER_DAYS', days: 30 } })));
    run.apply((s) => earn(s, anEarn({ source: order('b'), at: day(5), expiry: { type: 'AFTER_DAYS', days: 30 } })));

    const first = run.apply((s) => expire(s, { at, policy: { type: 'AFTER_DAYS', days: 30 } }));
    const stateAfterFirst = run.state;
    const second = expire(stateAfterFirst, { at, policy: { type: 'AFTER_DAYS', days: 30 } });

    expect(first.reduce((sum, e) => sum - e.points, 0)).toBe(expired);
    expect(second.entries).toEqual([]);
    expect(second.state).toBe(stateAfterFirst);
  });

  it.each([
    ['a millisecond short of 90 days after the last redemption', '2025-04-30T23:59:59.999Z', 0],
    ['90 days after the last redemption', day(120), 150],
  ])('under INACTIVITY, expires every point %s, idempotently', (_when, at, expired) => {
    const policy: ExpiryPolicy = { type: 'INACTIVITY', days: 90 };
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('a'), expiry: policy })));
    run.apply((s) => earn(s, anEarn({ source: order('b'), at: day(20), expiry: policy })));
    run.apply((s) => redeem(s, { points: 50, at: day(30), source: reward('r1') }));

    const first = run.apply((s) => expire(s, { at, policy }));
    const second = expire(run.state, { at, policy });

    expect(first.reduce((sum, e) => sum - e.points, 0)).toBe(expired);
    expect(first.every((e) => e.type === 'EXPIRE' && e.reason === 'INACTIVITY')).toBe(true);
    expect(second.entries).toEqual([]);
    expect(balance(run.state, at).available).toBe(150 - expired);
  });
});

describe('pointsExpiringSoon', () => {
  it('groups the points expiring within the horizon by local date', () => {
    const run = new LedgerRun();
    // Two lots expire on 2025-02-01 in Berlin (one at 23:30 UTC on Jan 31), one on Feb 2, one after the horizon.
    run.apply((s) => earn(s, anEarn({ source: order('a'), at: '2025-01-01T23:30:00.000Z', expiry: { type: 'AFTER_DAYS', days: 30 } })));
    run.apply((s) => earn(s, anEarn({ source: order('b'), points: 20, at: '2025-01-02T10:00:00.000Z', expiry: { type: 'AFTER_DAYS', days: 30 } })));
    run.apply((s) => earn(s, anEarn({ source: order('c'), points: 5, at: '2025-01-03T10:00:00.000Z', expiry: { type: 'AFTER_DAYS', days: 30 } })));
    run.apply((s) => earn(s, anEarn({ source: order('d'), at: '2025-01-20T10:00:00.000Z', expiry: { type: 'AFTER_DAYS', days: 30 } })));

    const soon = pointsExpiringSoon(run.state, '2025-01-25T00:00:00.000Z', 10, { timeZone: 'Europe/Berlin' });

    expect(soon).toEqual([
      { date: '2025-02-01', expiresAt: '2025-01-31T23:30:00.000Z', points: 120 },
      { date: '2025-02-02', expiresAt: '2025-02-02T10:00:00.000Z', points: 5 },
    ]);
  });

  it('under INACTIVITY, dates every point at the last activity plus the inactivity period', () => {
    const policy: ExpiryPolicy = { type: 'INACTIVITY', days: 30 };
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('a'), expiry: policy })));
    run.apply((s) => earn(s, anEarn({ source: order('b'), at: day(10), expiry: policy })));

    const soon = pointsExpiringSoon(run.state, day(20), 30, { policy });

    expect(soon).toEqual([{ date: '2025-02-10', expiresAt: day(40), points: 200 }]);
  });
});

describe('pruneLots', () => {
  it('drops empty lots that can no longer be clawed back and keeps the balance', () => {
    const run = new LedgerRun();
    run.apply((s) => earn(s, anEarn({ source: order('spent-old'), at: day(0) })));
    run.apply((s) => earn(s, anEarn({ source: order('spent-recent'), at: day(50) })));
    run.apply((s) => earn(s, anEarn({ source: order('refunded'), at: day(55), pendingDays: 14 })));
    run.apply((s) => earn(s, anEarn({ source: order('kept'), at: day(56) })));
    run.apply((s) => reverse(s, { source: order('refunded'), at: day(57), allowNegative: false, points: 100 }));
    run.apply((s) => redeem(s, { points: 250, at: day(60), source: reward('r1') }));

    const pruned = pruneLots(run.state, { at: day(61), reversibleForDays: 30 });

    expect(pruned.lots.map((l) => l.lotId)).toEqual(['ORDER#spent-recent', 'ORDER#kept']);
    expect(balance(pruned, day(61))).toEqual(balance(run.state, day(61)));
    expect(balanceFromLedger(run.entries, day(61))).toEqual(balance(pruned, day(61)));
  });
});

function emptyState() {
  return new LedgerRun().state;
}
