import type { BgNbdParams } from './bgnbd.js';
import type { GammaGammaParams } from './gammagamma.js';
import type { TimeUnit } from './summary.js';
import { seededRandom } from '../common/random.js';
export { seededRandom };

/**
 * Synthetic customer bases drawn from the models themselves, for parameter-recovery tests and the
 * fit-time bench: a known truth to recover, at any size. Seeded, so every run draws the same base.
 */

function standardNormal(random: () => number): number {
  // Box–Muller; 1 - u keeps the logarithm's argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Given a generator, a shape k > 0 and a rate, returns a Gamma(k, rate) draw (Marsaglia & Tsang 2000). */
export function gammaDraw(random: () => number, shape: number, rate: number): number {
  if (shape < 1) {
    // Boost the shape above 1 and correct with U^(1/k) (Marsaglia & Tsang, section 6).
    return gammaDraw(random, shape + 1, rate) * Math.pow(1 - random(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = standardNormal(random);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export interface SimulatedCustomer {
  x: number;
  tx: number;
  T: number;
  /** Mean repeat value in minor units, null when x = 0. */
  meanRepeatValue: number | null;
}

export interface SimulationOptions {
  customers: number;
  /** Customers are acquired uniformly over this many days before the as-of date. */
  acquisitionDays: number;
  unit: TimeUnit;
  seed: number;
  /** Spend model in minor units; without it meanRepeatValue is null for everyone. */
  spend?: GammaGammaParams;
  /**
   * Cut purchase times to whole days and merge same-day purchases, as real summaries do (default
   * true). Merging departs slightly from the model, which counts every purchase, so parameter
   * recovery checks turn it off.
   */
  wholeDays?: boolean;
}

/**
 * Given BG/NBD parameters with α expressed per day, returns a simulated customer base as summaries
 * in `unit`: purchase times drawn in continuous time, then (unless `wholeDays` is false) cut to
 * whole days and merged per day like real summaries, so that the number of distinct (x, t_x, T)
 * rows is realistic for that unit.
 */
export function simulateCustomers(perDay: BgNbdParams, options: SimulationOptions): SimulatedCustomer[] {
  const random = seededRandom(options.seed);
  const perUnit = options.unit === 'week' ? 7 : 1;
  const wholeDays = options.wholeDays ?? true;
  const customers: SimulatedCustomer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const ageDays = Math.floor(random() * options.acquisitionDays);
    const lambda = gammaDraw(random, perDay.r, perDay.alpha);
    const pa = gammaDraw(random, perDay.a, 1);
    const dropout = pa / (pa + gammaDraw(random, perDay.b, 1));
    const nu = options.spend ? gammaDraw(random, options.spend.q, options.spend.gamma) : 0;
    let t = 0;
    let lastDay = 0;
    let x = 0;
    let repeatValue = 0;
    for (;;) {
      t += -Math.log(1 - random()) / lambda;
      if (!(t <= ageDays)) break;
      const day = wholeDays ? Math.floor(t) : t;
      const value = options.spend ? gammaDraw(random, options.spend.p, nu) : 0;
      if (day !== lastDay) {
        x++;
        lastDay = day;
      }
      // A second purchase on the same day adds to that day's value; on the first day it is part of
      // the first purchase, which the spend model leaves out.
      if (day !== 0) repeatValue += value;
      if (random() < dropout) break;
    }
    customers.push({
      x,
      tx: lastDay / perUnit,
      T: ageDays / perUnit,
      meanRepeatValue: options.spend && x > 0 ? repeatValue / x : null,
    });
  }
  return customers;
}
