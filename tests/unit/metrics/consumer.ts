/**
 * Test glue for the metrics suite: an in-memory stand-in for the stream consumer (per-customer
 * activity, counters moved by contribution diffs), the read path from counters to report inputs,
 * and deterministic event streams (seeded shuffles, redeliveries, intermediate order versions).
 */
import {
  addCounters,
  applyOrder,
  cohortCountersOf,
  contributionOf,
  diffContribution,
  EMPTY_ACTIVITY,
  parseCounterKey,
  periodCountersOf,
  sumCounters,
  type CounterKey,
  type Counters,
  type CustomerActivity,
  type OrderFacts,
  type PeriodCounterName,
  type RevenueBasis,
} from '../../../lib/metrics/contribution.js';
import { periodOffset, periodRange, previousPeriod, type Granularity, type PeriodKey } from '../../../lib/metrics/periods.js';
import type { CohortReportInput, Lookback, RetentionReportInput } from '../../../lib/metrics/reports.js';
import type { ReferenceOrder } from '../../fixtures/reference-metrics.js';
import { seededRandom } from '../../../lib/common/random.js';
export { seededRandom };

export interface OrderEvent {
  readonly customerId: string;
  readonly order: OrderFacts;
}

export interface MetricsSettings {
  readonly granularity: Granularity;
  readonly timeZone: string;
  readonly basis: RevenueBasis;
}

export function seededShuffle<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

/** The in-memory consumer: what the DynamoDB Streams handler does, minus DynamoDB. */
export class InMemoryConsumer {
  readonly activities = new Map<string, CustomerActivity>();
  readonly counters = new Map<CounterKey, number>();
  writes = 0;

  constructor(readonly settings: MetricsSettings) {}

  /** Applies one order record: old and new contribution of its customer, the difference to the counters. */
  apply(event: OrderEvent): void {
    const { granularity, timeZone, basis } = this.settings;
    const before = this.activities.get(event.customerId) ?? EMPTY_ACTIVITY;
    const after = applyOrder(before, event.order);
    if (after === before) return;
    const deltas = diffContribution(contributionOf(before, granularity, timeZone, basis), contributionOf(after, granularity, timeZone, basis));
    this.activities.set(event.customerId, after);
    addCounters(this.counters, deltas);
    this.writes += 1;
  }

  applyAll(events: Iterable<OrderEvent>): this {
    for (const event of events) this.apply(event);
    return this;
  }

  /** The counters recomputed from scratch from the current states (what a rebuild would write). */
  rebuild(): Map<CounterKey, number> {
    const { granularity, timeZone, basis } = this.settings;
    return sumCounters([...this.activities.values()].map((activity) => contributionOf(activity, granularity, timeZone, basis)));
  }
}

function sumBefore(counters: Counters, first: PeriodKey, counter: PeriodCounterName): number {
  let sum = 0;
  for (const [key, value] of counters) {
    const parsed = parseCounterKey(key);
    if (parsed.kind === 'PERIOD' && parsed.counter === counter && parsed.period < first) sum += value;
  }
  return sum;
}

/** The read path: the counters a retention report over [first, last] needs. */
export function retentionInputFrom(counters: Counters, first: PeriodKey, last: PeriodKey, lookback: Lookback): RetentionReportInput {
  return {
    lookback,
    periods: periodRange(first, last).map((period) => ({ period, counters: periodCountersOf(counters, period) })),
    previousCounters: periodCountersOf(counters, previousPeriod(first)),
    customersBefore: sumBefore(counters, first, 'newCustomers'),
  };
}

export function revenueBefore(counters: Counters, first: PeriodKey): number {
  return sumBefore(counters, first, 'revenue');
}

/** The read path: the cohort cells a cohort report over [first, last] needs. */
export function cohortInputFrom(counters: Counters, first: PeriodKey, last: PeriodKey): CohortReportInput {
  return {
    through: last,
    cohorts: periodRange(first, last).map((cohort) => ({
      cohort,
      cells: Array.from({ length: periodOffset(cohort, last) + 1 }, (_, offset) => cohortCountersOf(counters, cohort, offset)),
    })),
  };
}

function facts(order: ReferenceOrder, version: number | undefined): OrderFacts {
  const { orderId, placedAt, status, total, subtotal, refunded } = order;
  return version === undefined ? { orderId, placedAt, status, total, subtotal, refunded } : { orderId, placedAt, status, total, subtotal, refunded, version };
}

/**
 * Given orders as they finally stand, returns a stream that reaches them the way the orders table
 * would: each order first placed, then partly and fully refunded and/or cancelled, every record
 * redelivered with probability `redeliveryRate`, all shuffled. Without `versioned`, records carry
 * no version and the forward-only lifecycle decides.
 */
export function eventsReaching(
  orders: readonly ReferenceOrder[],
  random: () => number,
  options: { versioned: boolean; redeliveryRate: number },
): OrderEvent[] {
  const events: OrderEvent[] = [];
  for (const order of orders) {
    const history: ReferenceOrder[] = [{ ...order, status: 'PLACED', refunded: 0 }];
    if (order.refunded > 1) history.push({ ...order, status: 'PLACED', refunded: Math.floor(order.refunded / 2) });
    if (order.refunded > 0) history.push({ ...order, status: 'PLACED' });
    if (order.status === 'CANCELLED') history.push(order);
    history.forEach((version, index) => {
      const event = { customerId: order.customerId, order: facts(version, options.versioned ? index + 1 : undefined) };
      events.push(event);
      if (random() < options.redeliveryRate) events.push(event);
    });
  }
  return seededShuffle(events, random);
}
