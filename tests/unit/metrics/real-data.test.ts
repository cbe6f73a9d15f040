import { beforeAll, expect, it } from 'vitest';
import { cohortReport, lifetimeValueReport, retentionReport, type RetentionRow } from '../../../lib/metrics/reports.js';
import { loadCdnowSample, loadOnlineRetail, type OnlineRetailData, type RealOrder } from '../../fixtures/real-orders.js';
import {
  referenceCohorts,
  referenceLifetimeValue,
  referenceRetention,
  type ReferenceOptions,
  type ReferenceOrder,
} from '../../fixtures/reference-metrics.js';
import { describeWithSharedData } from '../../fixtures/shared-data.js';
import { cohortInputFrom, eventsReaching, InMemoryConsumer, retentionInputFrom, revenueBefore, seededRandom, type MetricsSettings } from './consumer.js';

function asPlaced(orders: readonly RealOrder[]): ReferenceOrder[] {
  return orders.map(({ customerId, orderId, placedAt, amount }) => ({
    customerId,
    orderId,
    placedAt,
    status: 'PLACED',
    total: amount,
    subtotal: amount,
    refunded: 0,
  }));
}

/** The real orders with a deterministic sprinkle of cancellations, full and partial refunds, and shipping. */
function withChanges(orders: readonly RealOrder[]): ReferenceOrder[] {
  return asPlaced(orders).map((order, index) => ({
    ...order,
    status: index % 97 === 13 ? 'CANCELLED' : 'PLACED',
    subtotal: index % 7 === 0 ? order.total - Math.floor(order.total / 10) : order.total,
    refunded: index % 89 === 5 ? order.total : index % 53 === 7 ? Math.floor(order.total / 3) : 0,
  }));
}

/** Feeds the orders through the in-memory consumer as a shuffled stream with redeliveries. */
function consume(orders: readonly ReferenceOrder[], settings: MetricsSettings, seed: number): InMemoryConsumer {
  return new InMemoryConsumer(settings).applyAll(eventsReaching(orders, seededRandom(seed), { versioned: true, redeliveryRate: 0.05 }));
}

function expectReportsToMatchReference(consumer: InMemoryConsumer, orders: readonly ReferenceOrder[], options: ReferenceOptions, first: string, last: string) {
  const range = { ...options, first, last };
  for (const lookback of ['PREVIOUS_PERIOD', 'ALL_PRIOR'] as const) {
    expect(retentionReport(retentionInputFrom(consumer.counters, first, last, lookback))).toEqual(referenceRetention(orders, { ...range, lookback }));
  }
  expect(cohortReport(cohortInputFrom(consumer.counters, first, last))).toEqual(referenceCohorts(orders, range));
  expect(
    lifetimeValueReport({ ...retentionInputFrom(consumer.counters, first, last, 'PREVIOUS_PERIOD'), revenueBefore: revenueBefore(consumer.counters, first) }),
  ).toEqual(referenceLifetimeValue(orders, range));
}

type Pinned = [period: string, e: number, n: number, s: number, retained: number, reactivated: number, lost: number, orders: number, revenue: number, repeat: number];

function pinnedOf(row: RetentionRow): Pinned {
  return [
    row.period,
    row.customersAtEnd,
    row.newCustomers,
    row.customersAtStart,
    row.retainedCustomers,
    row.reactivatedCustomers,
    row.lostCustomers,
    row.orders,
    row.revenue,
    row.repeatCustomers,
  ];
}

describeWithSharedData('metrics over the CDNOW sample, quarterly', 'cdnow/CDNOW_sample.txt', (file) => {
  let orders: RealOrder[] = [];
  beforeAll(() => {
    orders = loadCdnowSample(file);
  });

  it('loads 6,919 purchases by 2,357 customers, all acquired in Q1 1997', () => {
    expect(orders).toHaveLength(6_919);
    expect(new Set(orders.map((order) => order.customerId)).size).toBe(2_357);
  });

  it('gives the per-quarter counts computed independently from the raw file (PREVIOUS_PERIOD)', () => {
    const consumer = consume(asPlaced(orders), { granularity: 'QUARTER', timeZone: 'UTC', basis: 'TOTAL' }, 1997);

    const report = retentionReport(retentionInputFrom(consumer.counters, '1997-Q1', '1998-Q2', 'PREVIOUS_PERIOD'));

    // From a separate Python script over CDNOW_sample.txt (E, N, S, retained, reactivated, lost, orders, revenue in cents, repeaters).
    expect(report.rows.map(pinnedOf)).toEqual<Pinned[]>([
      ['1997-Q1', 2357, 2357, 0, 0, 0, 0, 3267, 11_249_861, 522],
      ['1997-Q2', 524, 0, 2357, 524, 0, 1833, 937, 3_362_963, 208],
      ['1997-Q3', 418, 0, 524, 214, 204, 310, 756, 2_698_731, 156],
      ['1997-Q4', 404, 0, 418, 203, 201, 215, 768, 2_810_927, 162],
      ['1998-Q1', 384, 0, 404, 196, 188, 208, 678, 2_488_658, 139],
      ['1998-Q2', 300, 0, 384, 169, 131, 215, 513, 1_798_054, 109],
    ]);
  });

  it('equals the reference with orders shuffled, redelivered, cancelled and refunded (SUBTOTAL basis)', () => {
    const changed = withChanges(orders);
    const settings: MetricsSettings = { granularity: 'QUARTER', timeZone: 'UTC', basis: 'SUBTOTAL' };

    const consumer = consume(changed, settings, 42);

    expect(consumer.counters).toEqual(consumer.rebuild());
    expectReportsToMatchReference(consumer, changed, { granularity: 'QUARTER', revenueBasis: 'SUBTOTAL' }, '1997-Q1', '1998-Q3');
  });
});

describeWithSharedData('metrics over Online Retail, monthly in Europe/London', 'online_retail/online_retail.csv.gz', (file) => {
  let data: OnlineRetailData;
  // The reference buckets by the calendar date printed in the file; the library by instant and zone.
  let localMonth: Map<string, string>;
  const reference = (): ReferenceOptions => ({ granularity: 'MONTH', periodOfOrder: (order) => localMonth.get(order.orderId) ?? 'unknown' });
  const settings: MetricsSettings = { granularity: 'MONTH', timeZone: 'Europe/London', basis: 'TOTAL' };

  beforeAll(() => {
    data = loadOnlineRetail(file);
    localMonth = new Map(data.orders.map((order) => [order.orderId, order.localDate.slice(0, 7)]));
  });

  it('loads 18,532 invoices by 4,338 customers once guests, cancellations and non-positive lines are dropped', () => {
    expect(data.counts).toEqual({
      lines: 541_909,
      guestLines: 135_080,
      cancellationLines: 8_905,
      nonPositiveLines: 40,
      invoices: 18_532,
      customers: 4_338,
    });
    expect(data.cancellations).toHaveLength(3_654);
    expect(data.cancellations.every((cancellation) => cancellation.amount < 0)).toBe(true);
  });

  it('gives the per-month counts computed independently from the raw file (PREVIOUS_PERIOD)', () => {
    const consumer = consume(asPlaced(data.orders), settings, 2011);

    const report = retentionReport(retentionInputFrom(consumer.counters, '2010-12', '2011-12', 'PREVIOUS_PERIOD'));

    // From a separate Python script over online_retail.csv.gz (revenue in pence).
    expect(report.rows.map(pinnedOf)).toEqual<Pinned[]>([
      ['2010-12', 885, 885, 0, 0, 0, 0, 1400, 57_271_389, 263],
      ['2011-01', 741, 417, 885, 324, 0, 561, 987, 56_944_504, 149],
      ['2011-02', 758, 380, 741, 262, 116, 479, 997, 44_713_735, 149],
      ['2011-03', 974, 452, 758, 290, 232, 468, 1321, 59_550_076, 201],
      ['2011-04', 856, 300, 974, 304, 252, 670, 1149, 46_920_036, 168],
      ['2011-05', 1056, 284, 856, 368, 404, 488, 1555, 67_859_456, 279],
      ['2011-06', 991, 242, 1056, 410, 339, 646, 1393, 66_121_369, 219],
      ['2011-07', 949, 188, 991, 365, 396, 626, 1331, 60_009_101, 227],
      ['2011-08', 935, 169, 949, 388, 378, 561, 1280, 64_534_390, 196],
      ['2011-09', 1266, 299, 935, 425, 542, 510, 1755, 95_283_838, 271],
      ['2011-10', 1364, 358, 1266, 489, 517, 777, 1929, 103_931_879, 323],
      ['2011-11', 1664, 323, 1364, 622, 719, 742, 2657, 116_181_738, 540],
      ['2011-12', 615, 41, 1664, 371, 203, 1293, 778, 51_819_279, 106],
    ]);
    expect(cohortReport(cohortInputFrom(consumer.counters, '2010-12', '2010-12')).at(0)?.size).toBe(885);
    expect(cohortReport(cohortInputFrom(consumer.counters, '2010-12', '2011-12'))[0]?.cells.map((cell) => cell.activeCustomers)).toEqual([
      885, 324, 286, 340, 321, 352, 321, 309, 313, 350, 331, 445, 235,
    ]);
  });

  it('equals the reference with invoices shuffled, redelivered, cancelled and refunded', () => {
    const changed = withChanges(data.orders);

    const consumer = consume(changed, settings, 7);

    expect(consumer.counters).toEqual(consumer.rebuild());
    expectReportsToMatchReference(consumer, changed, reference(), '2010-11', '2011-12');
    expectReportsToMatchReference(consumer, changed, reference(), '2011-03', '2011-08');
  });
});
