import { minimizePositive } from './optimize.js';
import { InvalidSummaryError } from './predictions.errors.js';
import { lgamma, logAddExp, signedLog2F1 } from './special.js';

/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): while alive a customer
 * buys as a Poisson process with rate λ ~ Gamma(r, α); after each purchase they drop out with
 * probability p ~ Beta(a, b). α is in the time unit of the summaries; r, a, b have no unit.
 */

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit extends BgNbdParams {
  logLikelihood: number;
  /** Nelder–Mead iterations over all starts and restarts. */
  iterations: number;
  /** Customers the fit saw (the sum of the row counts). */
  customers: number;
  /** Whether the optimiser met its tolerances with no parameter on a bound. */
  converged: boolean;
  /** The parameters that ended on (within a factor of 50 of) an optimiser bound: the data did not pin them down. */
  atBound: Array<keyof BgNbdParams>;
}

/** A customer's (x, t_x, T), or `count` customers sharing it. */
export interface FrequencyRecency {
  x: number;
  tx: number;
  T: number;
  count?: number;
}

const BGNBD_PARAMETERS = ['r', 'alpha', 'a', 'b'] as const;

function validateRow(row: FrequencyRecency): void {
  if (!Number.isInteger(row.x) || row.x < 0) throw new InvalidSummaryError('x', row.x);
  if (!(row.T >= 0) || !Number.isFinite(row.T)) throw new InvalidSummaryError('T', row.T);
  if (!(row.tx >= 0 && row.tx <= row.T)) throw new InvalidSummaryError('tx', row.tx);
  if (row.count !== undefined && !(row.count >= 0 && Number.isFinite(row.count))) {
    throw new InvalidSummaryError('count', row.count);
  }
}

/**
 * The rows indexed by their distinct x, t_x and T values, so that one likelihood evaluation costs
 * one lgamma triple per distinct x and one log per distinct t_x and T, and only a log-sum-exp per
 * distinct (x, t_x, T) row.
 */
interface CompiledRows {
  xs: number[];
  txs: number[];
  Ts: number[];
  rowX: Int32Array;
  rowTx: Int32Array;
  rowT: Int32Array;
  weight: Float64Array;
  totalWeight: number;
}

function indexOf(values: Map<number, number>, value: number): number {
  let index = values.get(value);
  if (index === undefined) {
    index = values.size;
    values.set(value, index);
  }
  return index;
}

function compileRows(rows: Iterable<FrequencyRecency>): CompiledRows {
  const byKey = new Map<string, { x: number; tx: number; T: number; count: number }>();
  for (const row of rows) {
    validateRow(row);
    // t_x is meaningless without a repeat purchase; folding it to 0 merges more rows.
    const tx = row.x === 0 ? 0 : row.tx;
    const key = `${row.x}|${tx}|${row.T}`;
    const existing = byKey.get(key);
    if (existing) existing.count += row.count ?? 1;
    else byKey.set(key, { x: row.x, tx, T: row.T, count: row.count ?? 1 });
  }
  const xIndex = new Map<number, number>();
  const txIndex = new Map<number, number>();
  const TIndex = new Map<number, number>();
  // Sorted, so the likelihood sums its terms in the same order whatever order the customers came
  // in (storage page order, file order): the same data always gives the bit-identical fit.
  const sorted = [...byKey.values()].sort((p, q) => p.x - q.x || p.tx - q.tx || p.T - q.T);
  const n = sorted.length;
  const compiled: CompiledRows = {
    xs: [],
    txs: [],
    Ts: [],
    rowX: new Int32Array(n),
    rowTx: new Int32Array(n),
    rowT: new Int32Array(n),
    weight: new Float64Array(n),
    totalWeight: 0,
  };
  let i = 0;
  for (const row of sorted) {
    compiled.rowX[i] = indexOf(xIndex, row.x);
    compiled.rowTx[i] = indexOf(txIndex, row.tx);
    compiled.rowT[i] = indexOf(TIndex, row.T);
    compiled.weight[i] = row.count;
    compiled.totalWeight += row.count;
    i++;
  }
  compiled.xs = [...xIndex.keys()];
  compiled.txs = [...txIndex.keys()];
  compiled.Ts = [...TIndex.keys()];
  return compiled;
}

/** The number of distinct (x, t_x, T) rows the fit actually iterates over. */
export function distinctRowCount(rows: Iterable<FrequencyRecency>): number {
  return compileRows(rows).weight.length;
}

function compiledLogLikelihood(params: BgNbdParams, data: CompiledRows): number {
  const { r, alpha, a, b } = params;
  const logAlpha = Math.log(alpha);
  // The x-free part of ln[Γ(r+x) α^r / Γ(r)] + ln[B(a, b+x) / B(a, b)].
  const constant = r * logAlpha - lgamma(r) + lgamma(a + b) - lgamma(b);
  const logA = Math.log(a);
  const nx = data.xs.length;
  const byX = new Float64Array(nx);
  const dropTerm = new Float64Array(nx);
  for (let k = 0; k < nx; k++) {
    const x = data.xs[k]!;
    byX[k] = constant + lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x);
    // ln[B(a+1, b+x-1) / B(a, b+x)] = ln a - ln(b+x-1): the "died after the last purchase" term,
    // absent when x = 0 (there was no purchase after which to drop out).
    dropTerm[k] = x > 0 ? logA - Math.log(b + x - 1) : Number.NEGATIVE_INFINITY;
  }
  const logAlphaTx = data.txs.map((tx) => Math.log(alpha + tx));
  const logAlphaT = data.Ts.map((T) => Math.log(alpha + T));

  let total = 0;
  for (let i = 0; i < data.weight.length; i++) {
    const k = data.rowX[i]!;
    const x = data.xs[k]!;
    const alive = -(r + x) * logAlphaT[data.rowT[i]!]!;
    const dead = x > 0 ? dropTerm[k]! - (r + x) * logAlphaTx[data.rowTx[i]!]! : Number.NEGATIVE_INFINITY;
    total += data.weight[i]! * (byX[k]! + logAddExp(alive, dead));
  }
  return total;
}

/**
 * Given parameters and customers' (x, t_x, T) rows, returns the BG/NBD log-likelihood (eq. 6 of
 * the paper), each row weighted by its count.
 */
export function bgNbdLogLikelihood(params: BgNbdParams, rows: Iterable<FrequencyRecency>): number {
  return compiledLogLikelihood(params, compileRows(rows));
}

/**
 * Given customers' (x, t_x, T) rows (optionally aggregated with counts), returns the maximum
 * likelihood BG/NBD parameters. Rows with identical (x, t_x, T) are merged first, so a large
 * customer base costs what its distinct rows cost.
 */
export function fitBgNbd(rows: Iterable<FrequencyRecency>): BgNbdFit {
  const data = compileRows(rows);
  if (data.totalWeight === 0) throw new InvalidSummaryError('rows', 'none');

  let repeats = 0;
  let exposure = 0;
  for (let i = 0; i < data.weight.length; i++) {
    repeats += data.weight[i]! * data.xs[data.rowX[i]!]!;
    exposure += data.weight[i]! * data.Ts[data.rowT[i]!]!;
  }
  // r/α is the mean purchase rate, so α is started at the scale of 1/(observed rate) whatever the
  // time unit; r, a and b are unitless and start at a spread of typical values.
  const rate = Math.max(repeats, 1) / Math.max(exposure, 1e-9);
  const starts = [
    [1, 1 / rate, 1, 1],
    [0.25, 0.25 / rate, 0.5, 2],
    [2, 2 / rate, 2, 8],
  ];
  const fit = minimizePositive(
    ([r, alpha, a, b]) => -compiledLogLikelihood({ r: r!, alpha: alpha!, a: a!, b: b! }, data),
    { starts },
  );
  const [r, alpha, a, b] = fit.x as [number, number, number, number];
  return {
    r,
    alpha,
    a,
    b,
    logLikelihood: -fit.value,
    iterations: fit.iterations,
    customers: data.totalWeight,
    converged: fit.converged && !fit.atBound.some(Boolean),
    atBound: BGNBD_PARAMETERS.filter((_, i) => fit.atBound[i]),
  };
}

function validateCustomer(x: number, tx: number, T: number): void {
  validateRow({ x, tx, T });
}

/**
 * Given parameters and a customer's (x, t_x, T), returns P(alive | x, t_x, T) (eq. 13 of the
 * paper's technical appendix); 1 when x = 0, since the model only lets customers drop out right
 * after a purchase.
 */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  validateCustomer(x, tx, T);
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

// Both expectations divide by a - 1 and are 0/0 at a = 1, where they are nonetheless smooth in a:
// within this distance of 1 they are interpolated linearly between the values either side.
const A_NEAR_ONE = 1e-4;

function atAwayFromOne(params: BgNbdParams, evaluate: (p: BgNbdParams) => number): number {
  if (Math.abs(params.a - 1) >= A_NEAR_ONE) return evaluate(params);
  const below = evaluate({ ...params, a: 1 - A_NEAR_ONE });
  const above = evaluate({ ...params, a: 1 + A_NEAR_ONE });
  return below + ((params.a - (1 - A_NEAR_ONE)) / (2 * A_NEAR_ONE)) * (above - below);
}

// 1 - exp(logPower) 2F1(h1, h2; h3; z), through expm1 to keep the digits when the horizon is short
// and the product is close to 1. 2F1 is negative only in the corner a + b < 1 (then h3 < 0).
function oneMinusPowerTimes2F1(logPower: number, h1: number, h2: number, h3: number, z: number): number {
  const hyper = signedLog2F1(h1, h2, h3, z);
  if (hyper.sign > 0) return -Math.expm1(logPower + hyper.log);
  return 1 - hyper.sign * Math.exp(logPower + hyper.log);
}

/**
 * Given parameters, a customer's (x, t_x, T) and a horizon t (all in the fit's time unit), returns
 * E[Y(t) | x, t_x, T], the expected number of purchase days in (T, T + t] (eq. 10 of the paper).
 */
export function expectedPurchases(params: BgNbdParams, x: number, tx: number, T: number, horizon: number): number {
  validateCustomer(x, tx, T);
  if (!(horizon >= 0) || !Number.isFinite(horizon)) throw new InvalidSummaryError('horizon', horizon);
  if (horizon === 0) return 0;
  return atAwayFromOne(params, ({ r, alpha, a, b }) => {
    const logRatio = Math.log(alpha + T) - Math.log(alpha + T + horizon);
    const z = horizon / (alpha + T + horizon);
    const bracket = oneMinusPowerTimes2F1((r + x) * logRatio, r + x, b + x, a + b + x - 1, z);
    const numerator = ((a + b + x - 1) / (a - 1)) * bracket;
    const denominator =
      x > 0 ? 1 + Math.exp(Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))) : 1;
    return numerator / denominator;
  });
}

/**
 * Given parameters and a duration t (in the fit's time unit), returns E[X(t)], the expected number
 * of repeat purchase days in the first t units after a new customer's first purchase (eq. 9).
 */
export function expectedPurchasesNewCustomer(params: BgNbdParams, t: number): number {
  if (!(t >= 0) || !Number.isFinite(t)) throw new InvalidSummaryError('t', t);
  if (t === 0) return 0;
  return atAwayFromOne(params, ({ r, alpha, a, b }) => {
    const bracket = oneMinusPowerTimes2F1(r * (Math.log(alpha) - Math.log(alpha + t)), r, b, a + b - 1, t / (alpha + t));
    return ((a + b - 1) / (a - 1)) * bracket;
  });
}
