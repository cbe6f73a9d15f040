/**
 * RFM scores, RFM groups and churn risk: pure rules over a customer's activity.
 *
 * - Recency = whole days since the last counted order, frequency = counted orders, monetary =
 *   historic value (revenue net of refunds). Each is scored 1-5 against the tenant's quintile
 *   thresholds (the 20th, 40th, 60th and 80th percentiles of all customers): a value scores
 *   1 + the number of thresholds it exceeds (for recency, 5 minus that). Ties share a score.
 * - The group comes from the recency and frequency scores (the usual R x F grid; monetary is
 *   reported, not used): see `rfmGroupOf`.
 * - Churn risk compares the days since the last order with the customer's own mean interval
 *   between order days, or the shop's median of those intervals for one-order customers.
 */
import { RFM_GROUPS, type RfmGroup } from '../customers/index.js';
import { historicValueOf, type CustomerActivity, type RevenueBasis } from './contribution.js';

export { RFM_GROUPS, type RfmGroup };


const DAY_MS = 86_400_000;

/** What RFM needs of a customer: null when they have no counted order. */
export interface RfmValues {
  readonly recencyDays: number;
  readonly frequency: number;
  readonly monetary: number;
  /** Epoch ms of the last counted order. */
  readonly lastOrderAt: number;
  /** Mean days between distinct order days; null with fewer than two. */
  readonly meanIntervalDays: number | null;
}

/** Given an activity and an instant, returns the customer's RFM values, or null without counted orders. */
export function rfmValuesOf(activity: CustomerActivity, now: Date, basis: RevenueBasis = 'TOTAL'): RfmValues | null {
  const counted = Object.values(activity.orders).filter((order) => order.status !== 'CANCELLED');
  if (counted.length === 0) return null;
  const lastOrderAt = Math.max(...counted.map((order) => order.placedAt));
  const days = [...new Set(counted.map((order) => Math.floor(order.placedAt / DAY_MS)))].sort((a, b) => a - b);
  return {
    recencyDays: Math.max(0, Math.floor((now.getTime() - lastOrderAt) / DAY_MS)),
    frequency: counted.length,
    monetary: historicValueOf(activity, basis),
    lastOrderAt,
    meanIntervalDays: days.length < 2 ? null : ((days.at(-1) as number) - (days[0] as number)) / (days.length - 1),
  };
}

/** Given values, returns the 20th, 40th, 60th and 80th percentiles (nearest rank); empty for no values. */
export function quintileThresholds(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const sorted = [...values].sort((a, b) => a - b);
  return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number);
}

/**
 * Given a value and quintile thresholds, returns its score 1-5: 1 + the thresholds it exceeds, or
 * with `lowerIsBetter` (recency) 5 − the thresholds it exceeds, so both ends are symmetric.
 */
export function quintileScore(value: number, thresholds: readonly number[], lowerIsBetter = false): number {
  const exceeded = thresholds.filter((threshold) => value > threshold).length;
  return lowerIsBetter ? thresholds.length + 1 - exceeded : 1 + exceeded;
}

/** Given recency and frequency scores (1-5), returns the RFM group. */
export function rfmGroupOf(recency: number, frequency: number): RfmGroup {
  if (recency === 1 && frequency === 1) return 'LOST';
  if (recency <= 2) return frequency <= 2 ? 'HIBERNATING' : frequency <= 4 ? 'AT_RISK' : 'CANNOT_LOSE';
  if (recency === 3) return frequency <= 2 ? 'ABOUT_TO_SLEEP' : frequency === 3 ? 'NEEDS_ATTENTION' : 'LOYAL';
  if (frequency === 1) return recency === 4 ? 'PROMISING' : 'NEW';
  if (frequency <= 3) return 'POTENTIAL_LOYALIST';
  return recency === 5 ? 'CHAMPIONS' : 'LOYAL';
}

export interface RfmThresholds {
  readonly recency: readonly number[];
  readonly frequency: readonly number[];
  readonly monetary: readonly number[];
}

export interface RfmScores {
  readonly recency: number;
  readonly frequency: number;
  readonly monetary: number;
  readonly group: RfmGroup;
}

/** Given a customer's values and the tenant's thresholds, returns their scores and group. */
export function rfmScoresOf(values: RfmValues, thresholds: RfmThresholds): RfmScores {
  const recency = quintileScore(values.recencyDays, thresholds.recency, true);
  const frequency = quintileScore(values.frequency, thresholds.frequency);
  return { recency, frequency, monetary: quintileScore(values.monetary, thresholds.monetary), group: rfmGroupOf(recency, frequency) };
}

export type ChurnRiskLevel = 'LOW' | 'MEDIUM' | 'HIGH';

export interface ChurnRisk {
  readonly level: ChurnRiskLevel;
  readonly daysSinceLastOrder: number;
  /** The interval used: the customer's own mean, else the shop's median; null when neither exists. */
  readonly typicalIntervalDays: number | null;
  readonly expectedNextOrderAt: Date | null;
}

/**
 * Given a customer's values and the shop's median interval (days, or null), returns the churn
 * risk: LOW while the days since the last order are within the typical interval, MEDIUM up to
 * twice it, HIGH beyond; without any interval, HIGH after a year and LOW before.
 */
export function churnRiskOf(values: RfmValues, shopMedianIntervalDays: number | null): ChurnRisk {
  const interval = values.meanIntervalDays ?? shopMedianIntervalDays;
  const days = values.recencyDays;
  const level: ChurnRiskLevel = interval === null ? (days > 365 ? 'HIGH' : 'LOW') : days <= interval ? 'LOW' : days <= 2 * interval ? 'MEDIUM' : 'HIGH';
  return {
    level,
    daysSinceLastOrder: days,
    typicalIntervalDays: interval,
    expectedNextOrderAt: interval === null ? null : new Date(values.lastOrderAt + Math.round(interval * DAY_MS)),
  };
}

/** Given values, returns their median (mean of the two middle ones), or null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
