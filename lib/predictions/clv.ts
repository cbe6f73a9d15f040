import { expectedPurchases, fitBgNbd, probabilityAlive, type BgNbdFit, type BgNbdParams } from './bgnbd.js';
import { expectedAverageValue, fitGammaGamma, type GammaGammaFit, type GammaGammaParams } from './gammagamma.js';
import { DAYS_PER_UNIT, type CustomerSummary, type TimeUnit } from './summary.js';

/**
 * Per-customer predictions from a fitted BG/NBD and Gamma-Gamma pair, and the decision whether a
 * shop has enough data for the pair to be worth fitting at all.
 */

/** Below this many customers the four BG/NBD parameters are not identified well enough to report. */
export const MIN_CUSTOMERS = 200;
/** With no repeat buyer the dropout process is unobservable and the BG/NBD fit runs to its bounds. */
export const MIN_REPEAT_BUYERS = 1;
/** The spend model estimates three parameters from repeat buyers' mean values alone. */
export const MIN_REPEAT_BUYERS_FOR_SPEND = 20;
/** expectedNextOrderAt looks this far ahead at most; a customer not expected to buy by then gets null. */
export const NEXT_ORDER_MAX_DAYS = 365;

export interface PredictionModels {
  /** The time unit of the summaries the models were fitted on (α and every t_x, T are in it). */
  unit: TimeUnit;
  bgnbd: BgNbdParams;
  gammaGamma: GammaGammaParams;
}

export interface CustomerPrediction {
  probabilityAlive: number;
  /** Expected purchase days within the horizon. */
  expectedPurchases: number;
  /** Expected value of each future purchase day, in minor units (a float). */
  expectedAverageOrderValue: number;
  /** expectedPurchases × expectedAverageOrderValue in minor units, undiscounted. */
  predictedValue: number;
  /**
   * The first day by which the customer is expected to have made one more purchase, i.e. the
   * smallest horizon t with E[Y(t) | x, t_x, T] ≥ 1, to the day; null when that takes more than
   * NEXT_ORDER_MAX_DAYS (or never happens: a customer likely gone has E[Y(∞)] < 1).
   */
  expectedNextOrderAt: Date | null;
}

export type DataAssessment = { status: 'OK' } | { status: 'INSUFFICIENT_DATA'; reason: string };

/**
 * Given the customers' summaries, returns OK when there are at least MIN_CUSTOMERS customers and
 * MIN_REPEAT_BUYERS_FOR_SPEND repeat buyers with a positive mean repeat value, or
 * INSUFFICIENT_DATA with the first reason it is not so.
 */
export function assessData(summaries: readonly Pick<CustomerSummary, 'x' | 'meanRepeatValue'>[]): DataAssessment {
  if (summaries.length < MIN_CUSTOMERS) {
    return {
      status: 'INSUFFICIENT_DATA',
      reason: `${summaries.length} customers; the model needs at least ${MIN_CUSTOMERS}`,
    };
  }
  const repeatBuyers = summaries.filter((s) => s.x > 0).length;
  if (repeatBuyers < MIN_REPEAT_BUYERS) {
    return { status: 'INSUFFICIENT_DATA', reason: 'no customer has bought more than once' };
  }
  const spenders = summaries.filter((s) => s.x > 0 && s.meanRepeatValue !== null && s.meanRepeatValue > 0).length;
  if (spenders < MIN_REPEAT_BUYERS_FOR_SPEND) {
    return {
      status: 'INSUFFICIENT_DATA',
      reason: `${spenders} repeat buyers with a positive repeat value; the spend model needs at least ${MIN_REPEAT_BUYERS_FOR_SPEND}`,
    };
  }
  return { status: 'OK' };
}

export type ModelFit =
  | { status: 'OK'; models: PredictionModels; bgnbd: BgNbdFit; gammaGamma: GammaGammaFit }
  | { status: 'INSUFFICIENT_DATA'; reason: string; atBound?: string[] };

/**
 * Given the customers' summaries in one time unit, returns both fitted models, or
 * INSUFFICIENT_DATA with a reason when assessData rejects the data or a fit does not yield usable
 * numbers (a parameter on its bound, or a spend model with no finite mean, q ≤ 1).
 */
export function fitPredictionModels(summaries: readonly CustomerSummary[], unit: TimeUnit): ModelFit {
  const assessment = assessData(summaries);
  if (assessment.status !== 'OK') return assessment;
  const bgnbd = fitBgNbd(summaries);
  if (!bgnbd.converged) {
    return { status: 'INSUFFICIENT_DATA', reason: `the purchase model did not converge to an interior optimum${onBound(bgnbd.atBound)}`, atBound: bgnbd.atBound };
  }
  const gammaGamma = fitGammaGamma(summaries.map((s) => ({ x: s.x, mx: s.meanRepeatValue })));
  if (!gammaGamma.converged) {
    return { status: 'INSUFFICIENT_DATA', reason: `the spend model did not converge to an interior optimum${onBound(gammaGamma.atBound)}`, atBound: gammaGamma.atBound };
  }
  if (!(gammaGamma.q > 1)) {
    return { status: 'INSUFFICIENT_DATA', reason: 'the spend model has no finite mean (q <= 1)' };
  }
  const models: PredictionModels = {
    unit,
    bgnbd: { r: bgnbd.r, alpha: bgnbd.alpha, a: bgnbd.a, b: bgnbd.b },
    gammaGamma: { p: gammaGamma.p, q: gammaGamma.q, gamma: gammaGamma.gamma },
  };
  return { status: 'OK', models, bgnbd, gammaGamma };
}

/** Given the parameters left on a bound, returns the clause that names them ('' when none). */
export function onBound(parameters: readonly string[]): string {
  return parameters.length === 0 ? '' : ` (${parameters.join(', ')} on an optimiser bound: the data does not pin ${parameters.length === 1 ? 'it' : 'them'} down)`;
}

const MS_PER_DAY = 86_400_000;

/**
 * Given fitted models, a customer's summary (in the models' time unit) and a horizon (a length in
 * `horizonUnit`, default days), returns the customer's probability of being alive, expected
 * purchases and value within the horizon, and the expected date of their next order counted from
 * the summary's as-of date.
 */
export function predictCustomer(
  models: PredictionModels,
  summary: CustomerSummary,
  horizon: number,
  horizonUnit: TimeUnit = 'day',
): CustomerPrediction {
  const { x, tx, T } = summary;
  const toModelUnits = DAYS_PER_UNIT[horizonUnit] / DAYS_PER_UNIT[models.unit];
  const purchases = expectedPurchases(models.bgnbd, x, tx, T, horizon * toModelUnits);
  const averageValue = expectedAverageValue(models.gammaGamma, x, x > 0 ? summary.meanRepeatValue : null);
  const nextOrderDays = daysToExpectedNextOrder(models, summary);
  return {
    probabilityAlive: probabilityAlive(models.bgnbd, x, tx, T),
    expectedPurchases: purchases,
    expectedAverageOrderValue: averageValue,
    predictedValue: purchases * averageValue,
    expectedNextOrderAt: nextOrderDays === null ? null : new Date(summary.asOf.getTime() + nextOrderDays * MS_PER_DAY),
  };
}

// E[Y(t)] rises with t, so bisection on whole days finds the first day it reaches 1 in about
// log2(365) ≈ 9 evaluations: cheap enough to run for every customer of a large shop.
function daysToExpectedNextOrder(models: PredictionModels, summary: CustomerSummary): number | null {
  const perUnit = DAYS_PER_UNIT[models.unit];
  const expectedBy = (days: number): number =>
    expectedPurchases(models.bgnbd, summary.x, summary.tx, summary.T, days / perUnit);
  if (expectedBy(NEXT_ORDER_MAX_DAYS) < 1) return null;
  let lo = 0;
  let hi = NEXT_ORDER_MAX_DAYS;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (expectedBy(mid) >= 1) hi = mid;
    else lo = mid;
  }
  return hi;
}
