import { assertSafeSums } from '../common/amounts.js';
import { InvalidInputError } from '../common/errors.js';
import { canonicalJson, sha256Hex } from '../common/hash.js';
import { dateOutsideWindow } from '../common/input.js';
import {
  customerWriteItems,
  getCustomer,
  planCustomerForOrder,
  statisticsFromOrders,
  withOrderCounted,
  type CustomerItem,
  type CustomerStatistics,
} from '../customers/index.js';
import { pageFromKeyedItems, type Page } from '../db/pagination.js';
import { db } from '../db/service.js';
import { backoff, maxOptimisticAttempts, writeTransaction } from '../db/transactions.js';
import { eventTxItem } from '../events/index.js';
import { orderCancelled, orderRecorded, orderRefunded } from './orders.events.js';
import {
  CurrencyMismatchError,
  GuestOrderError,
  OrderConflictError,
  OrderNotFoundError,
  RefundConflictError,
  RefundExceedsTotalError,
} from './orders.errors.js';
import type { OrderCancelInput, OrderRecordInput, OrderRefundInput } from './orders.inputs.js';
import type { OrderItem } from './orders.entities.js';

export type Refund = NonNullable<OrderItem['refunds']>[number];

/** Shops' clocks and time zones disagree a little; a day ahead is a mistake. */
const maxClockSkewMs = 24 * 60 * 60 * 1000;

export interface ShopContext {
  tenantId: string;
  currencyCode: string;
}

/** Reads one order by the shop's order id. */
export async function getOrder(tenantId: string, orderId: string): Promise<OrderItem | undefined> {
  return (await db().entities.order.get({ tenantId, orderId }).go({ consistent: true })).data ?? undefined;
}

/** Lists a customer's orders, newest first, one page at a time. */
export async function listOrdersForCustomer(args: {
  tenantId: string;
  customerId: string;
  first: number;
  cursor: string | null;
}): Promise<Page<OrderItem>> {
  const result = await db()
    .entities.order.query.byCustomer({ tenantId: args.tenantId, customerId: args.customerId })
    .go({ cursor: args.cursor, limit: args.first, order: 'desc', data: 'includeKeys' });
  return pageFromKeyedItems<OrderItem>(result.data as Array<Record<string, unknown>>, 'gsi1', result.cursor);
}

function statsOf(customer: CustomerItem): CustomerStatistics {
  return {
    ordersCount: customer.ordersCount ?? 0,
    totalSpent: customer.totalSpent ?? 0,
    firstOrderAt: customer.firstOrderAt,
    lastOrderAt: customer.lastOrderAt,
  };
}

/**
 * Records an order once per shop order id. A repeat with the same payload returns the first
 * order (`created: false`); a repeat with another payload is an OrderConflictError. The order and
 * its customer's statistics are written in one transaction, so concurrent repeats count once.
 */
export async function recordOrder(shop: ShopContext, input: OrderRecordInput, now: Date): Promise<{ order: OrderItem; created: boolean }> {
  if (input.currencyCode !== shop.currencyCode) throw new CurrencyMismatchError(shop.currencyCode, input.currencyCode);
  if (!input.customer.externalId && !input.customer.email) throw new GuestOrderError();
  if (Date.parse(input.placedAt) > now.getTime() + maxClockSkewMs) {
    throw new InvalidInputError('placedAt is more than a day in the future', ['placedAt']);
  }
  const { tenantId } = shop;
  const payloadHash = sha256Hex(canonicalJson(input));

  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt++) {
    const existing = await getOrder(tenantId, input.orderId);
    if (existing) {
      if (existing.payloadHash !== payloadHash) throw new OrderConflictError(input.orderId);
      return { order: existing, created: false };
    }
    const plan = await planCustomerForOrder(tenantId, input.customer, now);
    const stats = withOrderCounted(statsOf(plan.customer), { placedAt: input.placedAt, net: input.total });
    // The statistics are written under the customer's version, so this bound holds exactly.
    assertSafeSums({ totalSpent: stats.totalSpent }, ['total']);
    const order: OrderItem = {
      tenantId,
      orderId: input.orderId,
      customerId: plan.customer.customerId,
      placedAt: input.placedAt,
      status: 'PLACED',
      currencyCode: input.currencyCode,
      subtotal: input.subtotal,
      discounts: input.discounts,
      shipping: input.shipping,
      tax: input.tax,
      total: input.total,
      refunded: 0,
      lineItems: input.lineItems.map((line) => stripNulls(line)) as OrderItem['lineItems'],
      discountCodes: input.discountCodes,
      ...(input.referralCode ? { referralCode: input.referralCode } : {}),
      ...(input.channel ? { channel: input.channel } : {}),
      ...(input.riskSignals && Object.keys(stripNulls(input.riskSignals)).length > 0 ? { riskSignals: stripNulls(input.riskSignals) } : {}),
      refunds: [],
      payloadHash,
      version: 1,
      createdAt: now.toISOString(),
    };
    const outcome = await writeTransaction(db(), (entities) => [
      entities.order.create(order).commit(),
      ...customerWriteItems(entities, plan, stats, now),
      eventTxItem(entities, orderRecorded, { shopId: tenantId, factKey: order.orderId, occurredAt: order.placedAt, data: recordedData(order, stats.ordersCount) }, { now: () => now }),
    ]);
    if (outcome.ok) return { order, created: true };
    // The order item is first: if it failed its condition, the loop re-reads it (replay or conflict).
    if (outcome.reasons[0] !== 'ConditionalCheckFailed') await backoff(attempt);
  }
  throw new Error('orderRecord: too much contention on this customer');
}

/** The `order.recorded` payload: the order's facts a partner needs without reading it back. */
function recordedData(order: OrderItem, customerOrdersCount: number) {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    placedAt: order.placedAt,
    currencyCode: order.currencyCode,
    subtotal: order.subtotal,
    discounts: order.discounts,
    shipping: order.shipping,
    tax: order.tax,
    total: order.total,
    itemCount: (order.lineItems ?? []).reduce((sum, line) => sum + line.quantity, 0),
    firstOrder: customerOrdersCount === 1,
    customerOrdersCount,
    lineItems: order.lineItems ?? [],
    discountCodes: order.discountCodes ?? [],
    referralCode: order.referralCode ?? null,
    channel: order.channel ?? null,
  };
}

/**
 * Given a customer's statistics without one order, returns them with first and last order time
 * recomputed from the customer's other counted orders when the removed order was at an end.
 */
async function statsWithoutOrder(customer: CustomerItem, order: OrderItem): Promise<CustomerStatistics> {
  const base = statsOf(customer);
  const reduced = { ...base, ordersCount: base.ordersCount - 1, totalSpent: base.totalSpent - (order.total - order.refunded) };
  if (order.placedAt !== base.firstOrderAt && order.placedAt !== base.lastOrderAt) return reduced;
  const others = (
    await db().entities.order.query.byCustomer({ tenantId: customer.tenantId, customerId: customer.customerId }).go({ pages: 'all' })
  ).data.filter((o) => o.orderId !== order.orderId && o.status !== 'CANCELLED');
  const recomputed = statisticsFromOrders(others.map((o) => ({ placedAt: o.placedAt, net: 0 })));
  return { ...reduced, firstOrderAt: recomputed.firstOrderAt, lastOrderAt: recomputed.lastOrderAt };
}

/**
 * Given when a refund or cancellation happened (or null for now), returns it as an ISO string, or
 * throws InvalidInputError when it lies outside the input window or before its order was placed.
 */
function eventTime(order: OrderItem, at: string | null | undefined, now: Date): string {
  if (!at) return now.toISOString();
  const when = new Date(at);
  const outside = dateOutsideWindow(when, now);
  if (outside) throw new InvalidInputError(`at ${outside}`, ['at']);
  if (when.getTime() < Date.parse(order.placedAt)) throw new InvalidInputError(`at must not be before the order was placed (${order.placedAt})`, ['at']);
  return when.toISOString();
}

/** Cancels an order: it stops counting for its customer. Cancelling twice changes nothing. */
export async function cancelOrder(tenantId: string, input: OrderCancelInput, now: Date): Promise<OrderItem> {
  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt++) {
    const order = await getOrder(tenantId, input.orderId);
    if (!order) throw new OrderNotFoundError(input.orderId);
    if (order.status === 'CANCELLED') return order;
    const cancelledAt = eventTime(order, input.at, now);
    const customer = await getCustomer(tenantId, order.customerId);
    if (!customer) throw new Error(`order ${order.orderId} has no customer`);
    const stats = await statsWithoutOrder(customer, order);
    const outcome = await writeTransaction(db(), (entities) => [
      entities.order
        .patch({ tenantId, orderId: order.orderId })
        .set({ status: 'CANCELLED', cancelledAt, version: order.version + 1 })
        .where((attr, op) => op.eq(attr.version, order.version))
        .commit(),
      ...customerWriteItems(entities, { customer, isNew: false, claims: [] }, stats, now),
      eventTxItem(
        entities,
        orderCancelled,
        {
          shopId: tenantId,
          factKey: order.orderId,
          occurredAt: cancelledAt,
          data: { orderId: order.orderId, customerId: order.customerId, currencyCode: order.currencyCode, total: order.total, refunded: order.refunded, placedAt: order.placedAt, cancelledAt },
        },
        { now: () => now },
      ),
    ]);
    if (outcome.ok) return (await getOrder(tenantId, order.orderId))!;
    await backoff(attempt);
  }
  throw new Error('orderCancel: too much contention on this order');
}

/**
 * Records a refund once per refund id (a repeat with the same amount returns the order as it is;
 * with another amount it is a RefundConflictError). Refunds never exceed the order total.
 */
export async function refundOrder(tenantId: string, input: OrderRefundInput, now: Date): Promise<{ order: OrderItem; refund: Refund }> {
  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt++) {
    const order = await getOrder(tenantId, input.orderId);
    if (!order) throw new OrderNotFoundError(input.orderId);
    const refunds = order.refunds ?? [];
    const previous = refunds.find((r) => r.refundId === input.refundId);
    if (previous) {
      if (previous.amount !== input.amount) throw new RefundConflictError(input.refundId);
      return { order, refund: previous };
    }
    const createdAt = eventTime(order, input.at, now);
    const refundable = order.total - order.refunded;
    if (input.amount > refundable) throw new RefundExceedsTotalError(refundable, input.amount);
    const refund = {
      refundId: input.refundId,
      amount: input.amount,
      ...(input.reason ? { reason: input.reason } : {}),
      createdAt,
    };
    const customer = await getCustomer(tenantId, order.customerId);
    if (!customer) throw new Error(`order ${order.orderId} has no customer`);
    const counted = order.status !== 'CANCELLED';
    const stats = statsOf(customer);
    const outcome = await writeTransaction(db(), (entities) => [
      entities.order
        .patch({ tenantId, orderId: order.orderId })
        .set({ refunds: [...refunds, refund], refunded: order.refunded + input.amount, version: order.version + 1 })
        .where((attr, op) => op.eq(attr.version, order.version))
        .commit(),
      ...(counted
        ? customerWriteItems(entities, { customer, isNew: false, claims: [] }, { ...stats, totalSpent: stats.totalSpent - input.amount }, now)
        : []),
      eventTxItem(
        entities,
        orderRefunded,
        {
          shopId: tenantId,
          factKey: `${order.orderId}:${refund.refundId}`,
          occurredAt: createdAt,
          data: {
            orderId: order.orderId,
            customerId: order.customerId,
            refundId: refund.refundId,
            currencyCode: order.currencyCode,
            amount: refund.amount,
            refundedTotal: order.refunded + refund.amount,
            orderTotal: order.total,
            reason: refund.reason ?? null,
            refundedAt: createdAt,
          },
        },
        { now: () => now },
      ),
    ]);
    if (outcome.ok) return { order: (await getOrder(tenantId, order.orderId))!, refund };
    await backoff(attempt);
  }
  throw new Error('orderRefund: too much contention on this order');
}

function stripNulls<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]: Exclude<T[K], null> };
}
