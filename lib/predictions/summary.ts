import { InvalidPurchaseError } from './predictions.errors.js';

/**
 * The per-customer RFM summary the models consume (METRICS.md, "Lifetime value"): purchases on the
 * same local calendar day are one purchase day, x counts the repeat purchase days, t_x and T run
 * from the first purchase day to the last one and to the as-of day.
 */

export type TimeUnit = 'day' | 'week';

export const DAYS_PER_UNIT: Readonly<Record<TimeUnit, number>> = { day: 1, week: 7 };

export interface Purchase {
  at: Date | number;
  /** Integer minor units, at least 0 (refunds are not purchases). */
  amount: number;
}

export interface CustomerSummary {
  /** Repeat purchase days: distinct purchase days up to the as-of day, minus the first. */
  x: number;
  /** From the first to the last purchase day, in the time unit. */
  tx: number;
  /** From the first purchase day to the as-of day, in the time unit. */
  T: number;
  /** Mean value of the repeat purchase days in minor units (a float), null when x = 0. */
  meanRepeatValue: number | null;
  firstPurchaseAt: Date;
  asOf: Date;
}

/**
 * What the aggregates keep per customer so that a summary can be produced at any later as-of date
 * without rescanning orders.
 *
 * Purchases can arrive late and out of order, and a late one can land on a day already counted
 * (no new purchase day) or before the first day (the old first day becomes a repeat). Telling
 * these apart needs the set of purchase days itself: any fixed-size digest (first, last, count)
 * would count a late same-day purchase twice. The state therefore holds one entry per distinct
 * purchase day, never per purchase, so it is bounded by the days a customer actually bought on: at
 * most 366 a year, i.e. about 3,700 pairs (roughly 45 KB of JSON) for a customer who bought every
 * single day for ten years, well inside a 400 KB DynamoDB item; a typical customer has a handful.
 * Keeping the amount per day (rather than one repeat-value sum) is what lets a summary be cut at
 * an earlier as-of date, which the holdout backtest needs.
 */
export interface SummaryState {
  /** The IANA time zone whose calendar days define a purchase day. */
  timeZone: string;
  /** Epoch ms of the earliest purchase seen, null before the first. */
  firstPurchaseAt: number | null;
  /** Sorted distinct local dates, as days since 1970-01-01. */
  days: number[];
  /** Per-day totals in minor units, aligned with `days`. */
  amounts: number[];
}

const MS_PER_DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function toEpochMs(at: Date | number): number {
  const ms = at instanceof Date ? at.getTime() : at;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new InvalidPurchaseError('at', at);
  return ms;
}

/**
 * Given an instant and an IANA time zone, returns its local calendar date there as a day number
 * (days since 1970-01-01), so that day differences are whole calendar days whatever the offset or
 * daylight saving. Throws RangeError for an unknown time zone.
 */
export function localDayNumber(at: Date | number, timeZone = 'UTC'): number {
  const ms = toEpochMs(at);
  if (timeZone === 'UTC') return Math.floor(ms / MS_PER_DAY);
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    formatters.set(timeZone, formatter);
  }
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of formatter.formatToParts(ms)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
  }
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

/** Given an IANA time zone (default UTC), returns the state of a customer with no purchases yet. */
export function emptySummaryState(timeZone = 'UTC'): SummaryState {
  // Fail on an unknown zone now (Intl throws RangeError) rather than at the first purchase.
  localDayNumber(0, timeZone);
  return { timeZone, firstPurchaseAt: null, days: [], amounts: [] };
}

// Index of the first day > day (the number of days <= day).
function upperBound(days: readonly number[], day: number): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid]! <= day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function addPurchaseInPlace(state: SummaryState, purchase: Purchase): void {
  const ms = toEpochMs(purchase.at);
  if (!Number.isSafeInteger(purchase.amount) || purchase.amount < 0) {
    throw new InvalidPurchaseError('amount', purchase.amount);
  }
  const day = localDayNumber(ms, state.timeZone);
  state.firstPurchaseAt = state.firstPurchaseAt === null ? ms : Math.min(state.firstPurchaseAt, ms);
  const at = upperBound(state.days, day);
  if (at > 0 && state.days[at - 1] === day) {
    state.amounts[at - 1]! += purchase.amount;
  } else {
    state.days.splice(at, 0, day);
    state.amounts.splice(at, 0, purchase.amount);
  }
}

/**
 * Given a summary state and one purchase, returns the new state (the input is not modified). The
 * result does not depend on the order purchases are applied in; applying the same purchase twice
 * counts it twice, so callers apply each order once (the aggregates' idempotency).
 */
export function applyPurchase(state: SummaryState, purchase: Purchase): SummaryState {
  const next: SummaryState = { ...state, days: [...state.days], amounts: [...state.amounts] };
  addPurchaseInPlace(next, purchase);
  return next;
}

/**
 * Given a summary state, an as-of instant and a time unit, returns the customer's summary counting
 * only purchase days up to and including the as-of instant's local date, or null when the customer
 * had not bought by then. T is the number of calendar days from the first purchase date to the
 * as-of date (so 1997-01-01 to 1997-09-30 is 272 days, 38.86 weeks: the CDNOW convention).
 */
export function summarizeState(state: SummaryState, asOf: Date | number, unit: TimeUnit): CustomerSummary | null {
  const asOfDay = localDayNumber(asOf, state.timeZone);
  const count = upperBound(state.days, asOfDay);
  if (count === 0 || state.firstPurchaseAt === null) return null;
  const perUnit = DAYS_PER_UNIT[unit];
  const firstDay = state.days[0]!;
  let repeatValue = 0;
  for (let i = 1; i < count; i++) repeatValue += state.amounts[i]!;
  const x = count - 1;
  return {
    x,
    tx: (state.days[count - 1]! - firstDay) / perUnit,
    T: (asOfDay - firstDay) / perUnit,
    meanRepeatValue: x > 0 ? repeatValue / x : null,
    firstPurchaseAt: new Date(state.firstPurchaseAt),
    asOf: new Date(toEpochMs(asOf)),
  };
}

/** Given purchases and a time zone, returns the summary state holding all of them. */
export function summaryStateOf(purchases: Iterable<Purchase>, timeZone = 'UTC'): SummaryState {
  const state = emptySummaryState(timeZone);
  for (const purchase of purchases) addPurchaseInPlace(state, purchase);
  return state;
}

export interface SummarizeOptions {
  /** The last instant of the calibration period; its local date is included. */
  calibrationEnd: Date | number;
  unit: TimeUnit;
  /** IANA time zone defining calendar days (default UTC). */
  timeZone?: string;
}

/**
 * Given one customer's purchases (any order) and a calibration end, returns their summary over the
 * purchases up to the calibration end's local date, or null if they had none by then.
 */
export function summarizePurchases(purchases: Iterable<Purchase>, options: SummarizeOptions): CustomerSummary | null {
  return summarizeState(summaryStateOf(purchases, options.timeZone), options.calibrationEnd, options.unit);
}
