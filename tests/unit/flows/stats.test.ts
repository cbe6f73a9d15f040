import { describe, expect, it } from 'vitest';
import { newcombeDifference, sampleSizeForPower, twoProportionPValue, welchDifference, wilsonInterval } from '../../../lib/flows/stats.js';

describe('newcombeDifference', () => {
  // Newcombe (1998), "Interval estimation for the difference between independent proportions:
  // comparison of eleven methods", Statistics in Medicine 17:873–890, table II, method 10.
  it.each([
    ['(a)', 56, 70, 48, 80, 0.0524, 0.3339],
    ['(b)', 9, 10, 3, 10, 0.1705, 0.809],
    ['(c)', 6, 7, 2, 7, 0.0582, 0.8062],
    ['(d)', 5, 56, 0, 29, -0.0381, 0.1926],
    ['(e)', 0, 10, 0, 20, -0.1611, 0.2775],
    ['(f)', 10, 10, 0, 20, 0.6791, 1],
  ])('matches table II example %s: %i/%i − %i/%i', (_, x1, n1, x2, n2, lower, upper) => {
    const result = newcombeDifference(x1, n1, x2, n2);

    expect(result.difference).toBeCloseTo(x1 / n1 - x2 / n2, 10);
    expect(result.lower).toBeCloseTo(lower, 4);
    expect(result.upper).toBeCloseTo(upper, 4);
  });
});

describe('wilsonInterval', () => {
  // Newcombe (1998b), "Two-sided confidence intervals for the single proportion", table I, method 3: 81/263.
  it('matches the single-proportion worked example 81/263', () => {
    const result = wilsonInterval(81, 263);

    expect(result.lower).toBeCloseTo(0.2553, 4);
    expect(result.upper).toBeCloseTo(0.3662, 4);
  });
});

describe('twoProportionPValue', () => {
  it('gives the textbook pooled z-test for 56/70 vs 48/80', () => {
    // pooled 104/150; z = 0.2 / sqrt(p(1−p)(1/70+1/80)) = 2.6502…; two-sided p = 0.00805…
    expect(twoProportionPValue(56, 70, 48, 80)).toBeCloseTo(0.00805, 4);
  });

  it('is 1 when a group is empty or nothing varies', () => {
    expect(twoProportionPValue(0, 0, 3, 10)).toBe(1);
    expect(twoProportionPValue(0, 10, 0, 20)).toBe(1);
  });
});

describe('welchDifference', () => {
  it('matches a hand-computed Welch interval from sums', () => {
    // Group a: 1,2,3,4,5 (mean 3, var 2.5); group b: 2,4,6 (mean 4, var 4).
    // se² = 0.5 + 4/3; df = se⁴ / (0.25/4 + (16/9)/2) = 3.3611…/0.95139 = 3.5328…; t(0.975, 3.53) ≈ 2.9176
    const result = welchDifference({ n: 5, sum: 15, sumOfSquares: 55 }, { n: 3, sum: 12, sumOfSquares: 56 });

    expect(result.difference).toBe(-1);
    expect(result.degreesOfFreedom).toBeCloseTo(3.5328, 3);
    const half = (result.upper - result.lower) / 2;
    expect(half / Math.sqrt(0.5 + 4 / 3)).toBeCloseTo(2.92, 1);
  });

  it('collapses to the point when a group has fewer than two values', () => {
    expect(welchDifference({ n: 1, sum: 10, sumOfSquares: 100 }, { n: 4, sum: 8, sumOfSquares: 20 })).toEqual({ difference: 8, lower: 8, upper: 8, degreesOfFreedom: null });
  });
});

describe('sampleSizeForPower', () => {
  it('matches the classic 0.60 vs 0.75 example (≈ 152 per group, equal groups)', () => {
    // Fleiss without continuity correction: n = (1.96·√(2·0.675·0.325) + 0.8416·√(0.24+0.1875))² / 0.15² = 151.2…
    expect(sampleSizeForPower(0.75, 0.6, 1)).toEqual({ first: 152, second: 152 });
  });

  it('is null for equal rates', () => {
    expect(sampleSizeForPower(0.2, 0.2, 1)).toBeNull();
  });
});
