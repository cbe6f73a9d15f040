import { z } from 'zod';
import { defineEvent } from '../events/index.js';

const minor = z.number().int();
const currencyCode = z.string().regex(/^[A-Z]{3}$/);

const line = z.object({
  sku: z.string().optional(),
  productId: z.string().optional(),
  title: z.string().optional(),
  category: z.string().optional(),
  quantity: z.number().int().positive(),
  unitPrice: minor,
});

/** An order was recorded for the first time (a replay of the same order publishes nothing). */
export const orderRecorded = defineEvent({
  type: 'order.recorded',
  version: 1,
  description: 'An order was recorded for a customer: its amounts in minor units, its lines, and whether it is the customer’s first counted order.',
  data: z.object({
    orderId: z.string(),
    customerId: z.string(),
    placedAt: z.string(),
    currencyCode,
    subtotal: minor,
    discounts: minor,
    shipping: minor,
    tax: minor,
    total: minor,
    /** Units across all lines. */
    itemCount: z.number().int().nonnegative(),
    /** The customer had no other counted order when this one was recorded. */
    firstOrder: z.boolean(),
    /** The customer's counted orders including this one. */
    customerOrdersCount: z.number().int().positive(),
    lineItems: z.array(line),
    discountCodes: z.array(z.string()),
    referralCode: z.string().nullable(),
    channel: z.string().nullable(),
  }),
  sample: {
    orderId: '#1042',
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    placedAt: '2026-03-01T10:15:00.000Z',
    currencyCode: 'EUR',
    subtotal: 5_000,
    discounts: 500,
    shipping: 490,
    tax: 950,
    total: 5_940,
    itemCount: 3,
    firstOrder: true,
    customerOrdersCount: 1,
    lineItems: [
      { sku: 'BEANS-1KG', productId: 'prod_beans', title: 'Espresso beans 1 kg', category: 'coffee', quantity: 2, unitPrice: 2_000 },
      { sku: 'FILTER-100', title: 'Paper filters', category: 'accessories', quantity: 1, unitPrice: 1_000 },
    ],
    discountCodes: ['WELCOME10'],
    referralCode: null,
    channel: 'web',
  },
});

/** A refund was recorded against an order (once per refund id). */
export const orderRefunded = defineEvent({
  type: 'order.refunded',
  version: 1,
  description: 'A refund was recorded against an order: its amount in minor units and the order’s refunded total after it.',
  data: z.object({
    orderId: z.string(),
    customerId: z.string(),
    refundId: z.string(),
    currencyCode,
    amount: minor,
    /** Everything refunded on the order so far, this refund included. */
    refundedTotal: minor,
    orderTotal: minor,
    reason: z.string().nullable(),
    refundedAt: z.string(),
  }),
  sample: {
    orderId: '#1042',
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    refundId: 're_1',
    currencyCode: 'EUR',
    amount: 2_000,
    refundedTotal: 2_000,
    orderTotal: 5_940,
    reason: 'damaged',
    refundedAt: '2026-03-04T09:00:00.000Z',
  },
});

/** An order was cancelled: it no longer counts for its customer (once per order). */
export const orderCancelled = defineEvent({
  type: 'order.cancelled',
  version: 1,
  description: 'An order was cancelled and no longer counts toward its customer’s statistics.',
  data: z.object({
    orderId: z.string(),
    customerId: z.string(),
    currencyCode,
    total: minor,
    refunded: minor,
    placedAt: z.string(),
    cancelledAt: z.string(),
  }),
  sample: {
    orderId: '#1042',
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    currencyCode: 'EUR',
    total: 5_940,
    refunded: 0,
    placedAt: '2026-03-01T10:15:00.000Z',
    cancelledAt: '2026-03-01T18:00:00.000Z',
  },
});

export const orderEvents = [orderRecorded, orderRefunded, orderCancelled];
