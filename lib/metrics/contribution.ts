/**
 * A customer's contribution to the tenant's metric counters, and the state it is computed from.
 *
 * The stream consumer keeps one `CustomerActivity` per customer. On each order change it computes
 * the customer's contribution before and after `applyOrder`, and writes `diffContribution(old, new)`
 * to the counters in one transaction. Summing every customer's contribution gives, per period, the
 * counts METRICS.md's reports are computed from, so reads add up O(periods) counters and never
 * look at customers.
 *
 * The state holds every order of the customer as bare facts (id, time, status, amounts, version)
 * rather than a per-period summary:
 * - `applyOrder` is a max under a total order per order id, so applying the same versions in any
 *   order, any number of times, gives the same state: stream redelivery and out-of-order history
 *   imports need no bookkeeping of their own. A summary would need the previous revenue of the
 *   order to undo it, that is, the order facts again.
 * - One state serves every granularity, time zone and revenue basis, so the counters of all four
 *   granularities come from one read, and a change of time zone or basis recomputes counters from
 *   states without reading orders.
 * - It holds no personal data (ids and amounts only), so it outlives the customer's erasure and the
 *   anonymous counts stay put.
 * The cost is size: about 60 bytes per order, so a DynamoDB item (400 KB) holds ~6,000 orders.
 */
import { periodOf, periodOffset, previousPeriod, DEFAULT_TIME_ZONE, type Granularity, type PeriodKey } from './periods.js';

export type OrderStatus = 'PLACED' | 'CANCELLED';
export type RevenueBasis = 'TOTAL' | 'SUBTOTAL';

/** What the metrics need of an order change (a stream record's new image): no personal data. */
export interface OrderFacts {
  readonly orderId: string;
  /** Epoch ms, Date, or an ISO-8601 string as the orders table stores it. */
  readonly placedAt: number | Date | string;
  readonly status: OrderStatus;
  /** Minor units: after discounts, with shipping and tax. */
  readonly total: number;
  /** Minor units: after discounts, without shipping and tax. */
  readonly subtotal: number;
  /** Minor units refunded so far, in total terms; default 0. */
  readonly refunded?: number;
  /**
   * The order's revision (the orders table's `version`); default 0. Between two records of one
   * order, the higher version wins; at equal versions a cancelled one beats a placed one and the
   * larger refund wins, which is the forward-only lifecycle of an order.
   */
  readonly version?: number;
}

/** One order as the activity state stores it. */
export interface ActivityOrder {
  /** Epoch ms. */
  readonly placedAt: number;
  readonly status: OrderStatus;
  readonly total: number;
  readonly subtotal: number;
  readonly refunded: number;
  readonly version: number;
}

/**
 * Per customer: every order seen, keyed by order id (cancelled ones stay, as tombstones), and when
 * they joined the loyalty program (epoch ms; members never leave, so the earliest join seen wins).
 */
export interface CustomerActivity {
  readonly orders: Readonly<Record<string, ActivityOrder>>;
  readonly joinedAt?: number;
}

/** The per-period counters whose sums over customers the reports need. */
export type PeriodCounterName =
  /** E: customers active in the period. */
  | 'activeCustomers'
  /** N: customers whose first counted order is in the period. */
  | 'newCustomers'
  /** Customers active in the period and in the one before (retained under PREVIOUS_PERIOD). */
  | 'retainedFromPrevious'
  /** Customers with at least 2 counted orders in the period. */
  | 'repeatCustomers'
  /** Counted orders placed in the period. */
  | 'orders'
  /** Revenue of the counted orders placed in the period (minor units, the basis chosen). */
  | 'revenue'
  /** The part of `revenue` from customers new in the period. */
  | 'newCustomerRevenue'
  /** Customers who joined the loyalty program in the period (with or without orders). */
  | 'newMembers'
  /** Of `activeCustomers`, those who were members at the end of the period (joined before it ended). */
  | 'memberActiveCustomers'
  /** Of `repeatCustomers`, the members at the end of the period. */
  | 'memberRepeatCustomers'
  /** Of `orders`, those of the members at the end of the period. */
  | 'memberOrders'
  /** Of `revenue`, that of the members at the end of the period. */
  | 'memberRevenue';

/** The counters of cohort c (period of the first counted order) at offset k (period c + k). */
export type CohortCounterName =
  /** Customers of the cohort active in period c + k (at k = 0: the cohort's size). */
  | 'activeCustomers'
  /** Revenue in period c + k from the cohort's customers. */
  | 'revenue';

export const PERIOD_COUNTER_NAMES: readonly PeriodCounterName[] = [
  'activeCustomers',
  'newCustomers',
  'retainedFromPrevious',
  'repeatCustomers',
  'orders',
  'revenue',
  'newCustomerRevenue',
  'newMembers',
  'memberActiveCustomers',
  'memberRepeatCustomers',
  'memberOrders',
  'memberRevenue',
];
export const COHORT_COUNTER_NAMES: readonly CohortCounterName[] = ['activeCustomers', 'revenue'];

/** `P#<period>#<counter>`, e.g. `P#2024-02#orders`. */
export type PeriodCounterKey = `P#${PeriodKey}#${PeriodCounterName}`;
/** `C#<cohort>#<offset>#<counter>`, e.g. `C#2024-01#3#revenue`. */
export type CohortCounterKey = `C#${PeriodKey}#${number}#${CohortCounterName}`;
export type CounterKey = PeriodCounterKey | CohortCounterKey;

/** Counter values (or deltas) by counter key; absent means 0, and no entry is ever 0. */
export type Counters = ReadonlyMap<CounterKey, number>;

export type ParsedCounterKey =
  | { readonly kind: 'PERIOD'; readonly period: PeriodKey; readonly counter: PeriodCounterName }
  | { readonly kind: 'COHORT'; readonly cohort: PeriodKey; readonly offset: number; readonly counter: CohortCounterName };

export type PeriodCounters = Record<PeriodCounterName, number>;
export type CohortCounters = Record<CohortCounterName, number>;

export function periodCounterKey(period: PeriodKey, counter: PeriodCounterName): PeriodCounterKey {
  return `P#${period}#${counter}`;
}

export function cohortCounterKey(cohort: PeriodKey, offset: number, counter: CohortCounterName): CohortCounterKey {
  return `C#${cohort}#${offset}#${counter}`;
}

/** Given a counter key, returns its parts; throws RangeError for a string that is not one. */
export function parseCounterKey(key: string): ParsedCounterKey {
  const parts = key.split('#');
  if (parts[0] === 'P' && parts.length === 3 && (PERIOD_COUNTER_NAMES as readonly string[]).includes(parts[2] ?? '')) {
    return { kind: 'PERIOD', period: parts[1] ?? '', counter: parts[2] as PeriodCounterName };
  }
  if (
    parts[0] === 'C' &&
    parts.length === 4 &&
    /^\d+$/.test(parts[2] ?? '') &&
    (COHORT_COUNTER_NAMES as readonly string[]).includes(parts[3] ?? '')
  ) {
    return { kind: 'COHORT', cohort: parts[1] ?? '', offset: Number(parts[2]), counter: parts[3] as CohortCounterName };
  }
  throw new RangeError(`Not a counter key: ${key}`);
}

export const EMPTY_ACTIVITY: CustomerActivity = Object.freeze({ orders: Object.freeze({}) });

function placedAtMs(placedAt: OrderFacts['placedAt']): number {
  const ms = typeof placedAt === 'number' ? placedAt : typeof placedAt === 'string' ? Date.parse(placedAt) : placedAt.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`Invalid placedAt: ${String(placedAt)}`);
  return ms;
}

function minorUnits(value: number, field: string, orderId: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`Order ${orderId}: ${field} must be an integer in minor units, got ${value}`);
  return value;
}

/** Given order facts, returns the entry the activity state stores for the order. */
export function activityOrderOf(order: OrderFacts): ActivityOrder {
  return {
    placedAt: placedAtMs(order.placedAt),
    status: order.status,
    total: minorUnits(order.total, 'total', order.orderId),
    subtotal: minorUnits(order.subtotal, 'subtotal', order.orderId),
    refunded: minorUnits(order.refunded ?? 0, 'refunded', order.orderId),
    version: order.version ?? 0,
  };
}

// A total order over the records of one order id: keeping the maximum makes applyOrder
// commutative, associative and idempotent. The fields after `version` only break ties; their
// order encodes the lifecycle (cancellation and refunds only move forward).
function compareRecords(a: ActivityOrder, b: ActivityOrder): number {
  return (
    a.version - b.version ||
    Number(a.status === 'CANCELLED') - Number(b.status === 'CANCELLED') ||
    a.refunded - b.refunded ||
    a.placedAt - b.placedAt ||
    a.total - b.total ||
    a.subtotal - b.subtotal
  );
}

/**
 * Given a customer's activity and a record of one of their orders, returns the activity with the
 * record inserted, or replacing the stored one for the same order id when it wins (higher
 * version, see `OrderFacts.version`). The result does not depend on the order in which records
 * arrive nor on how often each arrives. Returns the same object when nothing changes.
 */
export function applyOrder(state: CustomerActivity, order: OrderFacts): CustomerActivity {
  const incoming = activityOrderOf(order);
  const stored = Object.hasOwn(state.orders, order.orderId) ? state.orders[order.orderId] : undefined;
  if (stored && compareRecords(incoming, stored) <= 0) return state;
  return { ...state, orders: { ...state.orders, [order.orderId]: incoming } };
}

/**
 * Given a customer's activity and an instant they joined the loyalty program, returns the activity
 * with the earliest join (a minimum: any order of arrival, any repetition gives the same state).
 * Returns the same object when nothing changes.
 */
export function applyMembership(state: CustomerActivity, joinedAt: number | Date | string): CustomerActivity {
  const ms = placedAtMs(joinedAt);
  if (state.joinedAt !== undefined && state.joinedAt <= ms) return state;
  return { ...state, joinedAt: ms };
}

/** Given a customer's activity and several order records, applies them all (see `applyOrder`). */
export function applyOrders(state: CustomerActivity, orders: Iterable<OrderFacts>): CustomerActivity {
  let result = state;
  for (const order of orders) result = applyOrder(result, order);
  return result;
}

/**
 * Given an order, returns its revenue in minor units on `basis`: 0 when cancelled; otherwise
 * total − refunded (TOTAL) or subtotal × (1 − refunded / total), rounded half up (SUBTOTAL).
 *
 * A refund is recorded against the order total and does not say which part of it (goods,
 * shipping, tax) it returns, so the SUBTOTAL basis allocates it pro rata: a full refund zeroes both
 * bases, a refund of a third of the total takes a third of the subtotal. A refund beyond the total
 * (which the orders service rejects) counts as a full refund: revenue is never negative.
 */
export function revenueOf(order: ActivityOrder, basis: RevenueBasis): number {
  if (order.status === 'CANCELLED') return 0;
  const total = Math.max(order.total, 0);
  const refunded = Math.min(Math.max(order.refunded, 0), total);
  if (basis === 'TOTAL') return total - refunded;
  if (refunded === 0 || total === 0) return order.subtotal;
  return order.subtotal - roundedQuotient(refunded, order.subtotal, total);
}

// round(a × b / c) half up, for integers a ≥ 0, c > 0, exact even when a × b exceeds 2^53.
function roundedQuotient(a: number, b: number, c: number): number {
  const product = a * b;
  if (Number.isSafeInteger(2 * product + c)) return Math.floor((2 * product + c) / (2 * c));
  const twice = 2n * BigInt(a) * BigInt(b) + BigInt(c);
  const divisor = 2n * BigInt(c);
  const quotient = twice / divisor;
  // BigInt division truncates toward zero; a floor is wanted for negative subtotals.
  return Number(twice % divisor < 0n ? quotient - 1n : quotient);
}

/** Given a customer's activity, returns true when they have a counted (not cancelled) order. */
export function isCustomer(state: CustomerActivity): boolean {
  return Object.values(state.orders).some((order) => order.status !== 'CANCELLED');
}

/**
 * Given a customer's activity, returns their historic value: the revenue of all their counted
 * orders on `basis`, net of refunds.
 */
export function historicValueOf(state: CustomerActivity, basis: RevenueBasis = 'TOTAL'): number {
  let sum = 0;
  for (const order of Object.values(state.orders)) sum += revenueOf(order, basis);
  return sum;
}

function addTo(counters: Map<CounterKey, number>, key: CounterKey, value: number): void {
  if (value === 0) return;
  const sum = (counters.get(key) ?? 0) + value;
  if (sum === 0) counters.delete(key);
  else counters.set(key, sum);
}

/**
 * Given a customer's activity, a granularity, the tenant's time zone and revenue basis, returns
 * the customer's contribution to the counters: per period they were active in, 1 to
 * `activeCustomers`, their counted orders and revenue, 1 to `repeatCustomers` with 2+ orders, 1 to
 * `retainedFromPrevious` when also active the period before; 1 to `newCustomers` and their revenue
 * to `newCustomerRevenue` in the period of their first counted order (their cohort c); per active
 * period c + k, 1 to the cohort's `activeCustomers` and their revenue to its `revenue` at offset k.
 * A loyalty member adds 1 to `newMembers` in the period they joined, and in every active period
 * from that one on (a member at the period's end: joined before it ended) the same figures again to
 * the `member*` counters, so non-members are the difference. Zero values are left out; a customer
 * without counted orders contributes nothing else.
 */
export function contributionOf(
  state: CustomerActivity,
  granularity: Granularity,
  timeZone: string = DEFAULT_TIME_ZONE,
  basis: RevenueBasis = 'TOTAL',
): Counters {
  const byPeriod = new Map<PeriodKey, { orders: number; revenue: number }>();
  for (const order of Object.values(state.orders)) {
    if (order.status === 'CANCELLED') continue;
    const period = periodOf(order.placedAt, granularity, timeZone);
    const activity = byPeriod.get(period) ?? { orders: 0, revenue: 0 };
    activity.orders += 1;
    activity.revenue += revenueOf(order, basis);
    byPeriod.set(period, activity);
  }
  const counters = new Map<CounterKey, number>();
  // Period keys of one granularity sort chronologically: a member at the end of p joined in p or before.
  const joinedPeriod = state.joinedAt === undefined ? undefined : periodOf(state.joinedAt, granularity, timeZone);
  if (joinedPeriod !== undefined) addTo(counters, periodCounterKey(joinedPeriod, 'newMembers'), 1);
  if (byPeriod.size === 0) return counters;
  // Keys sort chronologically, and the earliest active period is the first order's period.
  const periods = [...byPeriod.keys()].sort();
  const cohort = periods[0] as PeriodKey;
  for (const period of periods) {
    const { orders, revenue } = byPeriod.get(period) as { orders: number; revenue: number };
    addTo(counters, periodCounterKey(period, 'activeCustomers'), 1);
    addTo(counters, periodCounterKey(period, 'orders'), orders);
    addTo(counters, periodCounterKey(period, 'revenue'), revenue);
    if (orders >= 2) addTo(counters, periodCounterKey(period, 'repeatCustomers'), 1);
    if (byPeriod.has(previousPeriod(period))) addTo(counters, periodCounterKey(period, 'retainedFromPrevious'), 1);
    if (joinedPeriod !== undefined && joinedPeriod <= period) {
      addTo(counters, periodCounterKey(period, 'memberActiveCustomers'), 1);
      addTo(counters, periodCounterKey(period, 'memberOrders'), orders);
      addTo(counters, periodCounterKey(period, 'memberRevenue'), revenue);
      if (orders >= 2) addTo(counters, periodCounterKey(period, 'memberRepeatCustomers'), 1);
    }
    const offset = periodOffset(cohort, period);
    addTo(counters, cohortCounterKey(cohort, offset, 'activeCustomers'), 1);
    addTo(counters, cohortCounterKey(cohort, offset, 'revenue'), revenue);
  }
  addTo(counters, periodCounterKey(cohort, 'newCustomers'), 1);
  addTo(counters, periodCounterKey(cohort, 'newCustomerRevenue'), byPeriod.get(cohort)?.revenue ?? 0);
  return counters;
}

/**
 * Given a customer's contribution before and after a change, returns what to add to the counters
 * to go from one to the other: new − old per key, only the non-zero ones.
 */
export function diffContribution(before: Counters, after: Counters): Counters {
  const deltas = new Map<CounterKey, number>(after);
  for (const [key, value] of before) addTo(deltas, key, -value);
  return deltas;
}

/** Given counters (or deltas), adds them into `into` in place, dropping keys that reach 0; returns `into`. */
export function addCounters(into: Map<CounterKey, number>, counters: Counters): Map<CounterKey, number> {
  for (const [key, value] of counters) addTo(into, key, value);
  return into;
}

/** Given several contributions, returns their sum. */
export function sumCounters(all: Iterable<Counters>): Map<CounterKey, number> {
  const sum = new Map<CounterKey, number>();
  for (const counters of all) addCounters(sum, counters);
  return sum;
}

/** Given summed counters and a period, returns that period's counters (0 where absent). */
export function periodCountersOf(counters: Counters, period: PeriodKey): PeriodCounters {
  const result = {} as PeriodCounters;
  for (const name of PERIOD_COUNTER_NAMES) result[name] = counters.get(periodCounterKey(period, name)) ?? 0;
  return result;
}

/** Given summed counters, a cohort and an offset, returns that cell's counters (0 where absent). */
export function cohortCountersOf(counters: Counters, cohort: PeriodKey, offset: number): CohortCounters {
  return {
    activeCustomers: counters.get(cohortCounterKey(cohort, offset, 'activeCustomers')) ?? 0,
    revenue: counters.get(cohortCounterKey(cohort, offset, 'revenue')) ?? 0,
  };
}
