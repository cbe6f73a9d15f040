import { pageFromKeyedItems } from '../db/pagination.js';
import { db } from '../db/service.js';
import { backoff, maxOptimisticAttempts, writeTransaction, type TxItem } from '../db/transactions.js';
import type { ItemChange, Projection } from '../streams/handler.js';
import type { MetricsCategoryPurchaseItem, MetricsOrderPurchaseItem } from './metrics.segment-entities.js';
import { getLatestSegmentRun, getSegmentMember } from './metrics.segments.js';
import {
  brightSpotsOf,
  foldedOf,
  purchaseDiff,
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

/** Given a customer, returns their side for the bright spots: LOYAL when CHAMPIONS or LOYAL at the latest complete run. */
async function sideOf(tenantId: string, customerId: string): Promise<'LOYAL' | 'OTHERS'> {
  const run = await getLatestSegmentRun(tenantId);
  const member = run ? await getSegmentMember(tenantId, customerId, run.computedAt) : undefined;
  return member && LOYAL_GROUPS.has(member.group) ? 'LOYAL' : 'OTHERS';
}

async function getOrderPurchase(tenantId: string, orderId: string): Promise<MetricsOrderPurchaseItem | undefined> {
  return (await db().entities.metricsOrderPurchase.get({ tenantId, orderId }).go({ consistent: true })).data ?? undefined;
}

async function getCategoryPurchase(tenantId: string, customerId: string, category: string): Promise<MetricsCategoryPurchaseItem | undefined> {
  return (await db().entities.metricsCategoryPurchase.get({ tenantId, customerId, category }).go({ consistent: true })).data ?? undefined;
}

/**
 * Applies one order record to the purchase read models: the customer's per-category purchase
 * states (replenishment) and the per-day product and category counters (bright spots). The
 * order's previous contribution is in its purchase record; everything moves by the difference in
 * one transaction guarded by that record's order version and the states' versions (retried on a
 * lost race). A record not newer than the one applied changes nothing.
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
    // The side is fixed when the order is first seen, so a later change removes exactly what was added.
    const side = before?.side ?? (await sideOf(tenantId, customerId));
    const touched = new Map<string, { customerId: string; category: string }>();
    if (before?.counted) for (const category of replenishedCategoriesOf((before.lines ?? {}) as PurchaseLines)) touched.set(`${before.customerId}|${category}`, { customerId: before.customerId, category });
    if (counted) for (const category of replenishedCategoriesOf(lines)) touched.set(`${customerId}|${category}`, { customerId, category });
    const states = await Promise.all([...touched.values()].map(async (id) => ({ id, state: await getCategoryPurchase(tenantId, id.customerId, id.category) })));
    const moves = purchaseDiff(before?.counted ? { day: before.day, lines: (before.lines ?? {}) as PurchaseLines } : null, counted ? { day, lines } : null);
    const outcome = await writeTransaction(db(), (entities) => {
      const items: TxItem[] = [];
      const record = { tenantId, orderId, customerId, orderVersion, counted, day, side, placedAt, ...(Object.keys(lines).length > 0 ? { lines } : {}) };
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
      for (const move of moves) {
        const kind = move.key.slice(0, 1) as 'P' | 'C';
        const amounts = side === 'LOYAL' ? { loyalUnits: move.units, loyalRevenue: move.revenue } : { otherUnits: move.units, otherRevenue: move.revenue };
        items.push(entities.metricsProductDay.update({ tenantId, day: move.day, kind, key: move.key.slice(2) }).add(amounts).commit());
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
 * category: one Query of the day counters in the range, summed per key.
 */
export async function readBrightSpots(
  tenantId: string,
  fromDay: string,
  toDay: string,
  first: number,
): Promise<{ products: BrightSpot[]; categories: BrightSpot[]; foldedProducts: Omit<BrightSpotTotals, 'key'>; foldedCategories: Omit<BrightSpotTotals, 'key'> }> {
  const { data } = await db()
    .entities.metricsProductDay.query.byDay({ tenantId })
    // The upper bound is the day after `toDay`: its items sort after the bare `day_<next>` prefix.
    .between({ day: fromDay }, { day: nextDay(toDay) })
    .go({ pages: 'all' });
  const sums = { P: new Map<string, BrightSpotTotals>(), C: new Map<string, BrightSpotTotals>() };
  for (const item of data) {
    if (item.day > toDay) continue;
    const map = sums[item.kind];
    const total = map.get(item.key) ?? { key: item.key, loyalUnits: 0, loyalRevenue: 0, otherUnits: 0, otherRevenue: 0 };
    total.loyalUnits += item.loyalUnits ?? 0;
    total.loyalRevenue += item.loyalRevenue ?? 0;
    total.otherUnits += item.otherUnits ?? 0;
    total.otherRevenue += item.otherRevenue ?? 0;
    map.set(item.key, total);
  }
  const products = [...sums.P.values()];
  const categories = [...sums.C.values()];
  return { products: brightSpotsOf(products, first), categories: brightSpotsOf(categories, first), foldedProducts: foldedOf(products), foldedCategories: foldedOf(categories) };
}

function nextDay(day: string): string {
  return utcDayOf(Date.parse(`${day}T00:00:00Z`) + 86_400_000);
}
