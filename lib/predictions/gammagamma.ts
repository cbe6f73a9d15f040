import { minimizePositive } from './optimize.js';
import { InvalidSummaryError, UndefinedExpectationError } from './predictions.errors.js';
import { lgamma } from './special.js';

/**
 * Gamma-Gamma spend model (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"): each
 * purchase's value is Gamma(p, ν), and ν ~ Gamma(q, γ) across customers, independent of the
 * purchase process. γ carries the unit of money: fitted on values in cents it is 100 times the
 * γ fitted on the same values in dollars, while p, q and the log-likelihood's maximiser do not
 * change (the log-likelihood itself moves by −(repeat buyers) × ln 100).
 */

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaFit extends GammaGammaParams {
  logLikelihood: number;
  iterations: number;
  /** Customers the fit used: those with x > 0 and a positive mean repeat value. */
  customers: number;
  converged: boolean;
  /** The parameters that ended on (within a factor of 50 of) an optimiser bound. */
  atBound: Array<keyof GammaGammaParams>;
}

const GAMMA_GAMMA_PARAMETERS = ['p', 'q', 'gamma'] as const;

/** A customer's repeat frequency x and mean repeat value m_x, or `count` customers sharing them. */
export interface FrequencyValue {
  x: number;
  mx: number | null;
  count?: number;
}

interface SpendData {
  xs: number[];
  rowX: Int32Array;
  logX: Float64Array;
  mx: Float64Array;
  logMx: Float64Array;
  weight: Float64Array;
  totalWeight: number;
}

function compileRows(rows: Iterable<FrequencyValue>, scale: (data: { mx: number; count: number }[]) => number): {
  data: SpendData;
  scale: number;
} {
  // Identical (x, m_x) pairs are common (one-repeat customers of the same product at the same
  // price), so they are merged like the BG/NBD rows.
  const byKey = new Map<string, { x: number; mx: number; count: number }>();
  for (const row of rows) {
    if (!Number.isInteger(row.x) || row.x < 0) throw new InvalidSummaryError('x', row.x);
    if (row.mx !== null && !Number.isFinite(row.mx)) throw new InvalidSummaryError('mx', row.mx);
    const count = row.count ?? 1;
    // x = 0 carries no repeat value, and a mean of 0 has zero density under a gamma: both are
    // outside the model rather than errors in the data.
    if (!(row.x > 0 && row.mx !== null && row.mx > 0 && count > 0)) continue;
    const key = `${row.x}|${row.mx}`;
    const existing = byKey.get(key);
    if (existing) existing.count += count;
    else byKey.set(key, { x: row.x, mx: row.mx, count });
  }
  // Sorted for an input-order-independent sum (see the BG/NBD rows).
  const kept = [...byKey.values()].sort((a, b) => a.x - b.x || a.mx - b.mx);
  const s = kept.length > 0 ? scale(kept) : 1;
  const xIndex = new Map<number, number>();
  const data: SpendData = {
    xs: [],
    rowX: new Int32Array(kept.length),
    logX: new Float64Array(kept.length),
    mx: new Float64Array(kept.length),
    logMx: new Float64Array(kept.length),
    weight: new Float64Array(kept.length),
    totalWeight: 0,
  };
  kept.forEach((row, i) => {
    let k = xIndex.get(row.x);
    if (k === undefined) {
      k = xIndex.size;
      xIndex.set(row.x, k);
      data.xs.push(row.x);
    }
    data.rowX[i] = k;
    data.logX[i] = Math.log(row.x);
    data.mx[i] = row.mx / s;
    data.logMx[i] = Math.log(row.mx / s);
    data.weight[i] = row.count;
    data.totalWeight += row.count;
  });
  return { data, scale: s };
}

function compiledLogLikelihood({ p, q, gamma }: GammaGammaParams, data: SpendData): number {
  const lgQ = lgamma(q);
  const qLogGamma = q * Math.log(gamma);
  const byX = data.xs.map((x) => lgamma(p * x + q) - lgamma(p * x) - lgQ + qLogGamma);
  let total = 0;
  for (let i = 0; i < data.weight.length; i++) {
    const x = data.xs[data.rowX[i]!]!;
    const px = p * x;
    total +=
      data.weight[i]! *
      (byX[data.rowX[i]!]! + (px - 1) * data.logMx[i]! + px * data.logX[i]! - (px + q) * Math.log(gamma + x * data.mx[i]!));
  }
  return total;
}

/**
 * Given parameters and customers' (x, m_x) rows, returns the Gamma-Gamma log-likelihood of the
 * observed mean repeat values (eq. 3 of the note), over rows with x > 0 and m_x > 0.
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, rows: Iterable<FrequencyValue>): number {
  return compiledLogLikelihood(params, compileRows(rows, () => 1).data);
}

/**
 * Given customers' (x, m_x) rows, returns the maximum likelihood Gamma-Gamma parameters, fitted on
 * the rows with x > 0 and a positive mean repeat value; γ is in the unit of m_x.
 */
export function fitGammaGamma(rows: Iterable<FrequencyValue>): GammaGammaFit {
  // The fit runs on m_x divided by its mean so that the starting points and bounds do not depend on
  // the currency's minor unit; γ and the log-likelihood are scaled back exactly afterwards.
  const { data, scale } = compileRows(rows, (kept) => {
    let sum = 0;
    let weight = 0;
    for (const row of kept) {
      sum += row.count * row.mx;
      weight += row.count;
    }
    return sum / weight;
  });
  if (data.totalWeight === 0) throw new InvalidSummaryError('rows', 'no customer with x > 0 and a positive mean value');
  const fit = minimizePositive(
    ([p, q, gamma]) => -compiledLogLikelihood({ p: p!, q: q!, gamma: gamma! }, data),
    {
      starts: [
        [1, 1, 1],
        [5, 3, 2],
        [0.5, 10, 5],
      ],
    },
  );
  const [p, q, gamma] = fit.x as [number, number, number];
  return {
    p,
    q,
    gamma: gamma * scale,
    logLikelihood: -fit.value - data.totalWeight * Math.log(scale),
    iterations: fit.iterations,
    customers: data.totalWeight,
    converged: fit.converged && !fit.atBound.some(Boolean),
    atBound: GAMMA_GAMMA_PARAMETERS.filter((_, i) => fit.atBound[i]),
  };
}

/**
 * Given parameters, a customer's repeat frequency x and mean repeat value m_x, returns
 * E[M | p, q, γ, m_x, x], the expected value of their future purchases (eq. 5 of the note), a
 * weighted mean of the population mean pγ/(q − 1) and m_x. For x = 0 (or no m_x) returns the
 * population mean; throws UndefinedExpectationError when that needs q ≤ 1.
 */
export function expectedAverageValue(params: GammaGammaParams, x: number, mx: number | null): number {
  const { p, q, gamma } = params;
  if (!Number.isInteger(x) || x < 0) throw new InvalidSummaryError('x', x);
  if (x === 0 || mx === null) {
    if (!(q > 1)) throw new UndefinedExpectationError('the population mean spend (q <= 1)');
    return (p * gamma) / (q - 1);
  }
  if (!(mx >= 0) || !Number.isFinite(mx)) throw new InvalidSummaryError('mx', mx);
  if (!(p * x + q > 1)) throw new UndefinedExpectationError('the conditional mean spend (px + q <= 1)');
  return (p * (gamma + x * mx)) / (p * x + q - 1);
}
