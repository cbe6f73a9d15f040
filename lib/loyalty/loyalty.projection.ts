import { getShop } from '../shops/index.js';
import type { ItemChange, Projection } from '../streams/handler.js';
import {
  earnForOrder,
  reverseForCancellation,
  reverseForRefund,
  type LoyaltyOrder,
  type LoyaltyRefund,
  type LoyaltyShop,
} from './loyalty.service.js';

type OrderImage = LoyaltyOrder & { tenantId: string; refunds?: LoyaltyRefund[]; createdAt: string };

/**
 * Earning from orders. A new counted order earns; each new refund takes back its share; a
 * cancellation takes back the rest. Every step writes a receipt in the account's transaction, so a
 * redelivered record (or a whole redelivered batch) changes nothing the second time.
 */
export const loyaltyProjection: Projection = {
  name: 'loyalty',
  accepts: (change: ItemChange) => change.entity === 'order' && change.eventName !== 'REMOVE',
  async apply(change: ItemChange) {
    const order = change.newImage as OrderImage | undefined;
    if (!order) return;
    const before = change.oldImage as OrderImage | undefined;
    const shopItem = await getShop(order.tenantId);
    if (!shopItem) return;
    const shop: LoyaltyShop = { tenantId: shopItem.tenantId, currencyCode: shopItem.currencyCode, timeZone: shopItem.timeZone };
    // The order's own instants, never the wall clock: a replay decides exactly as the first run.
    const now = order.createdAt;

    if (!before) {
      await earnForOrder(shop, order, now);
      return;
    }
    const known = new Set((before.refunds ?? []).map((refund) => refund.refundId));
    for (const refund of order.refunds ?? []) {
      if (!known.has(refund.refundId)) await reverseForRefund(shop, order, refund, refund.createdAt);
    }
    if (order.status === 'CANCELLED' && before.status !== 'CANCELLED') {
      await reverseForCancellation(shop, order, order.cancelledAt ?? now);
    }
  },
};
