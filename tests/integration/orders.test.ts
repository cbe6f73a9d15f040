import { beforeAll, describe, expect, it } from 'vitest';
import { aShop, anOrder, CUSTOMER_STATS, ORDER_RECORD, type TestShop } from '../fixtures/api.js';

describe('orderRecord', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
  });

  it('records an order and creates its customer with statistics', async () => {
    const input = anOrder({ customer: { externalId: 'alice', email: 'Alice@Example.com' } });

    const res = await t.gql(ORDER_RECORD, { input });

    expect(res.errors).toBeUndefined();
    expect(res.data!.orderRecord).toMatchObject({ created: true, userErrors: [], order: { orderId: input.orderId, status: 'PLACED', total: { amount: 5_500, currencyCode: 'EUR' }, customer: { externalId: 'alice' } } });
    const stats = await t.gql(CUSTOMER_STATS, { externalId: 'alice' });
    expect(stats.data!.customerByExternalId.statistics).toEqual({
      ordersCount: 1,
      totalSpent: { amount: 5_500, currencyCode: 'EUR' },
      averageOrderValue: { amount: 5_500 },
      firstOrderAt: '2026-02-01T10:00:00.000Z',
      lastOrderAt: '2026-02-01T10:00:00.000Z',
      averageDaysBetweenOrders: null,
    });
  });

  it('treats the same order sent twice as one order', async () => {
    const input = anOrder({ customer: { externalId: 'bob' } });

    const first = await t.gql(ORDER_RECORD, { input });
    const second = await t.gql(ORDER_RECORD, { input });

    expect(first.data!.orderRecord.created).toBe(true);
    expect(second.data!.orderRecord).toMatchObject({ created: false, userErrors: [], order: { orderId: input.orderId } });
    const stats = await t.gql(CUSTOMER_STATS, { externalId: 'bob' });
    expect(stats.data!.customerByExternalId.statistics.ordersCount).toBe(1);
  });

  it('answers CONFLICT when the same order id comes with another payload', async () => {
    const input = anOrder({ customer: { externalId: 'carol' } });
    await t.gql(ORDER_RECORD, { input });

    const res = await t.gql(ORDER_RECORD, { input: { ...input, subtotal: 6_000, total: 6_500 } });

    expect(res.data!.orderRecord).toMatchObject({ created: false, order: null, userErrors: [{ code: 'CONFLICT', field: ['input', 'orderId'] }] });
  });

  it('counts 20 concurrent identical calls exactly once', async () => {
    const input = anOrder({ customer: { externalId: 'dora' } });

    const results = await Promise.all(Array.from({ length: 20 }, () => t.gql(ORDER_RECORD, { input })));

    expect(results.every((r) => r.errors === undefined && r.data!.orderRecord.userErrors.length === 0)).toBe(true);
    expect(results.filter((r) => r.data!.orderRecord.created)).toHaveLength(1);
    const stats = await t.gql(CUSTOMER_STATS, { externalId: 'dora' });
    expect(stats.data!.customerByExternalId.statistics).toMatchObject({ ordersCount: 1, totalSpent: { amount: 5_500 } });
  });

  it('keeps statistics right when different orders of one customer arrive concurrently', async () => {
    const inputs = Array.from({ length: 10 }, (_, i) => anOrder({ customer: { externalId: 'erin' }, placedAt: `2026-01-${String(i + 10).padStart(2, '0')}T08:00:00Z` }));

    await Promise.all(inputs.map((input) => t.gql(ORDER_RECORD, { input })));

    const stats = await t.gql(CUSTOMER_STATS, { externalId: 'erin' });
    expect(stats.data!.customerByExternalId.statistics).toMatchObject({
      ordersCount: 10,
      totalSpent: { amount: 55_000 },
      firstOrderAt: '2026-01-10T08:00:00.000Z',
      lastOrderAt: '2026-01-19T08:00:00.000Z',
      averageDaysBetweenOrders: 1,
    });
  });

  it.each([
    ['a negative quantity', { lineItems: [{ quantity: -1, unitPrice: 100 }] }, ['input', 'lineItems', '0', 'quantity']],
    ['a total that does not add up', { total: 1 }, ['input', 'total']],
    ['a malformed email', { customer: { email: 'not-an-email' } }, ['input', 'customer', 'email']],
    ['a date in the year 0', { placedAt: '0000-02-01T10:00:00Z' }, ['input', 'placedAt']],
    ['a date more than a day ahead of now', { placedAt: '2026-03-03T12:00:00Z' }, ['input', 'placedAt']],
  ])('rejects %s with its field path and records nothing', async (_name, override, field) => {
    const input = anOrder({ customer: { externalId: 'frank' }, ...override });

    const res = await t.gql(ORDER_RECORD, { input });

    expect(res.errors).toBeUndefined();
    expect(res.data!.orderRecord.order).toBeNull();
    expect(res.data!.orderRecord.userErrors).toContainEqual(expect.objectContaining({ code: 'INVALID', field }));
    const order = await t.gql(`query ($id: String!) { order(orderId: $id) { orderId } }`, { id: input.orderId });
    expect(order.data!.order).toBeNull();
  });

  it.each([
    ['a float amount', { subtotal: 10.5, lineItems: [] }, 'input.subtotal'],
    ['a date without offset', { placedAt: '2026-02-01T10:00:00' }, 'input.placedAt'],
  ])('refuses %s as a malformed request naming the field, with HTTP 400', async (_name, override, path) => {
    const res = await t.gql(ORDER_RECORD, { input: anOrder(override) });

    expect(res.status).toBe(400);
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toContain(path);
  });

  it('rejects an order in another currency', async () => {
    const res = await t.gql(ORDER_RECORD, { input: anOrder({ currencyCode: 'USD' }) });

    expect(res.data!.orderRecord.userErrors).toEqual([expect.objectContaining({ code: 'CURRENCY_MISMATCH', field: ['input', 'currencyCode'] })]);
  });

  it('rejects a guest order without external id or email', async () => {
    const res = await t.gql(ORDER_RECORD, { input: anOrder({ customer: {} }) });

    expect(res.data!.orderRecord.userErrors).toEqual([expect.objectContaining({ code: 'GUEST_ORDER', field: ['input', 'customer'] })]);
  });

  it('attaches an email-only customer to its external id when it appears', async () => {
    await t.gql(ORDER_RECORD, { input: anOrder({ customer: { email: 'gina@example.com' } }) });

    const res = await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'gina', email: 'GINA@example.com' } }) });

    expect(res.data!.orderRecord.userErrors).toEqual([]);
    const stats = await t.gql(CUSTOMER_STATS, { externalId: 'gina' });
    expect(stats.data!.customerByExternalId.statistics.ordersCount).toBe(2);
  });
});

describe('orderCancel and orderRefund', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
  });

  const CANCEL = `mutation ($input: OrderCancelInput!) { orderCancel(input: $input) { order { status cancelledAt netTotal { amount } } userErrors { field code message } } }`;
  const REFUND = `mutation ($input: OrderRefundInput!) { orderRefund(input: $input) { order { refunded { amount } netTotal { amount } refunds { refundId amount { amount } } } refund { refundId } userErrors { field code message } } }`;

  it('stops counting a cancelled order and recomputes first and last order times', async () => {
    const first = anOrder({ customer: { externalId: 'hank' }, placedAt: '2026-01-01T00:00:00Z' });
    const last = anOrder({ customer: { externalId: 'hank' }, placedAt: '2026-01-21T00:00:00Z' });
    await t.gql(ORDER_RECORD, { input: first });
    await t.gql(ORDER_RECORD, { input: last });

    const res = await t.gql(CANCEL, { input: { orderId: last.orderId } });
    const again = await t.gql(CANCEL, { input: { orderId: last.orderId } });

    expect(res.data!.orderCancel.order).toMatchObject({ status: 'CANCELLED', netTotal: { amount: 0 } });
    expect(again.data!.orderCancel.userErrors).toEqual([]);
    const stats = await t.gql(CUSTOMER_STATS, { externalId: 'hank' });
    expect(stats.data!.customerByExternalId.statistics).toMatchObject({
      ordersCount: 1,
      totalSpent: { amount: 5_500 },
      firstOrderAt: '2026-01-01T00:00:00.000Z',
      lastOrderAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('records partial refunds once per refund id and nets them from total spent', async () => {
    const input = anOrder({ customer: { externalId: 'ivy' } });
    await t.gql(ORDER_RECORD, { input });

    await t.gql(REFUND, { input: { orderId: input.orderId, refundId: 'r1', amount: 1_000 } });
    const replay = await t.gql(REFUND, { input: { orderId: input.orderId, refundId: 'r1', amount: 1_000 } });
    const second = await t.gql(REFUND, { input: { orderId: input.orderId, refundId: 'r2', amount: 500 } });

    expect(replay.data!.orderRefund.userErrors).toEqual([]);
    expect(second.data!.orderRefund.order).toMatchObject({ refunded: { amount: 1_500 }, netTotal: { amount: 4_000 } });
    expect(second.data!.orderRefund.order.refunds).toHaveLength(2);
    const stats = await t.gql(CUSTOMER_STATS, { externalId: 'ivy' });
    expect(stats.data!.customerByExternalId.statistics.totalSpent.amount).toBe(4_000);
  });

  it('refuses a refund beyond what is left, and a reused refund id with another amount', async () => {
    const input = anOrder({ customer: { externalId: 'jack' } });
    await t.gql(ORDER_RECORD, { input });
    await t.gql(REFUND, { input: { orderId: input.orderId, refundId: 'r1', amount: 5_000 } });

    const tooMuch = await t.gql(REFUND, { input: { orderId: input.orderId, refundId: 'r2', amount: 501 } });
    const reused = await t.gql(REFUND, { input: { orderId: input.orderId, refundId: 'r1', amount: 10 } });

    expect(tooMuch.data!.orderRefund.userErrors).toEqual([expect.objectContaining({ code: 'REFUND_EXCEEDS_TOTAL', field: ['input', 'amount'] })]);
    expect(reused.data!.orderRefund.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'refundId'] })]);
  });

  it('answers NOT_FOUND for an unknown order', async () => {
    const res = await t.gql(CANCEL, { input: { orderId: 'nope' } });

    expect(res.data!.orderCancel.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
  });
});

describe('orderRecordBatch', () => {
  const BATCH = `mutation ($input: OrderRecordBatchInput!) { orderRecordBatch(input: $input) { createdCount existingCount failedCount results { orderId created userErrors { field code } } userErrors { field code } } }`;

  it('records each order of a batch with its own user errors', async () => {
    const t = await aShop();
    const good = anOrder({ customer: { externalId: 'batch-1' } });
    const bad = anOrder({ customer: { externalId: 'batch-2' }, total: 1 });

    const first = (await t.gql(BATCH, { input: { orders: [good, bad] } })).data!.orderRecordBatch;
    const again = (await t.gql(BATCH, { input: { orders: [good] } })).data!.orderRecordBatch;

    expect(first).toMatchObject({ createdCount: 1, existingCount: 0, failedCount: 1, userErrors: [] });
    expect(first.results[1].userErrors).toEqual([{ field: ['input', 'orders', '1', 'total'], code: 'INVALID' }]);
    expect(again).toMatchObject({ createdCount: 0, existingCount: 1, failedCount: 0 });
  });

  it('refuses more than 100 orders in one call and records none of them', async () => {
    const t = await aShop();
    const orders = Array.from({ length: 101 }, () => anOrder({ customer: { externalId: 'batch-big' } }));

    const res = (await t.gql(BATCH, { input: { orders } })).data!.orderRecordBatch;

    expect(res.userErrors).toEqual([{ field: ['input', 'orders'], code: 'INVALID' }]);
    const customer = await t.gql(`{ customerByExternalId(externalId: "batch-big") { id } }`);
    expect(customer.data!.customerByExternalId).toBeNull();
  });
});
