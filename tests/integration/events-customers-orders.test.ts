import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../lib/db/service.js';
import { aShop, anOrder, mutateOk, ORDER_RECORD, type TestShop } from '../fixtures/api.js';

const UPSERT = /* GraphQL */ `
  mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { created customer { id } userErrors { field code message } } }
`;
const ERASE = /* GraphQL */ `
  mutation ($input: CustomerEraseInput!) { customerErase(input: $input) { customer { erasedAt } userErrors { field code message } } }
`;
const CANCEL = /* GraphQL */ `
  mutation ($input: OrderCancelInput!) { orderCancel(input: $input) { order { status } userErrors { field code message } } }
`;
const REFUND = /* GraphQL */ `
  mutation ($input: OrderRefundInput!) { orderRefund(input: $input) { refund { refundId } userErrors { field code message } } }
`;

/**
 * The shop's outbox, oldest first. Events recorded in the same instant (the test clock stands still)
 * have no order between them, so those are put in the order of the key the test names.
 */
async function eventsOf(shopId: string, type?: string, tieBreak?: string) {
  const { data } = await db().entities.event.query.byTime({ tenantId: shopId }).go({ pages: 'all' });
  const ofType = type ? data.filter((event) => event.type === type) : data;
  if (!tieBreak) return ofType;
  const key = (event: (typeof data)[number]) => String((event.data as Record<string, unknown>)[tieBreak]);
  return ofType.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || key(a).localeCompare(key(b)));
}

describe('order events', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
  });

  it('publishes order.recorded once per order, with its totals, and customer.created for the customer it creates', async () => {
    const input = anOrder({
      customer: { externalId: 'ev-1' },
      subtotal: 6_000,
      shipping: 500,
      discountCodes: ['WELCOME'],
      lineItems: [
        { sku: 'A', category: 'coffee', quantity: 2, unitPrice: 2_000 },
        { sku: 'B', category: 'tea', quantity: 1, unitPrice: 2_000 },
      ],
    });

    await mutateOk(t, ORDER_RECORD, input);
    const replay = await mutateOk(t, ORDER_RECORD, input);
    const second = anOrder({ customer: { externalId: 'ev-1' }, placedAt: '2026-02-10T10:00:00Z' });
    await mutateOk(t, ORDER_RECORD, second);

    expect(replay.created).toBe(false);
    const recorded = await eventsOf(t.tenantId, 'order.recorded', 'orderId');
    expect(recorded.map((event) => event.data)).toEqual([
      expect.objectContaining({ orderId: input.orderId, currencyCode: 'EUR', subtotal: 6_000, shipping: 500, total: 6_500, itemCount: 3, firstOrder: true, customerOrdersCount: 1, discountCodes: ['WELCOME'], referralCode: null }),
      expect.objectContaining({ orderId: second.orderId, firstOrder: false, customerOrdersCount: 2, itemCount: 2 }),
    ]);
    expect(recorded[0]).toMatchObject({ version: 1, occurredAt: input.placedAt.replace('Z', '.000Z') });
    const created = await eventsOf(t.tenantId, 'customer.created');
    expect(created).toHaveLength(1);
    expect(created[0]!.data).toMatchObject({ customerId: (recorded[0]!.data as { customerId: string }).customerId, externalId: 'ev-1', source: 'ORDER' });
  });

  it('publishes order.refunded once per refund id and order.cancelled once per order', async () => {
    const input = anOrder({ customer: { externalId: 'ev-2' } });
    await mutateOk(t, ORDER_RECORD, input);

    await mutateOk(t, REFUND, { orderId: input.orderId, refundId: 'r-1', amount: 1_000, reason: 'damaged' });
    await mutateOk(t, REFUND, { orderId: input.orderId, refundId: 'r-1', amount: 1_000, reason: 'damaged' });
    await mutateOk(t, REFUND, { orderId: input.orderId, refundId: 'r-2', amount: 500 });
    await mutateOk(t, CANCEL, { orderId: input.orderId });
    await mutateOk(t, CANCEL, { orderId: input.orderId });

    const refunded = (await eventsOf(t.tenantId, 'order.refunded', 'refundId')).map((event) => event.data);
    expect(refunded).toEqual([
      expect.objectContaining({ orderId: input.orderId, refundId: 'r-1', amount: 1_000, refundedTotal: 1_000, orderTotal: 5_500, reason: 'damaged', currencyCode: 'EUR' }),
      expect.objectContaining({ refundId: 'r-2', amount: 500, refundedTotal: 1_500, reason: null }),
    ]);
    const cancelled = await eventsOf(t.tenantId, 'order.cancelled');
    expect(cancelled.map((event) => event.data)).toEqual([expect.objectContaining({ orderId: input.orderId, total: 5_500, refunded: 1_500, cancelledAt: '2026-03-01T12:00:00.000Z' })]);
  });

  it('publishes nothing for an order that is refused', async () => {
    const before = (await eventsOf(t.tenantId)).length;
    const res = await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'ev-3' }, currencyCode: 'USD' }) });

    expect(res.data!.orderRecord.userErrors).toEqual([expect.objectContaining({ code: 'CURRENCY_MISMATCH' })]);
    expect(await eventsOf(t.tenantId)).toHaveLength(before);
  });
});

describe('customer events', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
  });

  it('publishes customer.created once when a customer is upserted, however often the upsert is repeated', async () => {
    const first = await mutateOk(t, UPSERT, { externalId: 'cu-1', firstName: 'Ann' });
    const again = await mutateOk(t, UPSERT, { externalId: 'cu-1', firstName: 'Ann' });

    expect([first.created, again.created]).toEqual([true, false]);
    const created = await eventsOf(t.tenantId, 'customer.created');
    expect(created.map((event) => event.data)).toEqual([expect.objectContaining({ externalId: 'cu-1', source: 'UPSERT', newsletter: 'NOT_SUBSCRIBED' })]);
  });

  it('publishes customer.newsletter_subscribed each time consent turns on, not when it stays on', async () => {
    await mutateOk(t, UPSERT, { externalId: 'cu-2', marketingConsent: { newsletter: 'SUBSCRIBED', source: 'checkout' } });
    await mutateOk(t, UPSERT, { externalId: 'cu-2', marketingConsent: { newsletter: 'SUBSCRIBED', source: 'checkout' } });
    t.clock.advance(86_400_000);
    await mutateOk(t, UPSERT, { externalId: 'cu-2', marketingConsent: { newsletter: 'UNSUBSCRIBED' } });
    t.clock.advance(86_400_000);
    await mutateOk(t, UPSERT, { externalId: 'cu-2', marketingConsent: { newsletter: 'SUBSCRIBED', source: 'popup' } });

    const subscribed = (await eventsOf(t.tenantId, 'customer.newsletter_subscribed')).map((event) => event.data);
    expect(subscribed).toEqual([
      expect.objectContaining({ externalId: 'cu-2', optedInAt: '2026-03-01T12:00:00.000Z', optInSource: 'checkout' }),
      expect.objectContaining({ externalId: 'cu-2', optedInAt: '2026-03-03T12:00:00.000Z', optInSource: 'popup' }),
    ]);
  });

  it('publishes customer.erased once per customer', async () => {
    const { customer } = await mutateOk(t, UPSERT, { externalId: 'cu-3', email: 'cu3@example.com' });

    await mutateOk(t, ERASE, { id: customer.id });
    await mutateOk(t, ERASE, { id: customer.id });

    const erased = await eventsOf(t.tenantId, 'customer.erased');
    expect(erased).toHaveLength(1);
    const created = (await eventsOf(t.tenantId, 'customer.created')).find((event) => (event.data as { externalId: string }).externalId === 'cu-3');
    expect(erased[0]!.data).toEqual({ customerId: (created!.data as { customerId: string }).customerId, erasedAt: t.clock.now().toISOString() });
  });
});
