/**
 * Customer statistics, kept on the customer item so that a page of customers with statistics is
 * one read. Counted orders are those not cancelled; amounts are net of refunds (METRICS.md).
 */
export interface CustomerStatistics {
  ordersCount: number;
  totalSpent: number;
  firstOrderAt: string | undefined;
  lastOrderAt: string | undefined;
}

export interface CountedOrderFacts {
  placedAt: string;
  /** Total minus refunds, in minor units. */
  net: number;
}

/** Given statistics and a newly counted order, returns the statistics including it. */
export function withOrderCounted(stats: CustomerStatistics, order: CountedOrderFacts): CustomerStatistics {
  return {
    ordersCount: stats.ordersCount + 1,
    totalSpent: stats.totalSpent + order.net,
    firstOrderAt: minIso(stats.firstOrderAt, order.placedAt),
    lastOrderAt: maxIso(stats.lastOrderAt, order.placedAt),
  };
}

/** Given every counted order of a customer, returns their statistics from scratch. */
export function statisticsFromOrders(orders: CountedOrderFacts[]): CustomerStatistics {
  return orders.reduce(withOrderCounted, { ordersCount: 0, totalSpent: 0, firstOrderAt: undefined, lastOrderAt: undefined });
}

/** Average order value in minor units (rounded to the nearest unit), null before any order. */
export function averageOrderValue(stats: CustomerStatistics): number | null {
  return stats.ordersCount > 0 ? Math.round(stats.totalSpent / stats.ordersCount) : null;
}

/** Mean days between first and last order over the gaps between orders; null under two orders. */
export function averageDaysBetweenOrders(stats: CustomerStatistics): number | null {
  if (stats.ordersCount < 2 || !stats.firstOrderAt || !stats.lastOrderAt) return null;
  const days = (Date.parse(stats.lastOrderAt) - Date.parse(stats.firstOrderAt)) / 86_400_000;
  return days / (stats.ordersCount - 1);
}

function minIso(a: string | undefined, b: string): string {
  return a === undefined || Date.parse(b) < Date.parse(a) ? b : a;
}

function maxIso(a: string | undefined, b: string): string {
  return a === undefined || Date.parse(b) > Date.parse(a) ? b : a;
}
