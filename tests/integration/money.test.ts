import { describe, expect, it } from 'vitest';
import { maxAmount, maxSafeSum } from '../../lib/common/amounts.js';
import { db } from '../../lib/db/service.js';
import { parseGlobalId } from '../../lib/graphql/ids.js';
import { aShop, anOrder, CUSTOMER_STATS, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { metricsStreamHandler, record, retention } from '../fixtures/metrics.js';
import { feedStream } from '../fixtures/stream.js';

const stream = feedStream(metricsStreamHandler);

const int32Max = 2_147_483_647;

const CUSTOMERS_PAGE = /* GraphQL */ `
  query { customers(first: 10) { nodes { externalId statistics { ordersCount totalSpent { amount } averageOrderValue { amount } } } } }
`;
const PROGRAM_UPDATE = /* GraphQL */ `
  mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { userErrors { field code message } } }
`;
const ADJUST = /* GraphQL */ `
  mutation ($input: LoyaltyPointsAdjustInput!) {
    loyaltyPointsAdjust(input: $input) { points account { balance { available } } userErrors { field code message } }
  }
`;
const BALANCE = /* GraphQL */ `
  query ($externalId: String!) { customerByExternalId(externalId: $externalId) { loyalty { balance { available lifetimeEarned } } } }
`;

/** Two orders of `amount` each for one customer, both in February 2026. */
async function twoOrders(t: TestShop, externalId: string, amount: number): Promise<void> {
  for (const day of ['03', '17']) {
    await record(t, anOrder({ customer: { externalId }, placedAt: `2026-02-${day}T10:00:00Z`, subtotal: amount, shipping: 0, lineItems: [] }));
  }
}

describe('money past 2^31', () => {
  it.each([
    ['the largest 32-bit Int', int32Max],
    ['the largest amount an input may carry', maxAmount],
  ])('reads statistics, a customers page and the month report after two orders of %s', async (_label, amount) => {
    const t = await aShop();
    await twoOrders(t, 'big-spender', amount);
    await stream.poller.drain();

    const stats = await t.gql(CUSTOMER_STATS, { externalId: 'big-spender' });
    const page = await t.gql(CUSTOMERS_PAGE);
    const report = await retention(t, 'MONTH', '2026-02', '2026-02');

    expect(stats.errors).toBeUndefined();
    expect(stats.data!.customerByExternalId.statistics).toMatchObject({ ordersCount: 2, totalSpent: { amount: 2 * amount }, averageOrderValue: { amount } });
    expect(page.errors).toBeUndefined();
    expect(page.data!.customers.nodes).toEqual([{ externalId: 'big-spender', statistics: { ordersCount: 2, totalSpent: { amount: 2 * amount }, averageOrderValue: { amount } } }]);
    expect(report.periods[0]).toMatchObject({ orders: 2, revenue: { amount: 2 * amount } });
  });

  it('keeps a loyalty balance after 22 adjustments of 100,000,000 points', async () => {
    const t = await aShop();
    expect((await t.gql(PROGRAM_UPDATE, { input: { pointsPerUnit: 1, pendingDays: 0 } })).data!.loyaltyProgramUpdate.userErrors).toEqual([]);
    const order = await record(t, anOrder({ customer: { externalId: 'collector' } }));

    let last: Record<string, any> | undefined;
    for (let i = 0; i < 22; i++) {
      const res = await t.gql(ADJUST, { input: { customer: order.order.customer.id, points: 100_000_000, reason: 'goodwill', idempotencyKey: `adj-${i}` } });
      expect(res.errors).toBeUndefined();
      last = res.data!.loyaltyPointsAdjust;
    }
    const balance = await t.gql(BALANCE, { externalId: 'collector' });

    expect(last).toMatchObject({ points: 100_000_000, account: { balance: { available: 2_200_000_000 } }, userErrors: [] });
    expect(balance.errors).toBeUndefined();
    expect(balance.data!.customerByExternalId.loyalty.balance.available).toBe(2_200_000_000);
  });
});

describe('amount bounds', () => {
  it('refuses an amount above the input maximum with its field path', async () => {
    const t = await aShop();

    const res = await t.gql(ORDER_RECORD, { input: anOrder({ subtotal: maxAmount + 1, shipping: 0, lineItems: [] }) });

    expect(res.data!.orderRecord.order).toBeNull();
    expect(res.data!.orderRecord.userErrors).toContainEqual(expect.objectContaining({ field: ['input', 'subtotal'], code: 'INVALID' }));
  });

  it('refuses a line whose quantity x unit price passes the maximum', async () => {
    const t = await aShop();

    const res = await t.gql(ORDER_RECORD, {
      input: anOrder({ subtotal: 1000, shipping: 0, lineItems: [{ sku: 'X', quantity: 100_000, unitPrice: maxAmount / 10 }] }),
    });

    expect(res.data!.orderRecord.userErrors).toContainEqual(expect.objectContaining({ field: ['input', 'lineItems', '0', 'unitPrice'], code: 'INVALID' }));
  });

  it.each([
    ['a number past 2^53 - 1', 2 ** 53 + 2],
    ['a fraction', 10.5],
    ['a string that is not an integer', '12e3'],
  ])('refuses %s as MinorUnits with BAD_USER_INPUT', async (_label, total) => {
    const t = await aShop();

    const res = await t.gql(ORDER_RECORD, { input: { ...anOrder(), total } });

    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain('MinorUnits');
  });

  it('accepts an amount as a decimal string and answers it as a number', async () => {
    const t = await aShop();
    const order = anOrder({ subtotal: 5000, shipping: 0, lineItems: [] });

    const res = await t.gql(ORDER_RECORD, { input: { ...order, subtotal: '5000', total: '5000' } });

    expect(res.data!.orderRecord.userErrors).toEqual([]);
    expect(res.data!.orderRecord.order.total).toEqual({ amount: 5000, currencyCode: 'EUR' });
  });

  it('refuses the order that would take a total spent past 2^53 - 1, and writes nothing', async () => {
    const t = await aShop();
    const first = await record(t, anOrder({ customer: { externalId: 'whale' }, subtotal: maxAmount, shipping: 0, lineItems: [] }));
    // Reaching 2^53 through the API takes 9,007 maximal orders: the stored total stands in for them.
    const customerId = parseGlobalId(t.tenantId, first.order.customer.id)!.id;
    await db().entities.customer.patch({ tenantId: t.tenantId, customerId }).set({ totalSpent: maxSafeSum - maxAmount + 1 }).go();

    const res = await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'whale' }, subtotal: maxAmount, shipping: 0, lineItems: [] }) });
    const stats = await t.gql(CUSTOMER_STATS, { externalId: 'whale' });

    expect(res.data!.orderRecord.userErrors).toEqual([expect.objectContaining({ field: ['input', 'total'], code: 'SUM_LIMIT_REACHED' })]);
    expect(stats.data!.customerByExternalId.statistics).toMatchObject({ ordersCount: 1, totalSpent: { amount: maxSafeSum - maxAmount + 1 } });
  });
});
