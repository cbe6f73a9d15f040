import type { ItemChange, Projection } from '../streams/handler.js';
import type { OrderFacts } from './contribution.js';
import { applyOrdersToCustomer } from './metrics.service.js';

/** Given an order item's stream image, returns the facts the metrics keep (no personal data). */
export function orderFactsOf(image: Record<string, unknown>): OrderFacts {
  return {
    orderId: String(image.orderId),
    placedAt: String(image.placedAt),
    status: image.status === 'CANCELLED' ? 'CANCELLED' : 'PLACED',
    total: Number(image.total),
    // METRICS.md's SUBTOTAL is after all discounts; the order's subtotal is before order discounts.
    subtotal: Number(image.subtotal) - Number(image.discounts ?? 0),
    refunded: Number(image.refunded ?? 0),
    version: Number(image.version ?? 0),
  };
}

/**
 * Keeps the metric counters in step with the orders: each order record is merged into its
 * customer's activity state and the counters move by the customer's contribution diff (see
 * `applyOrdersToCustomer`). A redelivered or older record changes nothing and writes nothing.
 */
export const metricsProjection: Projection = {
  name: 'metrics',
  accepts: (change: ItemChange) => change.entity === 'order' && change.newImage !== undefined,
  async apply(change: ItemChange) {
    const image = change.newImage as Record<string, unknown>;
    await applyOrdersToCustomer(String(image.tenantId), String(image.customerId), [orderFactsOf(image)]);
  },
};

/**
 * Puts a loyalty member's join into their activity state, so the counters split members from
 * non-members (METRICS.md: members at the end of each period) and count new members. Members never
 * leave; a removed member item (erasure) leaves the counts as they were.
 */
export const metricsMembershipProjection: Projection = {
  name: 'metricsMembership',
  accepts: (change: ItemChange) => change.entity === 'loyaltymember' && change.newImage?.joined === true,
  async apply(change: ItemChange) {
    const image = change.newImage as Record<string, unknown>;
    if (typeof image.joinedAt !== 'string') return;
    await applyOrdersToCustomer(String(image.tenantId), String(image.customerId), [], { joinedAt: image.joinedAt });
  },
};
