import type { OrderItem } from '../orders/index.js';
import type { ItemChange, Projection } from '../streams/handler.js';
import { createReferralForOrder, rejectForOrderChange } from './referrals.service.js';

/**
 * Attribution from orders. A new order that carries a referral code creates its referral (once:
 * the referral is keyed by the order); a cancellation or a full refund of the referee's order
 * within the hold period rejects it. A redelivered record finds the work done.
 */
export const referralProjection: Projection = {
  name: 'referrals',
  accepts: (change: ItemChange) => change.entity === 'order' && change.eventName !== 'REMOVE' && Boolean(change.newImage?.referralCode),
  async apply(change: ItemChange) {
    const order = change.newImage as OrderItem | undefined;
    if (!order) return;
    // The order's own instant, never the wall clock: a replay decides as the first run did.
    if (!change.oldImage) {
      await createReferralForOrder(order, order.createdAt);
      return;
    }
    const before = change.oldImage as OrderItem;
    const changedAt = order.status === 'CANCELLED' ? order.cancelledAt : (order.refunds ?? []).at(-1)?.createdAt;
    if (order.status !== before.status || order.refunded !== before.refunded) await rejectForOrderChange(order, changedAt ?? order.createdAt);
  },
};
