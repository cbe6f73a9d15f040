/**
 * The reports of METRICS.md, computed from summed counters (see `contribution.ts`): retention per
 * period with totals over the range, the cohort matrix, and lifetime value. Pure arithmetic over
 * O(periods) numbers; rates are percentages as floats, never rounded, null when the denominator
 * is 0, and not clamped where METRICS.md says they may exceed 100.
 */
import type { CohortCounters, PeriodCounters } from './contribution.js';
import { addPeriods, nextPeriod, periodOffset, type PeriodKey } from './periods.js';

export type Lookback = 'PREVIOUS_PERIOD' | 'ALL_PRIOR';

/** The counts and rates of METRICS.md's per-period table, plus the numerators it needs. */
export interface RetentionFigures {
  /** S: PREVIOUS_PERIOD, customers active in p−1; ALL_PRIOR, customers whose first order is before p. */
  readonly customersAtStart: number;
  /** E: customers active in p. */
  readonly customersAtEnd: number;
  /** N: customers whose first counted order is in p. */
  readonly newCustomers: number;
  /** Customers in S active in p (ALL_PRIOR: E − N). */
  readonly retainedCustomers: number;
  /** E − N − retained (always 0 with ALL_PRIOR). */
  readonly reactivatedCustomers: number;
  /** S − retained. */
  readonly lostCustomers: number;
  /** (E − N) / S × 100; may exceed 100 with PREVIOUS_PERIOD. */
  readonly customerRetentionRate: number | null;
  /** retained / S × 100. */
  readonly cohortRetentionRate: number | null;
  /** lost / S × 100. */
  readonly churnRate: number | null;
  /** Counted orders placed in p. */
  readonly orders: number;
  /** Revenue of the orders placed in p, net of refunds (minor units). */
  readonly revenue: number;
  /** revenue / orders (minor units, unrounded). */
  readonly averageOrderValue: number | null;
  /** orders / E. */
  readonly purchaseFrequency: number | null;
  /** Customers active in p with 2+ counted orders in p (numerator of repeatPurchaseRate). */
  readonly repeatCustomers: number;
  /** repeatCustomers / E × 100. */
  readonly repeatPurchaseRate: number | null;
  /** (E − N) / E × 100. */
  readonly returningCustomerRate: number | null;
  /** Revenue in p from customers not new in p (numerator of returningRevenueShare). */
  readonly returningRevenue: number;
  /** returningRevenue / revenue × 100. */
  readonly returningRevenueShare: number | null;
}

export interface RetentionRow extends RetentionFigures {
  readonly period: PeriodKey;
}

/**
 * Totals over a report's range. Every count is the sum of the rows' counts: `newCustomers`,
 * `orders`, `revenue`, `returningRevenue` are then the range's own totals, while S, E, retained,
 * reactivated, lost and repeatCustomers are customer-periods (a customer active in three periods
 * counts three times in E: distinct customers over a range are not derivable from per-period
 * counters). Every rate is its per-period formula applied to those sums, so it is the pooled rate
 * (the per-period rates weighted by their denominators), e.g. churnRate = Σ lost / Σ S × 100 and
 * averageOrderValue = Σ revenue / Σ orders; null when the summed denominator is 0.
 */
export interface RetentionTotals extends RetentionFigures {
  /** Number of periods summed. */
  readonly periods: number;
}

export interface RetentionReport {
  readonly lookback: Lookback;
  readonly rows: readonly RetentionRow[];
  readonly totals: RetentionTotals;
}

/** One period of a report's range, with the counters summed over all customers (absent = 0). */
export interface PeriodInput {
  readonly period: PeriodKey;
  readonly counters: Partial<PeriodCounters>;
}

export interface RetentionReportInput {
  readonly lookback: Lookback;
  /** Consecutive periods of one granularity, oldest first. */
  readonly periods: readonly PeriodInput[];
  /** Counters of the period just before the first one: its activeCustomers is the first S (PREVIOUS_PERIOD). */
  readonly previousCounters: Partial<PeriodCounters>;
  /** Customers whose first counted order is before the first period, Σ newCustomers before it (ALL_PRIOR). */
  readonly customersBefore: number;
}

function percentage(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : (numerator / denominator) * 100;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

interface Counts {
  readonly customersAtStart: number;
  readonly customersAtEnd: number;
  readonly newCustomers: number;
  readonly retainedCustomers: number;
  readonly orders: number;
  readonly revenue: number;
  readonly repeatCustomers: number;
  readonly returningRevenue: number;
}

// The rates are the same functions of the counts for a row and for the totals; only the counts differ.
function figuresOf(counts: Counts, reactivatedCustomers: number, lostCustomers: number): RetentionFigures {
  const { customersAtStart: s, customersAtEnd: e, newCustomers: n } = counts;
  return {
    customersAtStart: s,
    customersAtEnd: e,
    newCustomers: n,
    retainedCustomers: counts.retainedCustomers,
    reactivatedCustomers,
    lostCustomers,
    customerRetentionRate: percentage(e - n, s),
    cohortRetentionRate: percentage(counts.retainedCustomers, s),
    churnRate: percentage(lostCustomers, s),
    orders: counts.orders,
    revenue: counts.revenue,
    averageOrderValue: ratio(counts.revenue, counts.orders),
    purchaseFrequency: ratio(counts.orders, e),
    repeatCustomers: counts.repeatCustomers,
    repeatPurchaseRate: percentage(counts.repeatCustomers, e),
    returningCustomerRate: percentage(e - n, e),
    returningRevenue: counts.returningRevenue,
    returningRevenueShare: percentage(counts.returningRevenue, counts.revenue),
  };
}

function assertConsecutive(periods: readonly PeriodInput[]): void {
  for (let i = 1; i < periods.length; i += 1) {
    const before = periods[i - 1] as PeriodInput;
    const current = periods[i] as PeriodInput;
    if (nextPeriod(before.period) !== current.period) {
      throw new RangeError(`Report periods must be consecutive: ${before.period} is followed by ${current.period}`);
    }
  }
}

/**
 * Given the summed counters of consecutive periods, of the period before them, and the number of
 * customers acquired before them, returns METRICS.md's per-period retention figures for `lookback`
 * and their totals over the range (see `RetentionTotals`).
 */
export function retentionReport(input: RetentionReportInput): RetentionReport {
  assertConsecutive(input.periods);
  const rows: RetentionRow[] = [];
  let previousActive = input.previousCounters.activeCustomers ?? 0;
  let acquiredBefore = input.customersBefore;
  for (const { period, counters } of input.periods) {
    const e = counters.activeCustomers ?? 0;
    const n = counters.newCustomers ?? 0;
    const revenue = counters.revenue ?? 0;
    const s = input.lookback === 'PREVIOUS_PERIOD' ? previousActive : acquiredBefore;
    const retained = input.lookback === 'PREVIOUS_PERIOD' ? (counters.retainedFromPrevious ?? 0) : e - n;
    const counts: Counts = {
      customersAtStart: s,
      customersAtEnd: e,
      newCustomers: n,
      retainedCustomers: retained,
      orders: counters.orders ?? 0,
      revenue,
      repeatCustomers: counters.repeatCustomers ?? 0,
      returningRevenue: revenue - (counters.newCustomerRevenue ?? 0),
    };
    rows.push({ period, ...figuresOf(counts, e - n - retained, s - retained) });
    previousActive = e;
    acquiredBefore += n;
  }
  return { lookback: input.lookback, rows, totals: totalsOf(rows) };
}

function totalsOf(rows: readonly RetentionRow[]): RetentionTotals {
  const sum = (pick: (row: RetentionRow) => number): number => rows.reduce((acc, row) => acc + pick(row), 0);
  const counts: Counts = {
    customersAtStart: sum((row) => row.customersAtStart),
    customersAtEnd: sum((row) => row.customersAtEnd),
    newCustomers: sum((row) => row.newCustomers),
    retainedCustomers: sum((row) => row.retainedCustomers),
    orders: sum((row) => row.orders),
    revenue: sum((row) => row.revenue),
    repeatCustomers: sum((row) => row.repeatCustomers),
    returningRevenue: sum((row) => row.returningRevenue),
  };
  return {
    periods: rows.length,
    ...figuresOf(counts, sum((row) => row.reactivatedCustomers), sum((row) => row.lostCustomers)),
  };
}

export interface CohortCell {
  readonly offset: number;
  /** The period cohort + offset. */
  readonly period: PeriodKey;
  readonly activeCustomers: number;
  /** activeCustomers / size × 100. */
  readonly retention: number | null;
  readonly revenue: number;
  /** Σ revenue over offsets 0..offset / size. */
  readonly cumulativeRevenuePerCustomer: number | null;
}

export interface CohortRow {
  readonly cohort: PeriodKey;
  /** Customers whose first counted order is in the cohort period (its activeCustomers at offset 0). */
  readonly size: number;
  readonly cells: readonly CohortCell[];
}

export interface CohortInput {
  readonly cohort: PeriodKey;
  /** Summed counters at offsets 0, 1, 2, ... (absent or missing entries = 0). */
  readonly cells: readonly (Partial<CohortCounters> | undefined)[];
}

export interface CohortReportInput {
  /** The cohorts to report, oldest first. */
  readonly cohorts: readonly CohortInput[];
  /** The last period observed: each cohort gets offsets 0 .. through − cohort, none when later. */
  readonly through: PeriodKey;
}

/**
 * Given cohorts' summed counters per offset and the last period observed, returns the cohort
 * matrix: per cohort its size, and per offset k the active customers, retention, revenue and
 * cumulative revenue per customer.
 */
export function cohortReport(input: CohortReportInput): CohortRow[] {
  return input.cohorts.map(({ cohort, cells }) => {
    const size = cells[0]?.activeCustomers ?? 0;
    const lastOffset = periodOffset(cohort, input.through);
    const rowCells: CohortCell[] = [];
    let cumulativeRevenue = 0;
    for (let offset = 0; offset <= lastOffset; offset += 1) {
      const activeCustomers = cells[offset]?.activeCustomers ?? 0;
      const revenue = cells[offset]?.revenue ?? 0;
      cumulativeRevenue += revenue;
      rowCells.push({
        offset,
        period: addPeriods(cohort, offset),
        activeCustomers,
        retention: percentage(activeCustomers, size),
        revenue,
        cumulativeRevenuePerCustomer: ratio(cumulativeRevenue, size),
      });
    }
    return { cohort, size, cells: rowCells };
  });
}

export interface LifetimeValueReportInput extends Omit<RetentionReportInput, 'lookback'> {
  /** Lookback of the churn rates averaged into the expected lifespan; default PREVIOUS_PERIOD. */
  readonly lookback?: Lookback;
  /** Revenue of all periods before the first one (Σ revenue before it). */
  readonly revenueBefore: number;
}

export interface LifetimeValueReport {
  /** Customers acquired up to the end of the range: customersBefore + Σ newCustomers. */
  readonly customers: number;
  /** Revenue up to the end of the range: revenueBefore + Σ revenue (minor units). */
  readonly totalRevenue: number;
  /** totalRevenue / customers: the mean historic value as of the end of the range. */
  readonly averageHistoricValue: number | null;
  /** Σ revenue / Σ orders over the range. */
  readonly averageOrderValue: number | null;
  /** Σ orders / Σ active customers over the range: orders per active customer per period. */
  readonly purchaseFrequency: number | null;
  /** Mean of the range's non-null per-period churn rates. */
  readonly meanChurnRate: number | null;
  /** 100 / meanChurnRate, in periods; null when no period has a churn rate or none churned. */
  readonly expectedLifespan: number | null;
  /** averageOrderValue × purchaseFrequency × expectedLifespan; null when a factor is. */
  readonly projectedValue: number | null;
}

/**
 * Given the same counters as `retentionReport` plus the revenue before the range, returns the
 * average historic value as of the end of the range and the simple projected CLV with its three
 * factors (METRICS.md, Lifetime value).
 */
export function lifetimeValueReport(input: LifetimeValueReportInput): LifetimeValueReport {
  const report = retentionReport({ ...input, lookback: input.lookback ?? 'PREVIOUS_PERIOD' });
  const customers = input.customersBefore + report.totals.newCustomers;
  const totalRevenue = input.revenueBefore + report.totals.revenue;
  const churnRates = report.rows.map((row) => row.churnRate).filter((rate): rate is number => rate !== null);
  const meanChurnRate = churnRates.length === 0 ? null : churnRates.reduce((acc, rate) => acc + rate, 0) / churnRates.length;
  const expectedLifespan = meanChurnRate === null || meanChurnRate === 0 ? null : 100 / meanChurnRate;
  const { averageOrderValue, purchaseFrequency } = report.totals;
  return {
    customers,
    totalRevenue,
    averageHistoricValue: ratio(totalRevenue, customers),
    averageOrderValue,
    purchaseFrequency,
    meanChurnRate,
    expectedLifespan,
    projectedValue:
      averageOrderValue === null || purchaseFrequency === null || expectedLifespan === null
        ? null
        : averageOrderValue * purchaseFrequency * expectedLifespan,
  };
}
