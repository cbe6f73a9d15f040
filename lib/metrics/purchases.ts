/**
 * Replenishment and bright spots: pure rules over the product lines of counted orders.
 *
 * - Replenishment: per customer and category, the purchase days are the distinct UTC days of
 *   their counted orders with a line of that category. With at least two, the usual interval is
 *   the mean gap between those days ((last day − first day) / (days − 1)), and the expected next
 *   purchase is the last such order's time + that interval.
 * - Bright spots: per product and per category, units (quantity) and revenue (quantity × unit
 *   price, before order discounts) of the loyal customers (CHAMPIONS and LOYAL) and of everyone
 *   else; each side's share of its own total, and lift = loyal share / others' share.
 */

const DAY_MS = 86_400_000;

/** Distinct product keys and categories counted per order; the rest are folded into one key. */
export const MAX_PRODUCTS_PER_ORDER = 25;
export const MAX_CATEGORIES_PER_ORDER = 10;
export const OTHER_PRODUCTS = '(other products)';
export const OTHER_CATEGORIES = '(other categories)';

export interface PurchaseLine {
  sku?: string | null;
  productId?: string | null;
  title?: string | null;
  category?: string | null;
  quantity: number;
  unitPrice: number;
}

/** `P#<product>` or `C#<category>` → [units, revenue]. */
export type PurchaseLines = Record<string, [number, number]>;

/**
 * Given an order's lines, returns its units and revenue per product (product id, else SKU, else
 * title) and per category; at most `maxProducts` products keep their own key (every one by default).
 */
export function purchaseLinesOf(lines: readonly PurchaseLine[], maxProducts = Number.POSITIVE_INFINITY): PurchaseLines {
  const products = new Map<string, [number, number]>();
  const categories = new Map<string, [number, number]>();
  const add = (map: Map<string, [number, number]>, key: string, units: number, revenue: number) => {
    const current = map.get(key) ?? [0, 0];
    map.set(key, [current[0] + units, current[1] + revenue]);
  };
  for (const line of lines) {
    const units = Number(line.quantity);
    const revenue = units * Number(line.unitPrice);
    const product = line.productId ?? line.sku ?? line.title;
    if (product) add(products, product, units, revenue);
    if (line.category) add(categories, line.category, units, revenue);
  }
  const result: PurchaseLines = {};
  // The biggest products of the order (units, then revenue, then key) keep their own counters, so
  // what is folded is the order's tail, not whatever sorts last by name.
  const fold = (map: Map<string, [number, number]>, prefix: string, max: number, other: string) => {
    const keys = [...map.keys()].sort((a, b) => map.get(b)![0] - map.get(a)![0] || map.get(b)![1] - map.get(a)![1] || (a < b ? -1 : a > b ? 1 : 0));
    keys.forEach((key, i) => {
      const [units, revenue] = map.get(key)!;
      const target = `${prefix}#${i < max ? key : other}`;
      const current = result[target] ?? [0, 0];
      result[target] = [current[0] + units, current[1] + revenue];
    });
  };
  fold(products, 'P', maxProducts, OTHER_PRODUCTS);
  fold(categories, 'C', MAX_CATEGORIES_PER_ORDER, OTHER_CATEGORIES);
  return result;
}

/** Given the categories of a lines record, returns those a replenishment state is kept for (not the folded rest). */
export function replenishedCategoriesOf(lines: PurchaseLines): string[] {
  return Object.keys(lines)
    .filter((key) => key.startsWith('C#') && key !== `C#${OTHER_CATEGORIES}`)
    .map((key) => key.slice(2));
}

/** Given an instant (epoch ms), returns its UTC day `YYYY-MM-DD`. */
export function utcDayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export interface Replenishment {
  purchaseDays: number;
  /** Epoch ms of the latest purchase; null without any. */
  lastPurchaseAt: number | null;
  meanIntervalDays: number | null;
  expectedNextAt: number | null;
}

/** Given a customer's counted orders in one category (order id → placedAt ms), returns the replenishment rule's figures. */
export function replenishmentOf(orders: Record<string, number>): Replenishment {
  const times = Object.values(orders).map(Number);
  if (times.length === 0) return { purchaseDays: 0, lastPurchaseAt: null, meanIntervalDays: null, expectedNextAt: null };
  const days = [...new Set(times.map((t) => Math.floor(t / DAY_MS)))].sort((a, b) => a - b);
  const lastPurchaseAt = Math.max(...times);
  if (days.length < 2) return { purchaseDays: days.length, lastPurchaseAt, meanIntervalDays: null, expectedNextAt: null };
  const meanIntervalDays = ((days.at(-1) as number) - (days[0] as number)) / (days.length - 1);
  return { purchaseDays: days.length, lastPurchaseAt, meanIntervalDays, expectedNextAt: lastPurchaseAt + Math.round(meanIntervalDays * DAY_MS) };
}

/** Given the old and new contribution of an order (day and lines, or null when it does not count), returns the counter moves per (day, key). */
export function purchaseDiff(
  before: { day: string; lines: PurchaseLines } | null,
  after: { day: string; lines: PurchaseLines } | null,
): Array<{ day: string; key: string; units: number; revenue: number }> {
  const moves = new Map<string, { day: string; key: string; units: number; revenue: number }>();
  const add = (side: { day: string; lines: PurchaseLines } | null, sign: 1 | -1) => {
    if (!side) return;
    for (const [key, [units, revenue]] of Object.entries(side.lines)) {
      const id = `${side.day}|${key}`;
      const move = moves.get(id) ?? { day: side.day, key, units: 0, revenue: 0 };
      move.units += sign * units;
      move.revenue += sign * revenue;
      moves.set(id, move);
    }
  };
  add(before, -1);
  add(after, 1);
  return [...moves.values()].filter((move) => move.units !== 0 || move.revenue !== 0);
}

export interface BrightSpotTotals {
  key: string;
  loyalUnits: number;
  loyalRevenue: number;
  otherUnits: number;
  otherRevenue: number;
}

export interface BrightSpot extends BrightSpotTotals {
  /** Percentages of the side's own total, null when that total is 0. */
  loyalUnitShare: number | null;
  otherUnitShare: number | null;
  /** loyalUnitShare / otherUnitShare; null when either is null or the others' share is 0. */
  unitLift: number | null;
  loyalRevenueShare: number | null;
  otherRevenueShare: number | null;
  revenueLift: number | null;
}

const share = (part: number, whole: number) => (whole === 0 ? null : (part / whole) * 100);
const lift = (loyal: number | null, others: number | null) => (loyal === null || others === null || others === 0 ? null : loyal / others);

/**
 * Given per-key totals (summed over the period), returns the bright spots: the keys the loyal
 * customers bought, most loyal units first (then most loyal revenue, then key), at most `first`,
 * with shares of each side's total over all keys and the lifts.
 */
export function brightSpotsOf(totals: readonly BrightSpotTotals[], first: number): BrightSpot[] {
  const sum = (pick: (t: BrightSpotTotals) => number) => totals.reduce((acc, t) => acc + pick(t), 0);
  const all = { loyalUnits: sum((t) => t.loyalUnits), loyalRevenue: sum((t) => t.loyalRevenue), otherUnits: sum((t) => t.otherUnits), otherRevenue: sum((t) => t.otherRevenue) };
  return totals
    // The folded tail is no product: it is reported apart (foldedOf), never ranked.
    .filter((t) => t.key !== OTHER_PRODUCTS && t.key !== OTHER_CATEGORIES)
    .filter((t) => t.loyalUnits > 0 || t.loyalRevenue > 0)
    .map((t) => {
      const loyalUnitShare = share(t.loyalUnits, all.loyalUnits);
      const otherUnitShare = share(t.otherUnits, all.otherUnits);
      const loyalRevenueShare = share(t.loyalRevenue, all.loyalRevenue);
      const otherRevenueShare = share(t.otherRevenue, all.otherRevenue);
      return {
        ...t,
        loyalUnitShare,
        otherUnitShare,
        unitLift: lift(loyalUnitShare, otherUnitShare),
        loyalRevenueShare,
        otherRevenueShare,
        revenueLift: lift(loyalRevenueShare, otherRevenueShare),
      };
    })
    .sort((a, b) => b.loyalUnits - a.loyalUnits || b.loyalRevenue - a.loyalRevenue || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, first);
}

/** Given per-key totals, returns the folded tail's totals (zeros when nothing was folded). */
export function foldedOf(totals: readonly BrightSpotTotals[]): Omit<BrightSpotTotals, 'key'> {
  const folded = totals.filter((t) => t.key === OTHER_PRODUCTS || t.key === OTHER_CATEGORIES);
  const sum = (pick: (t: BrightSpotTotals) => number) => folded.reduce((acc, t) => acc + pick(t), 0);
  return { loyalUnits: sum((t) => t.loyalUnits), loyalRevenue: sum((t) => t.loyalRevenue), otherUnits: sum((t) => t.otherUnits), otherRevenue: sum((t) => t.otherRevenue) };
}
