import { describe, expect, it } from 'vitest';
import {
  addCounters,
  applyMembership,
  applyOrder,
  applyOrders,
  cohortCounterKey,
  contributionOf,
  diffContribution,
  EMPTY_ACTIVITY,
  historicValueOf,
  isCustomer,
  parseCounterKey,
  periodCounterKey,
  revenueOf,
  type ActivityOrder,
  type OrderFacts,
} from '../../../lib/metrics/contribution.js';

function anOrder(overrides: Partial<OrderFacts> = {}): OrderFacts {
  return {
    orderId: 'o-1',
    placedAt: '2024-02-10T12:00:00Z',
    status: 'PLACED',
    total: 10_000,
    subtotal: 8_000,
    refunded: 0,
    ...overrides,
  };
}

function anActivityOrder(overrides: Partial<ActivityOrder> = {}): ActivityOrder {
  return { placedAt: Date.parse('2024-02-10T12:00:00Z'), status: 'PLACED', total: 10_000, subtotal: 8_000, refunded: 0, version: 0, ...overrides };
}

describe('applyOrder', () => {
  it('inserts a new order and keeps only ids, times, statuses and amounts', () => {
    const state = applyOrder(EMPTY_ACTIVITY, anOrder({ version: 3 }));

    expect(state).toEqual({
      orders: { 'o-1': { placedAt: Date.parse('2024-02-10T12:00:00Z'), status: 'PLACED', total: 10_000, subtotal: 8_000, refunded: 0, version: 3 } },
    });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('returns the same state for a redelivered record', () => {
    const state = applyOrder(EMPTY_ACTIVITY, anOrder());

    expect(applyOrder(state, anOrder())).toBe(state);
  });

  it('replaces an order by a higher version and ignores a lower one', () => {
    const edited = anOrder({ version: 2, total: 12_000, status: 'PLACED' });
    const cancelledEarlier = anOrder({ version: 1, status: 'CANCELLED' });

    const forward = applyOrders(EMPTY_ACTIVITY, [cancelledEarlier, edited]);
    const backward = applyOrders(EMPTY_ACTIVITY, [edited, cancelledEarlier]);

    expect(forward).toEqual(backward);
    expect(forward.orders['o-1']).toMatchObject({ version: 2, total: 12_000, status: 'PLACED' });
  });

  it('lets a cancellation and a larger refund win at equal versions, in either order', () => {
    const placed = anOrder();
    const refunded = anOrder({ refunded: 4_000 });
    const cancelled = anOrder({ status: 'CANCELLED' });

    const states = [
      applyOrders(EMPTY_ACTIVITY, [placed, refunded, cancelled]),
      applyOrders(EMPTY_ACTIVITY, [cancelled, refunded, placed]),
      applyOrders(EMPTY_ACTIVITY, [refunded, cancelled, placed, refunded]),
    ];

    for (const state of states) expect(state).toEqual(states[0]);
    expect(states[0]?.orders['o-1']).toMatchObject({ status: 'CANCELLED' });
    expect(applyOrders(EMPTY_ACTIVITY, [refunded, placed]).orders['o-1']?.refunded).toBe(4_000);
  });

  it('keeps an order id such as __proto__ as a plain entry', () => {
    const state = applyOrder(EMPTY_ACTIVITY, anOrder({ orderId: '__proto__' }));

    expect(Object.keys(state.orders)).toEqual(['__proto__']);
    expect(isCustomer(state)).toBe(true);
    expect(isCustomer(EMPTY_ACTIVITY)).toBe(false);
  });

  it.each([
    ['a fractional total', { total: 10.5 }],
    ['an unparseable placedAt', { placedAt: 'yesterday' }],
  ])('rejects %s', (_, overrides) => {
    expect(() => applyOrder(EMPTY_ACTIVITY, anOrder(overrides))).toThrow(RangeError);
  });
});

describe('revenueOf', () => {
  it.each([
    ['no refund', { total: 10_000, subtotal: 8_000, refunded: 0 }, 10_000, 8_000],
    ['a partial refund, pro rata on the subtotal', { total: 10_000, subtotal: 8_000, refunded: 2_500 }, 7_500, 6_000],
    ['a full refund', { total: 10_000, subtotal: 8_000, refunded: 10_000 }, 0, 0],
    ['a refund beyond the total, as a full refund', { total: 10_000, subtotal: 8_000, refunded: 12_000 }, 0, 0],
    ['a pro rata share rounded half up', { total: 4, subtotal: 2, refunded: 1 }, 3, 1],
    ['a pro rata share rounded down', { total: 3, subtotal: 2, refunded: 1 }, 2, 1],
    ['a free order', { total: 0, subtotal: 0, refunded: 0 }, 0, 0],
    ['amounts whose product exceeds 2^53', { total: 9_000_000_000_001, subtotal: 8_000_000_000_000, refunded: 4_500_000_000_000 }, 4_500_000_000_001, 4_000_000_000_000],
    ['a cancelled order', { status: 'CANCELLED' as const, total: 10_000, subtotal: 8_000, refunded: 0 }, 0, 0],
  ])('counts %s', (_, overrides, total, subtotal) => {
    const order = anActivityOrder(overrides);

    expect(revenueOf(order, 'TOTAL')).toBe(total);
    expect(revenueOf(order, 'SUBTOTAL')).toBe(subtotal);
  });

  it('sums a customer\'s historic value net of refunds, without cancelled orders', () => {
    const state = applyOrders(EMPTY_ACTIVITY, [
      anOrder({ orderId: 'a', total: 1_000, refunded: 300 }),
      anOrder({ orderId: 'b', total: 2_000 }),
      anOrder({ orderId: 'c', total: 5_000, status: 'CANCELLED' }),
    ]);

    expect(historicValueOf(state)).toBe(2_700);
  });
});

describe('contributionOf', () => {
  it('counts a customer in each period they were active in and in their cohort', () => {
    const state = applyOrders(EMPTY_ACTIVITY, [
      anOrder({ orderId: 'a', placedAt: '2024-01-05T10:00:00Z', total: 1_000 }),
      anOrder({ orderId: 'b', placedAt: '2024-02-01T10:00:00Z', total: 2_000, refunded: 500 }),
      anOrder({ orderId: 'c', placedAt: '2024-02-20T10:00:00Z', total: 3_000, refunded: 3_000 }),
      anOrder({ orderId: 'd', placedAt: '2024-04-02T10:00:00Z', total: 4_000 }),
      anOrder({ orderId: 'e', placedAt: '2023-12-24T10:00:00Z', total: 9_000, status: 'CANCELLED' }),
    ]);

    const contribution = contributionOf(state, 'MONTH');

    expect(Object.fromEntries(contribution)).toEqual({
      'P#2024-01#activeCustomers': 1,
      'P#2024-01#orders': 1,
      'P#2024-01#revenue': 1_000,
      'P#2024-01#newCustomers': 1,
      'P#2024-01#newCustomerRevenue': 1_000,
      'C#2024-01#0#activeCustomers': 1,
      'C#2024-01#0#revenue': 1_000,
      'P#2024-02#activeCustomers': 1,
      'P#2024-02#orders': 2,
      'P#2024-02#revenue': 1_500,
      'P#2024-02#repeatCustomers': 1,
      'P#2024-02#retainedFromPrevious': 1,
      'C#2024-01#1#activeCustomers': 1,
      'C#2024-01#1#revenue': 1_500,
      'P#2024-04#activeCustomers': 1,
      'P#2024-04#orders': 1,
      'P#2024-04#revenue': 4_000,
      'C#2024-01#3#activeCustomers': 1,
      'C#2024-01#3#revenue': 4_000,
    });
  });

  it('contributes nothing for a customer whose orders are all cancelled', () => {
    const state = applyOrder(EMPTY_ACTIVITY, anOrder({ status: 'CANCELLED' }));

    expect(contributionOf(state, 'WEEK').size).toBe(0);
  });

  it('buckets orders by the local date in the tenant\'s time zone', () => {
    const state = applyOrder(EMPTY_ACTIVITY, anOrder({ placedAt: '2024-03-31T22:30:00Z' }));

    expect(contributionOf(state, 'QUARTER', 'UTC').get('P#2024-Q1#activeCustomers')).toBe(1);
    expect(contributionOf(state, 'QUARTER', 'Europe/Berlin').get('P#2024-Q2#activeCustomers')).toBe(1);
  });

  it('uses the revenue basis chosen', () => {
    const state = applyOrder(EMPTY_ACTIVITY, anOrder({ total: 10_000, subtotal: 8_000, refunded: 5_000 }));

    expect(contributionOf(state, 'YEAR', 'UTC', 'SUBTOTAL').get('P#2024#revenue')).toBe(4_000);
  });
});

describe('loyalty membership in the contribution', () => {
  const orders = [
    anOrder({ orderId: 'a', placedAt: '2024-01-05T10:00:00Z', total: 1_000 }),
    anOrder({ orderId: 'b', placedAt: '2024-02-03T10:00:00Z', total: 2_000 }),
    anOrder({ orderId: 'c', placedAt: '2024-02-25T10:00:00Z', total: 3_000, refunded: 1_000 }),
    anOrder({ orderId: 'd', placedAt: '2024-03-10T10:00:00Z', total: 4_000, status: 'CANCELLED' }),
  ];
  const memberKeys = (state: Parameters<typeof contributionOf>[0], timeZone = 'UTC') =>
    Object.fromEntries([...contributionOf(state, 'MONTH', timeZone)].filter(([key]) => /#(newMembers|member\w+)$/.test(key)));

  it('counts a customer who joins mid-period as a member for the whole period and every later one, and as a new member once', () => {
    const state = applyMembership(applyOrders(EMPTY_ACTIVITY, orders), '2024-02-20T09:00:00Z');

    expect(memberKeys(state)).toEqual({
      'P#2024-02#newMembers': 1,
      'P#2024-02#memberActiveCustomers': 1,
      'P#2024-02#memberOrders': 2,
      'P#2024-02#memberRevenue': 4_000,
      'P#2024-02#memberRepeatCustomers': 1,
    });
  });

  it('cuts membership at the end of the period in the tenant\'s time zone', () => {
    // 23:30 UTC on 31 January is already February in Berlin: not a member at the end of January there.
    const state = applyMembership(applyOrders(EMPTY_ACTIVITY, orders), '2024-01-31T23:30:00Z');

    expect(memberKeys(state, 'UTC')['P#2024-01#memberActiveCustomers']).toBe(1);
    expect(memberKeys(state, 'Europe/Berlin')['P#2024-01#memberActiveCustomers']).toBeUndefined();
    expect(memberKeys(state, 'Europe/Berlin')['P#2024-02#newMembers']).toBe(1);
  });

  it('counts a member without orders as a new member only', () => {
    expect(Object.fromEntries(contributionOf(applyMembership(EMPTY_ACTIVITY, '2024-05-01T00:00:00Z'), 'YEAR'))).toEqual({ 'P#2024#newMembers': 1 });
  });

  it('keeps the earliest join whatever the order and repetition of the records', () => {
    const once = applyMembership(EMPTY_ACTIVITY, '2024-02-01T00:00:00Z');
    const later = applyMembership(once, '2024-04-01T00:00:00Z');

    expect(later).toBe(once);
    expect(applyMembership(applyMembership(EMPTY_ACTIVITY, '2024-04-01T00:00:00Z'), '2024-02-01T00:00:00Z')).toEqual(once);
    expect(applyOrder(once, anOrder()).joinedAt).toBe(Date.parse('2024-02-01T00:00:00Z'));
  });
});

describe('diffContribution', () => {
  it('moves the cohort when an older order arrives after the recent ones', () => {
    const recent = applyOrder(EMPTY_ACTIVITY, anOrder({ orderId: 'recent', placedAt: '2024-05-01T00:00:00Z', total: 700 }));
    const withHistory = applyOrder(recent, anOrder({ orderId: 'old', placedAt: '2023-11-15T00:00:00Z', total: 300 }));

    const deltas = diffContribution(contributionOf(recent, 'QUARTER'), contributionOf(withHistory, 'QUARTER'));

    expect(Object.fromEntries(deltas)).toEqual({
      'P#2024-Q2#newCustomers': -1,
      'P#2024-Q2#newCustomerRevenue': -700,
      'C#2024-Q2#0#activeCustomers': -1,
      'C#2024-Q2#0#revenue': -700,
      'P#2023-Q4#activeCustomers': 1,
      'P#2023-Q4#orders': 1,
      'P#2023-Q4#revenue': 300,
      'P#2023-Q4#newCustomers': 1,
      'P#2023-Q4#newCustomerRevenue': 300,
      'C#2023-Q4#0#activeCustomers': 1,
      'C#2023-Q4#0#revenue': 300,
      'C#2023-Q4#2#activeCustomers': 1,
      'C#2023-Q4#2#revenue': 700,
    });
  });

  it('is empty when nothing changes and takes the old contribution to the new one', () => {
    const before = contributionOf(applyOrder(EMPTY_ACTIVITY, anOrder()), 'MONTH');
    const after = contributionOf(applyOrder(EMPTY_ACTIVITY, anOrder({ refunded: 10_000 })), 'MONTH');

    expect(diffContribution(before, before).size).toBe(0);
    expect(addCounters(new Map(before), diffContribution(before, after))).toEqual(after);
    expect(Object.fromEntries(diffContribution(before, after))).toEqual({
      'P#2024-02#revenue': -10_000,
      'P#2024-02#newCustomerRevenue': -10_000,
      'C#2024-02#0#revenue': -10_000,
    });
  });
});

describe('counter keys', () => {
  it('parses the keys it builds', () => {
    expect(parseCounterKey(periodCounterKey('2024-02-12', 'orders'))).toEqual({ kind: 'PERIOD', period: '2024-02-12', counter: 'orders' });
    expect(parseCounterKey(cohortCounterKey('2024-Q1', 3, 'revenue'))).toEqual({ kind: 'COHORT', cohort: '2024-Q1', offset: 3, counter: 'revenue' });
  });

  it.each(['P#2024-01#nope', 'C#2024-01#-1#revenue', 'X#2024#orders', 'P#2024'])('rejects "%s"', (key) => {
    expect(() => parseCounterKey(key)).toThrow(RangeError);
  });
});
