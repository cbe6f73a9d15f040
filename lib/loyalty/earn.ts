/**
 * Earn rules: how many points an order earns, and whether an action bonus may be granted now.
 * Pure: the service supplies the program, the member's tier, the amounts and the prior earns.
 *
 * Order points are `round(rate x eligible amount in major units x tier multiplier)`, computed on
 * exact rationals: the rate and multiplier are read as the decimals they were written as (0.1 is
 * 1/10), so 0.1 x 30.00 is exactly 3 and CEIL does not make it 4.
 */
import type { Tier } from './tiers.js';
import { DAY_MS, fromZoned, toMs, zonedParts } from './time.js';

export type Rounding = 'FLOOR' | 'ROUND' | 'CEIL';

export type ActionType =
  | 'SIGNUP'
  | 'FIRST_ORDER'
  | 'BIRTHDAY'
  | 'NEWSLETTER_OPT_IN'
  | 'SOCIAL_SHARE'
  | 'REVIEW'
  | 'SURVEY_COMPLETED'
  | 'REFERRAL'
  | `CUSTOM:${string}`;

/** Calendar periods are local to the tenant's time zone; rolling periods are 24-hour days. */
export type ActionLimit =
  | { type: 'ONCE_EVER' }
  | { type: 'PER_DAY'; max: number }
  | { type: 'PER_MONTH'; max: number }
  | { type: 'PER_YEAR'; max: number }
  | { type: 'PER_ROLLING_DAYS'; days: number; max: number };

export interface ActionRule {
  action: ActionType;
  points: number;
  enabled: boolean;
  /** All must allow the earn; empty means unlimited. */
  limits: ActionLimit[];
}

export interface EarnProgram {
  /** Points per major currency unit (1 per euro, 0.5, 10), read as the decimal it is written as. */
  pointsPerUnit: number;
  /** ROUND is half up. */
  rounding: Rounding;
  /** Earning amount is the subtotal after discounts, plus these when switched on. */
  includeShipping: boolean;
  includeTax: boolean;
  actions: ActionRule[];
}

/** An order or a cart, in minor units of `currencyCode`. */
export interface OrderAmounts {
  currencyCode: string;
  /** Item total before discounts. */
  subtotal: number;
  /** Total of order-level and item discounts, as a positive number. */
  discount: number;
  shipping: number;
  tax: number;
}

export interface OrderEarn {
  /** Minor units; what refunds are proportional to (pass it to `reverse`). */
  eligibleAmount: number;
  points: number;
}

export interface EarnPreview extends OrderEarn {
  currencyCode: string;
  /** Points without the tier multiplier. */
  basePoints: number;
  multiplier: number;
  /** `points - basePoints`: what the tier adds. */
  tierBonusPoints: number;
}

export type LimitReason = 'DISABLED' | ActionLimit['type'];

export type LimitCheck =
  | { allowed: true }
  | {
      allowed: false;
      reason: LimitReason;
      /** When the rule would allow it again; null for never (disabled, once ever). */
      retryAt: string | null;
    };

export type ActionBonus =
  | { allowed: true; points: number }
  | { allowed: false; reason: LimitReason | 'NOT_CONFIGURED'; retryAt: string | null };

/** Given a currency code, returns its number of minor-unit digits (EUR 2, JPY 0, KWD 3). */
export function currencyDigits(currencyCode: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency: currencyCode }).resolvedOptions()
    .maximumFractionDigits ?? 2;
}

/** Given a program and order amounts, returns the amount that earns points, in minor units. */
export function eligibleAmount(program: EarnProgram, amounts: OrderAmounts): number {
  for (const field of ['subtotal', 'discount', 'shipping', 'tax'] as const) {
    const value = amounts[field];
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${field} must be a non-negative integer, got ${value}`);
  }
  return (
    Math.max(0, amounts.subtotal - amounts.discount) +
    (program.includeShipping ? amounts.shipping : 0) +
    (program.includeTax ? amounts.tax : 0)
  );
}

/**
 * Given a program, a tier multiplier (1 without a tier) and order amounts, returns the eligible
 * amount and the points the order earns under the program's rounding.
 */
export function orderPoints(program: EarnProgram, multiplier: number, amounts: OrderAmounts): OrderEarn {
  const amount = eligibleAmount(program, amounts);
  const rate = toRational(program.pointsPerUnit, 'pointsPerUnit');
  const factor = toRational(multiplier, 'multiplier');
  const numerator = rate.num * factor.num * BigInt(amount);
  const denominator = rate.den * factor.den * 10n ** BigInt(currencyDigits(amounts.currencyCode));
  return { eligibleAmount: amount, points: Number(divide(numerator, denominator, program.rounding)) };
}

/**
 * Given a program, the member's tier (null for none) and a cart, returns what the cart would earn
 * as an order, split into base points and the tier's bonus. Writes nothing.
 */
export function earnPreview(program: EarnProgram, tier: Pick<Tier, 'multiplier'> | null, cart: OrderAmounts): EarnPreview {
  const multiplier = tier?.multiplier ?? 1;
  const base = orderPoints(program, 1, cart);
  const withTier = orderPoints(program, multiplier, cart);
  return {
    currencyCode: cart.currencyCode,
    eligibleAmount: withTier.eligibleAmount,
    basePoints: base.points,
    multiplier,
    tierBonusPoints: withTier.points - base.points,
    points: withTier.points,
  };
}

/**
 * Given an action rule, the instants at which this rule already earned for the member, the
 * current instant and the tenant's time zone, returns whether the rule allows another earn now;
 * if not, which limit refused and when it would allow one again.
 */
export function checkLimit(
  rule: ActionRule,
  priorEarnTimesForThisRule: readonly string[],
  at: string,
  timeZone: string,
): LimitCheck {
  if (!rule.enabled) return { allowed: false, reason: 'DISABLED', retryAt: null };
  const nowMs = toMs(at);
  const now = zonedParts(at, timeZone);
  const priors = priorEarnTimesForThisRule.map((t) => ({ ms: toMs(t), local: zonedParts(t, timeZone) }));

  const refusals: { reason: LimitReason; retryAt: string | null }[] = [];
  for (const limit of rule.limits) {
    if (limit.type === 'ONCE_EVER') {
      if (priors.length > 0) refusals.push({ reason: limit.type, retryAt: null });
      continue;
    }
    assertCount(limit.max, `${limit.type}.max`);
    switch (limit.type) {
      case 'PER_DAY': {
        const used = priors.filter((p) => p.local.year === now.year && p.local.month === now.month && p.local.day === now.day);
        if (used.length >= limit.max) {
          refusals.push({ reason: limit.type, retryAt: fromZoned({ year: now.year, month: now.month, day: now.day + 1 }, timeZone) });
        }
        break;
      }
      case 'PER_MONTH': {
        const used = priors.filter((p) => p.local.year === now.year && p.local.month === now.month);
        if (used.length >= limit.max) {
          refusals.push({ reason: limit.type, retryAt: fromZoned({ year: now.year, month: now.month + 1 }, timeZone) });
        }
        break;
      }
      case 'PER_YEAR': {
        const used = priors.filter((p) => p.local.year === now.year);
        if (used.length >= limit.max) refusals.push({ reason: limit.type, retryAt: fromZoned({ year: now.year + 1 }, timeZone) });
        break;
      }
      case 'PER_ROLLING_DAYS': {
        assertCount(limit.days, 'PER_ROLLING_DAYS.days');
        const windowMs = limit.days * DAY_MS;
        const used = priors
          .map((p) => p.ms)
          .filter((ms) => ms <= nowMs && nowMs - ms < windowMs)
          .sort((a, b) => a - b);
        const oldestToAge = used[used.length - limit.max];
        if (oldestToAge !== undefined) refusals.push({ reason: limit.type, retryAt: new Date(oldestToAge + windowMs).toISOString() });
        break;
      }
    }
  }
  if (refusals.length === 0) return { allowed: true };
  // The binding refusal is the one that lasts longest; "never" outlasts any date.
  const binding = refusals.reduce((worst, r) =>
    worst.retryAt === null || (r.retryAt !== null && r.retryAt <= worst.retryAt) ? worst : r,
  );
  return { allowed: false, ...binding };
}

/**
 * Given a program, an action, the instants this action already earned for the member, the current
 * instant and the tenant's time zone, returns the bonus to grant now, or why none is due.
 */
export function actionBonus(
  program: EarnProgram,
  action: ActionType,
  priorEarnTimesForThisRule: readonly string[],
  at: string,
  timeZone: string,
): ActionBonus {
  const rule = program.actions.find((r) => r.action === action);
  if (!rule) return { allowed: false, reason: 'NOT_CONFIGURED', retryAt: null };
  if (!Number.isSafeInteger(rule.points) || rule.points <= 0) {
    throw new RangeError(`Action ${action} must award a positive integer of points, got ${rule.points}`);
  }
  const check = checkLimit(rule, priorEarnTimesForThisRule, at, timeZone);
  return check.allowed ? { allowed: true, points: rule.points } : check;
}

interface Rational {
  num: bigint;
  den: bigint;
}

/** Reads a non-negative number as the shortest decimal that round-trips to it. */
function toRational(value: number, field: string): Rational {
  const match = Number.isFinite(value) && value >= 0 ? /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value)) : null;
  if (!match) throw new RangeError(`${field} must be a finite non-negative number, got ${value}`);
  const [, whole = '0', fraction = '', exponent = '0'] = match;
  const scale = fraction.length - Number(exponent);
  const digits = BigInt(whole + fraction);
  return scale >= 0 ? { num: digits, den: 10n ** BigInt(scale) } : { num: digits * 10n ** BigInt(-scale), den: 1n };
}

function divide(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  switch (rounding) {
    case 'FLOOR':
      return numerator / denominator;
    case 'CEIL':
      return (numerator + denominator - 1n) / denominator;
    case 'ROUND':
      return (2n * numerator + denominator) / (2n * denominator);
  }
}

function assertCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${field} must be a positive integer, got ${value}`);
}
