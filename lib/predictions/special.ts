/**
 * Special functions for the likelihoods, all in log space: the models multiply gamma functions of
 * arguments in the thousands and powers of large numbers, which overflow long before the ratios
 * the models need do.
 */

// Lanczos approximation with g = 7, n = 9 (the coefficients of Numerical Recipes 3rd ed. / Boost's
// "lanczos9"): about 15 significant digits over the positive reals, enough for log-likelihood sums
// in the tens of thousands to keep their first decimal.
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
] as const;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Given x (not a non-positive integer), returns ln|Γ(x)|. Lanczos for x ≥ 0.5, the reflection
 * formula below, so that the model code never has to care about which side it is on.
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (x <= 0 && Number.isInteger(x)) return Number.POSITIVE_INFINITY;
  if (x < 0.5) {
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  const z = x - 1;
  let series = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) {
    series += LANCZOS_COEFFICIENTS[i]! / (z + i);
  }
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(series);
}

/** Given ln u and ln v, returns ln(u + v) without leaving log space. */
export function logAddExp(logU: number, logV: number): number {
  if (logU === Number.NEGATIVE_INFINITY) return logV;
  if (logV === Number.NEGATIVE_INFINITY) return logU;
  return logU > logV ? logU + Math.log1p(Math.exp(logV - logU)) : logV + Math.log1p(Math.exp(logU - logV));
}

/** Thrown when the hypergeometric series has not converged within its term budget. */
export class HypergeometricConvergenceError extends Error {
  constructor(
    readonly a: number,
    readonly b: number,
    readonly c: number,
    readonly z: number,
  ) {
    super(`2F1(${a}, ${b}; ${c}; ${z}) did not converge`);
    this.name = 'HypergeometricConvergenceError';
  }
}

const MAX_SERIES_TERMS = 2_000_000;
const SERIES_RELATIVE_TOLERANCE = 1e-15;
const RESCALE_ABOVE = 1e250;

export interface SignedLog {
  /** ln |value| (-Infinity for 0). */
  log: number;
  sign: 1 | -1 | 0;
}

/**
 * Given real a, b, c (c not 0, -1, -2, ...) and 0 ≤ z < 1, returns ln|2F1(a, b; c; z)| and its
 * sign, the Gaussian hypergeometric function summed as its power series until the tail bound is
 * below 1e-15 of the sum. The sum is kept with a separate log scale, rescaled well before overflow:
 * with a large frequency x the BG/NBD series peaks above 1e100 when z is close to 1 (daily units, long
 * horizons). Throws HypergeometricConvergenceError if 2,000,000 terms are not enough (z within
 * about 1e-5 of 1).
 */
export function signedLog2F1(a: number, b: number, c: number, z: number): SignedLog {
  if (![a, b, c, z].every(Number.isFinite) || z < 0 || z >= 1 || (c <= 0 && Number.isInteger(c))) {
    throw new RangeError(`2F1 needs finite a, b, c (c not a non-positive integer) and 0 <= z < 1, got (${a}, ${b}, ${c}, ${z})`);
  }
  let logScale = 0;
  let term = 1;
  let sum = 1;
  let previousRatio = Number.POSITIVE_INFINITY;
  // Before every factor a + n, b + n, c + n is positive the terms may change sign and their ratios
  // say nothing about the tail.
  const signFree = Math.max(0, -a, -b, -c);
  for (let n = 0; n < MAX_SERIES_TERMS && z > 0; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (term === 0) break;
    // The ratio of successive terms tends to z, from above (falling) or from below (rising). Once it
    // is settled on that approach, the tail is bounded by a geometric series with ratio
    // max(ratio, z).
    const settled = n > signFree && (ratio <= previousRatio || ratio <= z);
    const bound = Math.max(ratio, z);
    if (settled && bound < 1 && (Math.abs(term) * bound) / (1 - bound) <= SERIES_RELATIVE_TOLERANCE * Math.abs(sum)) {
      return { log: logScale + Math.log(Math.abs(sum)), sign: Math.sign(sum) as 1 | -1 };
    }
    previousRatio = ratio;
    if (Math.abs(sum) > RESCALE_ABOVE) {
      const scale = Math.abs(sum);
      logScale += Math.log(scale);
      term /= scale;
      sum /= scale;
    }
    if (n === MAX_SERIES_TERMS - 1) throw new HypergeometricConvergenceError(a, b, c, z);
  }
  return sum === 0 ? { log: Number.NEGATIVE_INFINITY, sign: 0 } : { log: logScale + Math.log(Math.abs(sum)), sign: Math.sign(sum) as 1 | -1 };
}

/** Given a, b, c > 0 and 0 ≤ z < 1 (where every term is positive), returns ln 2F1(a, b; c; z). */
export function log2F1(a: number, b: number, c: number, z: number): number {
  if (!(a > 0 && b > 0 && c > 0)) throw new RangeError(`log2F1 needs a, b, c > 0, got (${a}, ${b}, ${c})`);
  return signedLog2F1(a, b, c, z).log;
}
