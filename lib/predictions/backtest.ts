import { expectedPurchases, fitBgNbd, type BgNbdFit } from './bgnbd.js';
import { DAYS_PER_UNIT, localDayNumber, summarizeState, summaryStateOf, type Purchase, type TimeUnit } from './summary.js';

/**
 * The holdout check of the paper's Figure 5: fit on a calibration period, then compare, for
 * customers grouped by their calibration frequency, the mean number of purchase days they made in
 * the holdout with the mean the model expected.
 */

/** Customers with at least this many calibration repeats share the last, open-ended group ("7+"). */
export const BACKTEST_TOP_GROUP = 7;

export interface BacktestOptions {
  /** The last instant of the calibration period (its local date is included). */
  calibrationEnd: Date | number;
  /** The last instant of the holdout period (its local date is included). */
  holdoutEnd: Date | number;
  unit: TimeUnit;
  timeZone?: string;
}

export interface BacktestRow {
  /** Calibration frequency; the last row stands for x ≥ BACKTEST_TOP_GROUP. */
  x: number;
  customers: number;
  /** Mean purchase days per customer in the holdout. */
  actualMean: number;
  /** Mean of E[Y(holdout) | x, t_x, T] over the same customers. */
  predictedMean: number;
}

export interface BacktestResult {
  model: BgNbdFit;
  /** Holdout length in the time unit. */
  holdoutLength: number;
  rows: BacktestRow[];
}

/**
 * Given each customer's purchases and a calibration and holdout end, returns the BG/NBD fit on
 * the calibration period (customers who first bought by its end) and, per calibration frequency
 * 0, 1, ..., 6, 7+, the actual and predicted mean purchase days in the holdout. Groups with no
 * customer are left out.
 */
export function backtest(customers: Iterable<readonly Purchase[]>, options: BacktestOptions): BacktestResult {
  const timeZone = options.timeZone ?? 'UTC';
  const calibrationDay = localDayNumber(options.calibrationEnd, timeZone);
  const holdoutDay = localDayNumber(options.holdoutEnd, timeZone);
  if (!(holdoutDay > calibrationDay)) throw new RangeError('the holdout must end after the calibration period');
  const holdoutLength = (holdoutDay - calibrationDay) / DAYS_PER_UNIT[options.unit];

  const calibrated: { x: number; tx: number; T: number; holdoutDays: number }[] = [];
  for (const purchases of customers) {
    const state = summaryStateOf(purchases, timeZone);
    const summary = summarizeState(state, options.calibrationEnd, options.unit);
    if (!summary) continue;
    const holdoutDays = state.days.filter((day) => day > calibrationDay && day <= holdoutDay).length;
    calibrated.push({ x: summary.x, tx: summary.tx, T: summary.T, holdoutDays });
  }
  const model = fitBgNbd(calibrated);

  const groups = Array.from({ length: BACKTEST_TOP_GROUP + 1 }, (_, x) => ({ x, customers: 0, actual: 0, predicted: 0 }));
  for (const c of calibrated) {
    const group = groups[Math.min(c.x, BACKTEST_TOP_GROUP)]!;
    group.customers++;
    group.actual += c.holdoutDays;
    group.predicted += expectedPurchases(model, c.x, c.tx, c.T, holdoutLength);
  }
  return {
    model,
    holdoutLength,
    rows: groups
      .filter((g) => g.customers > 0)
      .map((g) => ({
        x: g.x,
        customers: g.customers,
        actualMean: g.actual / g.customers,
        predictedMean: g.predicted / g.customers,
      })),
  };
}
