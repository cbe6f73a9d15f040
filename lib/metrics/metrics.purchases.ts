import { pageFromKeyedItems } from '../db/pagination.js';
import { db } from '../db/service.js';
import { backoff, maxOptimisticAttempts, writeTransaction, type TxItem } from '../db/transactions.js';
import type { ItemChange, Projection } from '../streams/handler.js';
import type { MetricsCategoryPurchaseItem, MetricsOrderPurchaseItem } from './metrics.segment-entities.js';
import { getLatestSegmentRun, getSegmentMember } from './metrics.segments.js';
import {
  brightSpotsOf,
  foldedOf,
  purchaseLinesOf,
  replenishedCategoriesOf,
  replenishmentOf,
  utcDayOf,
  type BrightSpot,
  type BrightSpotTotals,
  type PurchaseLine,
  type PurchaseLines,
} from './purchases.js';

const LOYAL_GROUPS = new Set(['CHAMPIONS', 'LOYAL']);

async function getOrderPurchase(tenantId: string, orderId: string): Promise<MetricsOrderPurchaseItem | undefined> {
  return (await db().entities.metricsOrderPurchase.get({ tenantId, orderId }).go({ consistent: true })).data ?? undefined;
}

async function getCategoryPurchase(tenantId: string, customerId: string, category: string): Promise<MetricsCategoryPurchaseItem | undefined> {
  return (await db().entities.metricsCategoryPurchase.get({ tenantId, customerId, category }).go({ consistent: true })).data ?? undefined;
}

/**
 * Applies one order record to the purchase read models: its purchase record (every line, read by
 * the bright spots) and the customer's per-category purchase states (replenishment), in one
 * transaction guarded by the record's order version and the states' versions (retried on a lost
 * race). A record not newer than the one applied changes nothing. No per-line counter is written:
 * the bright spots split the records at read time, so they do not depend on arrival order.
 */
export async function applyOrderToPurchases(image: Record<string, unknown>): Promise<void> {
  const tenantId = String(image.tenantId);
  const orderId = String(image.orderId);
  const customerId = String(image.customerId);
  const orderVersion = Number(image.version ?? 0);
  const placedAt = Date.parse(String(image.placedAt));
  const counted = image.status !== 'CANCELLED';
  const lines = purchaseLinesOf((image.lineItems ?? []) as PurchaseLine[]);
  const day = utcDayOf(placedAt);
  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt += 1) {
    const before = await getOrderPurchase(tenantId, orderId);
    if (before && before.orderVersion >= orderVersion) return;
    const touched = new Map<string, { customerId: string; category: string }>();
    if (before?.counted) for (const category of replenishedCategoriesOf((before.lines ?? {}) as PurchaseLines)) touched.set(`${before.customerId}|${category}`, { customerId: before.customerId, category });
    if (counted) for (const category of replenishedCategoriesOf(lines)) touched.set(`${customerId}|${category}`, { customerId, category });
    const states = await Promise.all([...touched.values()].map(async (id) => ({ id, state: await getCategoryPurchase(tenantId, id.customerId, id.category) })));
    const outcome = await writeTransaction(db(), (entities) => {
      const items: TxItem[] = [];
      const record = { tenantId, orderId, customerId, orderVersion, counted, day, placedAt, ...(Object.keys(lines).length > 0 ? { lines } : {}) };
      items.push(
        before
          ? entities.metricsOrderPurchase.put(record).where((attr, op) => op.eq(attr.orderVersion, before.orderVersion)).commit()
          : entities.metricsOrderPurchase.create(record).commit(),
      );
      for (const { id, state } of states) {
        const orders = { ...((state?.orders ?? {}) as Record<string, number>) };
        delete orders[orderId];
        if (counted && id.customerId === customerId && lines[`C#${id.category}`]) orders[orderId] = placedAt;
        // No counted purchase left in the category: the state goes (an empty map is not kept).
        if (Object.keys(orders).length === 0) {
          if (state) items.push(entities.metricsCategoryPurchase.delete({ tenantId, customerId: id.customerId, category: id.category }).where((attr, op) => op.eq(attr.version, state.version)).commit());
          continue;
        }
        const rule = replenishmentOf(orders);
        const next = {
          tenantId,
          customerId: id.customerId,
          category: id.category,
          orders,
          purchaseDays: rule.purchaseDays,
          ...(rule.lastPurchaseAt === null ? {} : { lastPurchaseAt: new Date(rule.lastPurchaseAt).toISOString() }),
          ...(rule.meanIntervalDays === null ? {} : { meanIntervalDays: rule.meanIntervalDays }),
          ...(rule.expectedNextAt === null ? {} : { expectedNextAt: new Date(rule.expectedNextAt).toISOString() }),
          version: (state?.version ?? 0) + 1,
        };
        items.push(
          state
            ? entities.metricsCategoryPurchase.put(next).where((attr, op) => op.eq(attr.version, state.version)).commit()
            : entities.metricsCategoryPurchase.create(next).commit(),
        );
      }
      return items;
    });
    if (outcome.ok) return;
    await backoff(attempt);
  }
  throw new Error(`purchases: too much contention on order ${orderId}`);
}

/** Keeps the replenishment states and bright-spot counters in step with the orders (idempotent per order version). */
export const purchasesProjection: Projection = {
  name: 'metrics-purchases',
  accepts: (change: ItemChange) => change.entity === 'order' && change.newImage !== undefined,
  apply: (change: ItemChange) => applyOrderToPurchases(change.newImage as Record<string, unknown>),
};

export interface ReplenishmentDue {
  customerId: string;
  category: string;
  lastPurchaseAt: string;
  meanIntervalDays: number;
  expectedNextAt: string;
  purchaseDays: number;
}

/** Lists the customers whose expected next purchase in a category falls in [from, to], earliest first (one range Query). */
export async function listReplenishmentDue(args: {
  tenantId: string;
  category: string;
  from: Date;
  to: Date;
  first: number;
  cursor: string | null;
}): Promise<{ items: ReplenishmentDue[]; cursors: string[]; hasNextPage: boolean }> {
  const result = await db()
    .entities.metricsCategoryPurchase.query.byExpectedNext({ tenantId: args.tenantId, category: args.category })
    .between({ expectedNextAt: args.from.toISOString() }, { expectedNextAt: args.to.toISOString() })
    .go({ cursor: args.cursor, limit: args.first, data: 'includeKeys' });
  const page = pageFromKeyedItems<MetricsCategoryPurchaseItem>(result.data as Array<Record<string, unknown>>, 'gsi2', result.cursor);
  return {
    items: page.items.map((item) => ({
      customerId: item.customerId,
      category: item.category,
      lastPurchaseAt: item.lastPurchaseAt!,
      meanIntervalDays: item.meanIntervalDays!,
      expectedNextAt: item.expectedNextAt!,
      purchaseDays: item.purchaseDays,
    })),
    cursors: page.cursors,
    hasNextPage: page.hasNextPage,
  };
}

/**
 * Given a tenant and a range of UTC days (inclusive), returns the bright spots by product and by
 * category of the counted orders placed in it, split by the customers' groups at the latest complete
 * segmentation run (named in the answer; before any run everyone is on the others' side): one Query
 * of the period's purchase records, then one Query per distinct customer for their group.
 * The same orders and the same run give the same answer, whatever order the stream applied them in.
 */
export async function readBrightSpots(
  tenantId: string,
  fromDay: string,
  toDay: string,
  first: number,
): Promise<{ segmentationRunAt: string | null; products: BrightSpot[]; categories: BrightSpot[]; foldedProducts: Omit<BrightSpotTotals, 'key'>; foldedCategories: Omit<BrightSpotTotals, 'key'> }> {
  const [run, { data }] = await Promise.all([
    getLatestSegmentRun(tenantId),
    db()
      .entities.metricsOrderPurchase.query.purchasesByDay({ tenantId })
      // The upper bound is the day after `toDay`: its items sort after the bare `day_<next>` prefix.
      .between({ day: fromDay }, { day: nextDay(toDay) })
      .go({ pages: 'all' }),
  ]);
  const orders = data.filter((item) => item.counted && item.day >= fromDay && item.day <= toDay);
  const loyal = new Set<string>();
  if (run) {
    const customers = [...new Set(orders.map((item) => item.customerId))];
    const members = await Promise.all(customers.map((customerId) => getSegmentMember(tenantId, customerId, run.computedAt)));
    members.forEach((member, i) => {
      if (member && LOYAL_GROUPS.has(member.group)) loyal.add(customers[i]!);
    });
  }
  const sums = { P: new Map<string, BrightSpotTotals>(), C: new Map<string, BrightSpotTotals>() };
  for (const order of orders) {
    const isLoyal = loyal.has(order.customerId);
    for (const [line, [units, revenue]] of Object.entries((order.lines ?? {}) as PurchaseLines)) {
      const map = sums[line.slice(0, 1) as 'P' | 'C'];
      const key = line.slice(2);
      const total = map.get(key) ?? { key, loyalUnits: 0, loyalRevenue: 0, otherUnits: 0, otherRevenue: 0 };
      if (isLoyal) {
        total.loyalUnits += units;
        total.loyalRevenue += revenue;
      } else {
        total.otherUnits += units;
        total.otherRevenue += revenue;
      }
      map.set(key, total);
    }
  }
  const products = [...sums.P.values()];
  const categories = [...sums.C.values()];
  return {
    segmentationRunAt: run?.computedAt ?? null,
    products: brightSpotsOf(products, first),
    categories: brightSpotsOf(categories, first),
    foldedProducts: foldedOf(products),
    foldedCategories: foldedOf(categories),
  };
}

function nextDay(day: string): string {
  return utcDayOf(Date.parse(`${day}T00:00:00Z`) + 86_400_000);
}
