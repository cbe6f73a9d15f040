import { z } from 'zod';
import { DomainError } from './errors.js';

/**
 * Bounds on every amount the API accepts, chosen so that no stored sum can pass 2^53 - 1, the
 * largest integer a JSON number (and so the `MinorUnits` / `SafeInt` scalars) carries exactly.
 *
 * One amount is at most 10^12 minor units: 10 billion EUR, 1 trillion JPY. A customer's total
 * spent therefore needs 9,007 maximal orders to reach 2^53 - 1; the write that would pass it is
 * refused (`SumLimitError`), as is a loyalty write that would take an account's points past it.
 */
export const maxAmount = 1_000_000_000_000;

/** The most points one input may move (an adjustment, an action's bonus, a reward's cost). */
export const maxPoints = 100_000_000;

/** The largest integer every stored sum keeps exactly (2^53 - 1). */
export const maxSafeSum = Number.MAX_SAFE_INTEGER;

/** Given optional tighter bounds, returns the zod schema of one amount in minor units. */
export function minorUnits(bounds: { min?: number; max?: number } = {}) {
  return z
    .number()
    .int()
    .min(bounds.min ?? 0)
    .max(Math.min(bounds.max ?? maxAmount, maxAmount));
}

/** Given optional bounds within ±maxPoints, returns the zod schema of one points amount. */
export function pointsAmount(bounds: { min?: number; max?: number } = {}) {
  return z
    .number()
    .int()
    .min(Math.max(bounds.min ?? 1, -maxPoints))
    .max(Math.min(bounds.max ?? maxPoints, maxPoints));
}

/** A threshold compared with a stored sum (a tier's points or amount): any safe, non-negative integer. */
export function safeThreshold() {
  return z.number().int().min(0).max(maxSafeSum);
}

/** A stored sum (total spent, a points balance) would pass 2^53 - 1; nothing was written. */
export class SumLimitError extends DomainError {
  readonly code = 'SUM_LIMIT_REACHED' as const;
  constructor(
    readonly sum: string,
    field?: string[],
  ) {
    super(`This would take ${sum} past ${maxSafeSum}, the largest amount stored exactly`, field);
  }
}

/** Throws SumLimitError when any of the named sums is not a safe integer (a stored total past 2^53 - 1). */
export function assertSafeSums(sums: Record<string, number>, field?: string[]): void {
  for (const [name, value] of Object.entries(sums)) {
    if (!Number.isSafeInteger(value)) throw new SumLimitError(name, field);
  }
}
