import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../lib/common/random.js';
import { newcombeDifference, twoProportionPValue } from '../../../lib/flows/stats.js';

// A shop simulated with a known answer: each of `entries` customers is held out with probability
// `holdout` (10%, the default), treated ones return with p + δ, held-out ones with p. Over `runs`
// seeded runs the 95% interval must cover δ about 95% of the time and δ = 0 must be called
// significant about 5% of the time. The tolerance is fitted to the runs: 4 binomial standard
// errors, plus the method's own known departure from nominal (Newcombe 1998 reports hybrid-score
// coverage within about a point of 95%).
const runs = 1_000;
const entries = 2_000;
const holdout = 0.1;
const tolerance = 4 * Math.sqrt((0.95 * 0.05) / runs) + 0.01;

function simulate(p: number, delta: number, seed: number) {
  const random = seededRandom(seed);
  let covered = 0;
  let significant = 0;
  for (let run = 0; run < runs; run++) {
    let nT = 0, xT = 0, nH = 0, xH = 0;
    for (let i = 0; i < entries; i++) {
      if (random() < holdout) {
        nH++;
        if (random() < p) xH++;
      } else {
        nT++;
        if (random() < p + delta) xT++;
      }
    }
    const interval = newcombeDifference(xT, nT, xH, nH);
    if (interval.lower <= delta && delta <= interval.upper) covered++;
    if (twoProportionPValue(xT, nT, xH, nH) < 0.05) significant++;
  }
  return { coverage: covered / runs, significantShare: significant / runs };
}

describe('flow report statistics on simulated shops', () => {
  it.each([
    [0.05, 0],
    [0.2, 0],
    [0.1, 0.03],
    [0.3, 0.05],
    [0.08, 0.1],
  ])('covers the true lift in about 95 of 100 runs (p = %s, δ = %s)', (p, delta) => {
    const { coverage, significantShare } = simulate(p, delta, Math.round(p * 1e4) * 31 + Math.round(delta * 1e4));
    console.info(`simulation p=${p} δ=${delta}: coverage ${(coverage * 100).toFixed(1)}%, called significant ${(significantShare * 100).toFixed(1)}%`);

    expect(Math.abs(coverage - 0.95)).toBeLessThan(tolerance);
    if (delta === 0) expect(Math.abs(significantShare - 0.05)).toBeLessThan(tolerance);
  });
});
