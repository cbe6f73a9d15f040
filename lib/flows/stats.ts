import jstatModule from 'jstat';

// jstat is CommonJS: its namespace arrives as the default export under ESM.
const { jStat } = jstatModule as unknown as typeof import('jstat');

/** Two-sided standard normal quantile for a confidence level (0.95 → 1.959963…). */
export function zFor(confidence: number): number {
  return jStat.normal.inv(1 - (1 - confidence) / 2, 0, 1);
}

export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Given `x` successes in `n` trials, returns Wilson's score interval for the proportion
 * (Newcombe 1998's method 3, the building block of the hybrid score interval).
 */
export function wilsonInterval(x: number, n: number, confidence = 0.95): Interval {
  if (n <= 0) return { lower: 0, upper: 1 };
  const z = zFor(confidence);
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  return { lower: Math.max(0, (centre - spread) / denominator), upper: Math.min(1, (centre + spread) / denominator) };
}

export interface DifferenceOfProportions extends Interval {
  /** p1 − p2. */
  difference: number;
}

/**
 * Given x1/n1 and x2/n2, returns p1 − p2 with Newcombe's hybrid score interval (1998, method 10):
 * each proportion's Wilson interval, combined by the square-and-add rule. It behaves at 0 and 1 and
 * with small groups, where the Wald interval does not (a holdout is small by design).
 */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): DifferenceOfProportions {
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p2 = n2 > 0 ? x2 / n2 : 0;
  const a = wilsonInterval(x1, n1, confidence);
  const b = wilsonInterval(x2, n2, confidence);
  const difference = p1 - p2;
  return {
    difference,
    lower: difference - Math.sqrt((p1 - a.lower) ** 2 + (b.upper - p2) ** 2),
    upper: difference + Math.sqrt((a.upper - p1) ** 2 + (p2 - b.lower) ** 2),
  };
}

/**
 * Given x1/n1 and x2/n2, returns the two-sided p-value of the pooled two-proportion z-test of
 * p1 = p2; 1 when there is nothing to compare (an empty group, or no variance at all).
 */
export function twoProportionPValue(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return 1;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 1;
  const z = (x1 / n1 - x2 / n2) / se;
  return Math.min(1, 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1)));
}

/** A group's values summarised by sums, as the counters keep them: n, Σx, Σx². */
export interface Moments {
  n: number;
  sum: number;
  sumOfSquares: number;
}

export interface DifferenceOfMeans extends Interval {
  /** mean1 − mean2. */
  difference: number;
  /** Welch–Satterthwaite degrees of freedom; null when the interval is undefined. */
  degreesOfFreedom: number | null;
}

function meanAndVariance({ n, sum, sumOfSquares }: Moments): { mean: number; variance: number } {
  const mean = n > 0 ? sum / n : 0;
  // Σx² − n·mean², over n − 1; clamped because rounding can leave a tiny negative.
  const variance = n > 1 ? Math.max(0, (sumOfSquares - n * mean * mean) / (n - 1)) : 0;
  return { mean, variance };
}

/**
 * Given two groups' moments, returns mean1 − mean2 with Welch's interval (unequal variances).
 * With fewer than two values in a group, or no variance in either, the interval is the point
 * itself widened to nothing (lower = upper = difference) and `degreesOfFreedom` is null.
 */
export function welchDifference(first: Moments, second: Moments, confidence = 0.95): DifferenceOfMeans {
  const a = meanAndVariance(first);
  const b = meanAndVariance(second);
  const difference = a.mean - b.mean;
  const va = first.n > 0 ? a.variance / first.n : 0;
  const vb = second.n > 0 ? b.variance / second.n : 0;
  const se2 = va + vb;
  if (first.n < 2 || second.n < 2 || se2 === 0) return { difference, lower: difference, upper: difference, degreesOfFreedom: null };
  const df = (se2 * se2) / ((va * va) / (first.n - 1) + (vb * vb) / (second.n - 1));
  const t = jStat.studentt.inv(1 - (1 - confidence) / 2, df);
  const half = t * Math.sqrt(se2);
  return { difference, lower: difference - half, upper: difference + half, degreesOfFreedom: df };
}

/**
 * Given two conversion rates, returns the entries each group needs for a two-sided test at
 * `alpha` to detect their difference with `power` (normal approximation, Fleiss without the
 * continuity correction), scaled to unequal groups by `ratio` = n2 / n1. Null when the rates are
 * equal (no sample size detects a zero difference).
 */
export function sampleSizeForPower(p1: number, p2: number, ratio: number, alpha = 0.05, power = 0.8): { first: number; second: number } | null {
  const delta = Math.abs(p1 - p2);
  if (delta === 0 || ratio <= 0) return null;
  const zAlpha = jStat.normal.inv(1 - alpha / 2, 0, 1);
  const zBeta = jStat.normal.inv(power, 0, 1);
  const pBar = (p1 + ratio * p2) / (1 + ratio);
  const root = zAlpha * Math.sqrt(pBar * (1 - pBar) * (1 + 1 / ratio)) + zBeta * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / ratio);
  const first = Math.ceil((root * root) / (delta * delta));
  return { first, second: Math.ceil(first * ratio) };
}
