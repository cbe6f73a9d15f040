import { z } from 'zod';
import { maxAmount, minorUnits } from '../common/amounts.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const amount = minorUnits();

export const lineItemInput = z
  .object({
    sku: text(100).nullish(),
    productId: text(100).nullish(),
    title: text(500).nullish(),
    category: text(200).nullish(),
    quantity: z.number().int().min(1).max(100_000),
    unitPrice: amount,
  })
  // Product revenue sums quantity x unit price: each line is one amount, bounded like the others.
  .refine((line) => line.quantity * line.unitPrice <= maxAmount, { path: ['unitPrice'], message: `quantity x unitPrice must be at most ${maxAmount}` });

export const orderRecordInput = z
  .object({
    orderId: text(200),
    customer: z.object({ externalId: text(200).nullish(), email: z.string().trim().max(320).pipe(z.email()).nullish() }),
    placedAt: z.iso
      .datetime({ offset: true })
      .refine((value) => Date.parse(value) >= Date.UTC(1990, 0, 1), 'must be after 1990')
      .transform((value) => new Date(value).toISOString()),
    currencyCode: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
    subtotal: amount,
    discounts: amount.nullish().transform((v) => v ?? 0),
    shipping: amount.nullish().transform((v) => v ?? 0),
    tax: amount.nullish().transform((v) => v ?? 0),
    total: amount,
    lineItems: z.array(lineItemInput).max(500).nullish().transform((v) => v ?? []),
    discountCodes: z.array(text(100)).max(50).nullish().transform((v) => v ?? []),
    referralCode: text(100).nullish(),
    channel: text(50).nullish(),
    /** Opaque hashes the shop computes; referral fraud rules compare them, never the raw values. */
    riskSignals: z
      .object({ shippingAddressHash: text(200).nullish(), ipHash: text(200).nullish(), paymentFingerprintHash: text(200).nullish() })
      .nullish(),
  })
  .superRefine((order, ctx) => {
    const expected = order.subtotal - order.discounts + order.shipping + order.tax;
    if (order.total !== expected) {
      ctx.addIssue({
        code: 'custom',
        path: ['total'],
        message: `total must equal subtotal - discounts + shipping + tax (${expected})`,
      });
    }
  });
export type OrderRecordInput = z.infer<typeof orderRecordInput>;

export const maxBatchSize = 100;

export const orderCancelInput = z.object({
  orderId: text(200),
  at: z.iso.datetime({ offset: true }).nullish(),
});
export type OrderCancelInput = z.infer<typeof orderCancelInput>;

export const orderRefundInput = z.object({
  orderId: text(200),
  refundId: text(200),
  amount: amount.min(1),
  reason: text(500).nullish(),
  at: z.iso.datetime({ offset: true }).nullish(),
});
export type OrderRefundInput = z.infer<typeof orderRefundInput>;
