import { db } from '../db/service.js';
import type { CustomerActivity } from './contribution.js';
import { activityOf, activityShards } from './metrics.entities.js';
import { getMetricsState } from './metrics.service.js';

/**
 * Given a tenant, yields every customer's activity (the facts of each order the metrics have
 * seen), shard by shard and page by page: consistent queries of the tenant's activity partitions,
 * never a scan of orders. Scheduled jobs (the prediction fit) read customers through it.
 */
export async function* listCustomerActivities(tenantId: string): AsyncGenerator<{ customerId: string; activity: CustomerActivity }> {
  for (const shard of activityShards) {
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ customerId: string; orders?: unknown; joinedAt?: number }>; cursor: string | null } = await db()
        .entities.metricsActivity.query.byShard({ tenantId, shard })
        .go({ cursor, consistent: true, attributes: ['customerId', 'orders', 'joinedAt'] });
      for (const item of page.data) yield { customerId: item.customerId, activity: activityOf(item.orders, item.joinedAt) };
      cursor = page.cursor;
    } while (cursor);
  }
}

/**
 * Given a tenant and a limit, returns how many customers have an activity state, counting no
 * further than `upTo` (so a check "has the shop reached N customers" reads at most N keys).
 */
export async function countCustomerActivities(tenantId: string, upTo: number): Promise<number> {
  let count = 0;
  for (const shard of activityShards) {
    let cursor: string | null = null;
    do {
      const page: { data: unknown[]; cursor: string | null } = await db()
        .entities.metricsActivity.query.byShard({ tenantId, shard })
        .go({ cursor, limit: upTo - count, attributes: ['customerId'] });
      count += page.data.length;
      cursor = page.cursor;
    } while (cursor && count < upTo);
    if (count >= upTo) return count;
  }
  return count;
}

/** The tenant's metrics state version: it moves when a rebuild switches generation (and on settings changes). */
export async function metricsStateVersion(tenantId: string): Promise<number> {
  return (await getMetricsState(tenantId)).stateVersion;
}
