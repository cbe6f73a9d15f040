/**
 * Throttle plans, Shopify's leaky bucket: a bucket holds `bucketSize` cost points and refills
 * `restorePerSecond` of them each second. A shop's `plan` picks one; a shop without is STANDARD.
 */
export const throttlePlans = {
  /** Shopify's Admin API standard plan: a full bucket serves a 2,000-point burst, then 100 points/s. */
  STANDARD: { bucketSize: 2_000, restorePerSecond: 100 },
  /** Shopify Plus-like: ten times the standard plan. */
  PLUS: { bucketSize: 20_000, restorePerSecond: 1_000 },
} as const;

export type ThrottlePlanName = keyof typeof throttlePlans;
export type ThrottlePlan = (typeof throttlePlans)[ThrottlePlanName];

/** Given a shop's plan name (possibly absent or unknown), returns its plan. */
export function planOf(name: string | null | undefined): ThrottlePlan {
  return name && name in throttlePlans ? throttlePlans[name as ThrottlePlanName] : throttlePlans.STANDARD;
}
