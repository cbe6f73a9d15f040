/**
 * Derivative-free minimisation for the model fits: Nelder–Mead, run on the logarithms of positive
 * parameters from several starting points. The likelihood surfaces of BG/NBD and Gamma-Gamma are
 * smooth but have long flat ridges (the shape and scale of a gamma mixing distribution trade off
 * against each other), where a single simplex run can stop early; restarting from the best point
 * with a fresh simplex is the classic remedy and costs little. Everything is deterministic.
 */

export interface NelderMeadOptions {
  /** Edge length of the initial simplex along each axis (default 0.5). */
  initialStep?: number;
  /** Stop when the spread of values in the simplex is below this, relative to 1 + |best| (default 1e-12). */
  fTolerance?: number;
  /** ...and every vertex is within this distance of the best one, per coordinate (default 1e-9). */
  xTolerance?: number;
  /** Iteration budget of one run (default 2,000; a 4-parameter fit converges in a few hundred). */
  maxIterations?: number;
  /** Box constraints, applied by clamping every proposed point. */
  lower?: readonly number[];
  upper?: readonly number[];
}

export interface MinimizeResult {
  x: number[];
  value: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

// The textbook coefficients (Nelder & Mead 1965; Lagarias et al. 1998): reflection, expansion,
// contraction, shrink.
const REFLECT = 1;
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

/**
 * Given f and a starting point, returns the lowest point Nelder–Mead finds, with its value and
 * whether the tolerances were met before the iteration budget ran out. Non-finite values of f
 * count as +Infinity, so f may simply fail outside its domain.
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  options: NelderMeadOptions = {},
): MinimizeResult {
  const n = x0.length;
  const step = options.initialStep ?? 0.5;
  const fTolerance = options.fTolerance ?? 1e-12;
  const xTolerance = options.xTolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 2_000;
  const { lower, upper } = options;

  let evaluations = 0;
  const clamp = (x: number[]): number[] => {
    if (lower || upper) {
      for (let i = 0; i < n; i++) {
        const lo = lower?.[i] ?? Number.NEGATIVE_INFINITY;
        const hi = upper?.[i] ?? Number.POSITIVE_INFINITY;
        x[i] = Math.min(hi, Math.max(lo, x[i]!));
      }
    }
    return x;
  };
  const evaluate = (x: readonly number[]): number => {
    evaluations++;
    const value = f(x);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };

  const points: number[][] = [clamp([...x0])];
  for (let i = 0; i < n; i++) {
    const vertex = [...x0];
    vertex[i] = vertex[i]! + step;
    // A vertex clamped back onto x0 would make the simplex degenerate from the start.
    clamp(vertex);
    if (vertex[i] === points[0]![i]) vertex[i] = vertex[i]! - 2 * step;
    points.push(clamp(vertex));
  }
  const values = points.map(evaluate);
  const order = points.map((_, i) => i);

  const combine = (from: readonly number[], to: readonly number[], t: number): number[] =>
    clamp(from.map((v, i) => v + t * (v - to[i]!)));

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    order.sort((i, j) => values[i]! - values[j]!);
    const best = order[0]!;
    const worst = order[n]!;
    const secondWorst = order[n - 1]!;
    const fBest = values[best]!;

    let spread = 0;
    for (const i of order) {
      for (let k = 0; k < n; k++) spread = Math.max(spread, Math.abs(points[i]![k]! - points[best]![k]!));
    }
    if (values[worst]! - fBest <= fTolerance * (1 + Math.abs(fBest)) && spread <= xTolerance) {
      converged = true;
      break;
    }
    iterations++;

    const centroid = new Array<number>(n).fill(0);
    for (let r = 0; r < n; r++) {
      const p = points[order[r]!]!;
      for (let k = 0; k < n; k++) centroid[k]! += p[k]! / n;
    }
    const worstPoint = points[worst]!;

    // combine(c, w, t) = c + t (c - w): t = 1 reflects, 2 expands, -1/2 contracts inside.
    const reflected = combine(centroid, worstPoint, REFLECT);
    const fReflected = evaluate(reflected);
    if (fReflected < fBest) {
      const expanded = combine(centroid, worstPoint, EXPAND);
      const fExpanded = evaluate(expanded);
      if (fExpanded < fReflected) {
        points[worst] = expanded;
        values[worst] = fExpanded;
      } else {
        points[worst] = reflected;
        values[worst] = fReflected;
      }
      continue;
    }
    if (fReflected < values[secondWorst]!) {
      points[worst] = reflected;
      values[worst] = fReflected;
      continue;
    }
    const outside = fReflected < values[worst]!;
    const contracted = combine(centroid, worstPoint, outside ? REFLECT * CONTRACT : -CONTRACT);
    const fContracted = evaluate(contracted);
    if (outside ? fContracted <= fReflected : fContracted < values[worst]!) {
      points[worst] = contracted;
      values[worst] = fContracted;
      continue;
    }
    const bestPoint = points[best]!;
    for (const i of order.slice(1)) {
      points[i] = clamp(points[i]!.map((v, k) => bestPoint[k]! + SHRINK * (v - bestPoint[k]!)));
      values[i] = evaluate(points[i]!);
    }
  }

  order.sort((i, j) => values[i]! - values[j]!);
  return { x: points[order[0]!]!, value: values[order[0]!]!, iterations, evaluations, converged };
}

export interface PositiveMinimizeOptions {
  /** Starting points in the natural (positive) parametrisation; at least one. */
  starts: readonly (readonly number[])[];
  /** Positive bounds per parameter (default 1e-8 and 1e8). */
  lower?: readonly number[];
  upper?: readonly number[];
  fTolerance?: number;
  xTolerance?: number;
  maxIterations?: number;
  /** How many times to restart from the best point with a fresh simplex (default 4). */
  polishRounds?: number;
}

export interface PositiveMinimizeResult extends MinimizeResult {
  /** Per parameter: whether the optimum sits on (within a factor of 50 of) a bound, i.e. the data did not pin it down. */
  atBound: boolean[];
}

const DEFAULT_LOWER = 1e-8;
const DEFAULT_UPPER = 1e8;
// A likelihood whose supremum lies at a bound is flat out there, so the simplex stops wherever the
// improvements fall below the tolerance, typically short of the bound itself: within a factor of 50
// of a bound counts as on it.
const AT_BOUND_LOG_MARGIN = Math.log(50);

/**
 * Given f over positive parameters and starting points, returns the best minimum found by
 * Nelder–Mead on ln(parameters) from each start, followed by restarts from the best point until a
 * restart no longer improves it. Bounds are enforced by clamping in log space; `atBound` reports
 * which parameters ended on one. `converged` is true when the last run met the tolerances.
 */
export function minimizePositive(
  f: (params: readonly number[]) => number,
  options: PositiveMinimizeOptions,
): PositiveMinimizeResult {
  const first = options.starts[0];
  if (!first) throw new RangeError('minimizePositive needs at least one starting point');
  const n = first.length;
  const lower = Array.from({ length: n }, (_, i) => Math.log(options.lower?.[i] ?? DEFAULT_LOWER));
  const upper = Array.from({ length: n }, (_, i) => Math.log(options.upper?.[i] ?? DEFAULT_UPPER));
  const fTolerance = options.fTolerance ?? 1e-12;
  const nm: NelderMeadOptions = {
    fTolerance,
    xTolerance: options.xTolerance ?? 1e-9,
    maxIterations: options.maxIterations ?? 2_000,
    lower,
    upper,
  };
  const g = (y: readonly number[]): number => f(y.map(Math.exp));
  const boundFlags = (y: readonly number[]): boolean[] =>
    y.map((v, i) => v <= lower[i]! + AT_BOUND_LOG_MARGIN || v >= upper[i]! - AT_BOUND_LOG_MARGIN);
  const isAtBound = (y: readonly number[]): boolean => boundFlags(y).some(Boolean);

  let best: MinimizeResult | undefined;
  let iterations = 0;
  let evaluations = 0;
  for (const start of options.starts) {
    if (start.length !== n || start.some((v) => !(v > 0))) {
      throw new RangeError(`starting points must be ${n} positive numbers, got [${start.join(', ')}]`);
    }
    const run = nelderMead(g, start.map(Math.log), nm);
    iterations += run.iterations;
    evaluations += run.evaluations;
    if (!best || run.value < best.value) best = run;
  }
  let result = best!;
  for (let round = 0; round < (options.polishRounds ?? 4); round++) {
    const run = nelderMead(g, result.x, { ...nm, initialStep: 0.1 });
    iterations += run.iterations;
    evaluations += run.evaluations;
    const improved = result.value - run.value > fTolerance * (1 + Math.abs(result.value));
    if (run.value <= result.value) result = run;
    // On a ridge running out to a bound every restart creeps a little further: the answer (a
    // parameter the data cannot pin down) is already known.
    if (!improved || isAtBound(result.x)) break;
  }
  return {
    x: result.x.map(Math.exp),
    value: result.value,
    iterations,
    evaluations,
    converged: result.converged,
    atBound: boundFlags(result.x),
  };
}
