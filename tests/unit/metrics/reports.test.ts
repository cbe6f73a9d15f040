import { describe, expect, it } from 'vitest';
import { cohortReport, lifetimeValueReport, retentionReport, type PeriodInput } from '../../../lib/metrics/reports.js';
import { referenceRetention, type ReferenceOrder } from '../../fixtures/reference-metrics.js';
import { InMemoryConsumer, retentionInputFrom, seededRandom, seededShuffle } from './consumer.js';

let nextOrderId = 0;
function anOrder(customerId: string, placedAt: string, overrides: Partial<ReferenceOrder> = {}): ReferenceOrder {
  nextOrderId += 1;
  return { customerId, orderId: `o-${nextOrderId}`, placedAt: Date.parse(placedAt), status: 'PLACED', total: 1_000, subtotal: 800, refunded: 0, ...overrides };
}

describe('the worked check of METRICS.md', () => {
  // Active in Q1 2024: A, B, C, G. Active in Q2: A, C, D, E, F. E and F are new in Q2; D last ordered in 2023.
  const orders = [
    anOrder('A', '2023-08-01T09:00:00Z'),
    anOrder('A', '2024-02-10T09:00:00Z'),
    anOrder('A', '2024-05-05T09:00:00Z'),
    anOrder('B', '2024-01-15T09:00:00Z'),
    anOrder('C', '2024-03-31T23:59:59.999Z'),
    anOrder('C', '2024-04-01T00:00:00Z'),
    anOrder('G', '2023-12-01T09:00:00Z'),
    anOrder('G', '2024-02-20T09:00:00Z'),
    anOrder('D', '2023-10-01T09:00:00Z'),
    anOrder('D', '2024-06-30T23:59:59.999Z'),
    anOrder('E', '2024-04-10T09:00:00Z'),
    anOrder('E', '2024-05-10T09:00:00Z'),
    anOrder('F', '2024-06-01T09:00:00Z'),
    anOrder('F', '2024-06-02T09:00:00Z', { status: 'CANCELLED' }),
    anOrder('B', '2024-05-01T09:00:00Z', { status: 'CANCELLED' }),
  ];

  it('gives S=4, E=5, N=2, retained=2, reactivated=1, lost=2 and rates 75, 50, 50 for Q2 2024', () => {
    const events = seededShuffle(
      orders.map(({ customerId, ...order }) => ({ customerId, order })),
      seededRandom(6),
    );
    const consumer = new InMemoryConsumer({ granularity: 'QUARTER', timeZone: 'UTC', basis: 'TOTAL' }).applyAll(events);

    const report = retentionReport(retentionInputFrom(consumer.counters, '2024-Q2', '2024-Q2', 'PREVIOUS_PERIOD'));

    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({
      period: '2024-Q2',
      customersAtStart: 4,
      customersAtEnd: 5,
      newCustomers: 2,
      retainedCustomers: 2,
      reactivatedCustomers: 1,
      lostCustomers: 2,
      customerRetentionRate: 75,
      cohortRetentionRate: 50,
      churnRate: 50,
      orders: 6,
      revenue: 6_000,
      averageOrderValue: 1_000,
      purchaseFrequency: 6 / 5,
      repeatCustomers: 1,
      repeatPurchaseRate: 20,
      returningCustomerRate: 60,
      returningRevenue: 3_000,
      returningRevenueShare: 50,
    });
    expect(report.rows).toEqual(referenceRetention(orders, { granularity: 'QUARTER', first: '2024-Q2', last: '2024-Q2', lookback: 'PREVIOUS_PERIOD' }).rows);
  });

  it('gives the ALL_PRIOR reading of the same quarter', () => {
    const consumer = new InMemoryConsumer({ granularity: 'QUARTER', timeZone: 'UTC', basis: 'TOTAL' }).applyAll(
      orders.map(({ customerId, ...order }) => ({ customerId, order })),
    );

    const [row] = retentionReport(retentionInputFrom(consumer.counters, '2024-Q2', '2024-Q2', 'ALL_PRIOR')).rows;

    // Before Q2: A, B, C, D, G acquired. Of them A, C, D came back.
    expect(row).toMatchObject({
      customersAtStart: 5,
      retainedCustomers: 3,
      reactivatedCustomers: 0,
      lostCustomers: 2,
      customerRetentionRate: 60,
      cohortRetentionRate: 60,
      churnRate: 40,
    });
  });
});

describe('retentionReport', () => {
  it('reports null, not 0, for rates whose denominator is 0', () => {
    const report = retentionReport({
      lookback: 'PREVIOUS_PERIOD',
      periods: [{ period: '2024-01', counters: {} }],
      previousCounters: {},
      customersBefore: 0,
    });

    expect(report.rows[0]).toEqual({
      period: '2024-01',
      customersAtStart: 0,
      customersAtEnd: 0,
      newCustomers: 0,
      retainedCustomers: 0,
      reactivatedCustomers: 0,
      lostCustomers: 0,
      customerRetentionRate: null,
      cohortRetentionRate: null,
      churnRate: null,
      orders: 0,
      revenue: 0,
      averageOrderValue: null,
      purchaseFrequency: null,
      repeatCustomers: 0,
      repeatPurchaseRate: null,
      returningCustomerRate: null,
      returningRevenue: 0,
      returningRevenueShare: null,
    });
  });

  it('reports rates of a first period with customers but nobody at start: S = 0', () => {
    const [row] = retentionReport({
      lookback: 'PREVIOUS_PERIOD',
      periods: [{ period: '2024-01', counters: { activeCustomers: 2, newCustomers: 2, orders: 2, revenue: 0, newCustomerRevenue: 0 } }],
      previousCounters: {},
      customersBefore: 0,
    }).rows;

    expect(row).toMatchObject({ customerRetentionRate: null, churnRate: null, averageOrderValue: 0, returningCustomerRate: 0, returningRevenueShare: null });
  });

  it('reports a customer retention rate above 100 when lapsed customers come back, unclamped', () => {
    const [row] = retentionReport({
      lookback: 'PREVIOUS_PERIOD',
      periods: [{ period: '2024-02', counters: { activeCustomers: 3, newCustomers: 0, retainedFromPrevious: 1 } }],
      previousCounters: { activeCustomers: 1 },
      customersBefore: 10,
    }).rows;

    expect(row).toMatchObject({ customerRetentionRate: 300, cohortRetentionRate: 100, churnRate: 0, reactivatedCustomers: 2 });
  });

  it('carries S from period to period: E of p−1, or everyone acquired before p', () => {
    const periods: PeriodInput[] = [
      { period: '2024-Q4', counters: { activeCustomers: 4, newCustomers: 3, retainedFromPrevious: 1 } },
      { period: '2025-Q1', counters: { activeCustomers: 5, newCustomers: 2, retainedFromPrevious: 2 } },
    ];

    const previous = retentionReport({ lookback: 'PREVIOUS_PERIOD', periods, previousCounters: { activeCustomers: 2 }, customersBefore: 7 });
    const allPrior = retentionReport({ lookback: 'ALL_PRIOR', periods, previousCounters: { activeCustomers: 2 }, customersBefore: 7 });

    expect(previous.rows.map((row) => row.customersAtStart)).toEqual([2, 4]);
    expect(previous.rows.map((row) => row.reactivatedCustomers)).toEqual([0, 1]);
    expect(allPrior.rows.map((row) => row.customersAtStart)).toEqual([7, 10]);
    expect(allPrior.rows.map((row) => [row.retainedCustomers, row.reactivatedCustomers, row.lostCustomers])).toEqual([
      [1, 0, 6],
      [3, 0, 7],
    ]);
  });

  it('totals counts by summing and rates by pooling the sums', () => {
    const report = retentionReport({
      lookback: 'PREVIOUS_PERIOD',
      periods: [
        { period: '2024-01', counters: { activeCustomers: 10, newCustomers: 10, orders: 12, revenue: 1_200, newCustomerRevenue: 1_200, repeatCustomers: 2 } },
        {
          period: '2024-02',
          counters: { activeCustomers: 6, newCustomers: 2, retainedFromPrevious: 4, orders: 6, revenue: 900, newCustomerRevenue: 100, repeatCustomers: 0 },
        },
        { period: '2024-03', counters: { activeCustomers: 3, newCustomers: 0, retainedFromPrevious: 3, orders: 3, revenue: 300 } },
      ],
      previousCounters: {},
      customersBefore: 0,
    });

    expect(report.totals).toEqual({
      periods: 3,
      customersAtStart: 16,
      customersAtEnd: 19,
      newCustomers: 12,
      retainedCustomers: 7,
      reactivatedCustomers: 0,
      lostCustomers: 9,
      customerRetentionRate: (7 / 16) * 100,
      cohortRetentionRate: (7 / 16) * 100,
      churnRate: (9 / 16) * 100,
      orders: 21,
      revenue: 2_400,
      averageOrderValue: 2_400 / 21,
      purchaseFrequency: 21 / 19,
      repeatCustomers: 2,
      repeatPurchaseRate: (2 / 19) * 100,
      returningCustomerRate: (7 / 19) * 100,
      returningRevenue: 1_100,
      returningRevenueShare: (1_100 / 2_400) * 100,
    });
  });

  it('refuses periods that are not consecutive', () => {
    expect(() =>
      retentionReport({
        lookback: 'ALL_PRIOR',
        periods: [
          { period: '2024-01', counters: {} },
          { period: '2024-03', counters: {} },
        ],
        previousCounters: {},
        customersBefore: 0,
      }),
    ).toThrow(RangeError);
  });
});

describe('cohortReport', () => {
  it('gives size, retention and cumulative revenue per customer per offset up to the last period', () => {
    const rows = cohortReport({
      through: '2024-03',
      cohorts: [
        {
          cohort: '2024-01',
          cells: [
            { activeCustomers: 4, revenue: 400 },
            { activeCustomers: 1, revenue: 100 },
          ],
        },
        { cohort: '2024-02', cells: [] },
        { cohort: '2024-03', cells: [{ activeCustomers: 2, revenue: 50 }] },
        { cohort: '2024-04', cells: [] },
      ],
    });

    expect(rows).toEqual([
      {
        cohort: '2024-01',
        size: 4,
        cells: [
          { offset: 0, period: '2024-01', activeCustomers: 4, retention: 100, revenue: 400, cumulativeRevenuePerCustomer: 100 },
          { offset: 1, period: '2024-02', activeCustomers: 1, retention: 25, revenue: 100, cumulativeRevenuePerCustomer: 125 },
          { offset: 2, period: '2024-03', activeCustomers: 0, retention: 0, revenue: 0, cumulativeRevenuePerCustomer: 125 },
        ],
      },
      {
        cohort: '2024-02',
        size: 0,
        cells: [
          { offset: 0, period: '2024-02', activeCustomers: 0, retention: null, revenue: 0, cumulativeRevenuePerCustomer: null },
          { offset: 1, period: '2024-03', activeCustomers: 0, retention: null, revenue: 0, cumulativeRevenuePerCustomer: null },
        ],
      },
      {
        cohort: '2024-03',
        size: 2,
        cells: [{ offset: 0, period: '2024-03', activeCustomers: 2, retention: 100, revenue: 50, cumulativeRevenuePerCustomer: 25 }],
      },
      { cohort: '2024-04', size: 0, cells: [] },
    ]);
  });
});

describe('lifetimeValueReport', () => {
  const periods: PeriodInput[] = [
    { period: '2024', counters: { activeCustomers: 10, newCustomers: 4, retainedFromPrevious: 5, orders: 20, revenue: 10_000 } },
    { period: '2025', counters: { activeCustomers: 10, newCustomers: 2, retainedFromPrevious: 6, orders: 30, revenue: 20_000 } },
  ];

  it('returns the average historic value and AOV × frequency × lifespan with its factors', () => {
    const report = lifetimeValueReport({ periods, previousCounters: { activeCustomers: 8 }, customersBefore: 14, revenueBefore: 50_000 });

    // Churn: 2023→2024 lost 3 of 8 (37.5 %), 2024→2025 lost 4 of 10 (40 %).
    expect(report).toEqual({
      customers: 20,
      totalRevenue: 80_000,
      averageHistoricValue: 4_000,
      averageOrderValue: 30_000 / 50,
      purchaseFrequency: 50 / 20,
      meanChurnRate: (37.5 + 40) / 2,
      expectedLifespan: 100 / ((37.5 + 40) / 2),
      projectedValue: (30_000 / 50) * (50 / 20) * (100 / ((37.5 + 40) / 2)),
    });
  });

  it('leaves the lifespan and projection null when no period has a churn rate, or nobody churned', () => {
    const noStart = lifetimeValueReport({ periods: periods.slice(0, 1), previousCounters: {}, customersBefore: 0, revenueBefore: 0 });
    const noChurn = lifetimeValueReport({
      periods: [{ period: '2024', counters: { activeCustomers: 2, retainedFromPrevious: 2, orders: 2, revenue: 10 } }],
      previousCounters: { activeCustomers: 2 },
      customersBefore: 2,
      revenueBefore: 0,
    });

    expect(noStart).toMatchObject({ meanChurnRate: null, expectedLifespan: null, projectedValue: null, averageOrderValue: 500 });
    expect(noChurn).toMatchObject({ meanChurnRate: 0, expectedLifespan: null, projectedValue: null, averageHistoricValue: 5 });
  });
});
