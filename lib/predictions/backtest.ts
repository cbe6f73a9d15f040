import { expectedPurchases, fitBgNbd, type BgNbdFit } from './bgnbd.js';
import { MIN_REPEAT_BUYERS_FOR_SPEND } from './clv.js';
import { expectedAverageValue, fitGammaGamma, type GammaGammaFit } from './gammagamma.js';
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
  /** Mean holdout spend per customer, in minor units (a float). */
  actualSpendMean: number;
  /** Mean of E[Y(holdout)] × E[M | x, m_x] over the same customers; null without a spend model. */
  predictedSpendMean: number | null;
}

export interface BacktestResult {
  model: BgNbdFit;
  /** The Gamma-Gamma fit on the calibration period, or why there is none. */
  spend: { status: 'OK'; model: GammaGammaFit } | { status: 'INSUFFICIENT_DATA'; reason: string; model: GammaGammaFit | null };
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

  const calibrated: { x: number; tx: number; T: number; mx: number | null; holdoutDays: number; holdoutSpend: number }[] = [];
  for (const purchases of customers) {
    const state = summaryStateOf(purchases, timeZone);
    const summary = summarizeState(state, options.calibrationEnd, options.unit);
    if (!summary) continue;
    let holdoutDays = 0;
    let holdoutSpend = 0;
    state.days.forEach((day, i) => {
      if (day > calibrationDay && day <= holdoutDay) {
        holdoutDays += 1;
        holdoutSpend += state.amounts[i]!;
      }
    });
    calibrated.push({ x: summary.x, tx: summary.tx, T: summary.T, mx: summary.meanRepeatValue, holdoutDays, holdoutSpend });
  }
  // The group means are sums over customers: summed in one fixed order, whatever order the
  // customers were read in, so the same data gives the same digits.
  calibrated.sort((p, q) => p.x - q.x || p.tx - q.tx || p.T - q.T || (p.mx ?? -1) - (q.mx ?? -1) || p.holdoutDays - q.holdoutDays || p.holdoutSpend - q.holdoutSpend);
  const model = fitBgNbd(calibrated);
  const spend = fitSpend(calibrated);

  const groups = Array.from({ length: BACKTEST_TOP_GROUP + 1 }, (_, x) => ({ x, customers: 0, actual: 0, predicted: 0, actualSpend: 0, predictedSpend: 0 }));
  for (const c of calibrated) {
    const group = groups[Math.min(c.x, BACKTEST_TOP_GROUP)]!;
    const purchases = expectedPurchases(model, c.x, c.tx, c.T, holdoutLength);
    group.customers++;
    group.actual += c.holdoutDays;
    group.predicted += purchases;
    group.actualSpend += c.holdoutSpend;
    if (spend.status === 'OK') group.predictedSpend += purchases * expectedAverageValue(spend.model, c.x, c.x > 0 ? c.mx : null);
  }
  return {
    model,
    spend,
    holdoutLength,
    rows: groups
      .filter((g) => g.customers > 0)
      .map((g) => ({
        x: g.x,
        customers: g.customers,
        actualMean: g.actual / g.customers,
        predictedMean: g.predicted / g.customers,
        actualSpendMean: g.actualSpend / g.customers,
        predictedSpendMean: spend.status === 'OK' ? g.predictedSpend / g.customers : null,
      })),
  };
}

/** The Gamma-Gamma fit on the calibration summaries, or why it cannot predict spend. */
function fitSpend(calibrated: ReadonlyArray<{ x: number; mx: number | null }>): BacktestResult['spend'] {
  const spenders = calibrated.filter((c) => c.x > 0 && c.mx !== null && c.mx > 0).length;
  if (spenders < MIN_REPEAT_BUYERS_FOR_SPEND) {
    return { status: 'INSUFFICIENT_DATA', reason: `${spenders} repeat buyers with a positive repeat value; the spend model needs at least ${MIN_REPEAT_BUYERS_FOR_SPEND}`, model: null };
  }
  const model = fitGammaGamma(calibrated);
  if (!model.converged) return { status: 'INSUFFICIENT_DATA', reason: 'the spend model did not converge to an interior optimum', model };
  if (!(model.q > 1)) return { status: 'INSUFFICIENT_DATA', reason: 'the spend model has no finite mean (q <= 1)', model };
  return { status: 'OK', model };
}
