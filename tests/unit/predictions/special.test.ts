import { describe, expect, it } from 'vitest';
import { HypergeometricConvergenceError, lgamma, log2F1, logAddExp, signedLog2F1 } from '../../../lib/predictions/special.js';

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

describe('lgamma', () => {
  it.each([1, 2, 3, 5, 10, 20])('matches ln((n-1)!) at n = %i', (n) => {
    expect(lgamma(n)).toBeCloseTo(Math.log(factorial(n - 1)), 12);
  });

  it.each([
    [0.5, 0.5 * Math.log(Math.PI)],
    [1.5, Math.log(Math.sqrt(Math.PI) / 2)],
    [100, 359.1342053695754],
  ])('matches the closed form at %d', (x, expected) => {
    expect(lgamma(x)).toBeCloseTo(expected, 12);
  });

  it('uses the reflection formula below 1/2, returning ln|Γ(x)|', () => {
    // Γ(-1/2) = -2√π
    expect(lgamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 12);
    expect(lgamma(1e-8)).toBeCloseTo(-Math.log(1e-8) - 0.5772156649015329e-8, 12);
  });

  it('agrees with Stirling’s series for large arguments', () => {
    const x = 1e6;
    const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x);
    expect(Math.abs(lgamma(x) - stirling) / stirling).toBeLessThan(1e-14);
  });

  it('is infinite at the poles', () => {
    expect(lgamma(0)).toBe(Number.POSITIVE_INFINITY);
    expect(lgamma(-3)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('logAddExp', () => {
  it('adds in log space without overflow', () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(Number.NEGATIVE_INFINITY, -5)).toBe(-5);
  });
});

describe('log2F1', () => {
  it.each([0.1, 0.5, 0.9, 0.999])('matches -ln(1-z)/z for 2F1(1, 1; 2; z) at z = %d', (z) => {
    expect(Math.exp(log2F1(1, 1, 2, z))).toBeCloseTo(-Math.log1p(-z) / z, 12);
  });

  it('matches arcsin(z)/z for 2F1(1/2, 1/2; 3/2; z²)', () => {
    const z = 0.8;
    expect(Math.exp(log2F1(0.5, 0.5, 1.5, z * z))).toBeCloseTo(Math.asin(z) / z, 12);
  });

  it('stays finite where the value itself overflows a double', () => {
    // 2F1(a, b; b; z) = (1 - z)^(-a); here about 10^1000.
    const a = 500;
    expect(log2F1(a, 3.7, 3.7, 0.99)).toBeCloseTo(-a * Math.log(0.01), 8);
  });

  it('agrees with Euler’s transformation for large parameters and z near 1 (daily units, long horizons)', () => {
    // 2F1(a, b; c; z) = (1 - z)^(c-a-b) 2F1(c-a, c-b; c; z), the right side a short, tame series.
    const [a, b, c, z] = [200.2, 202.4, 202.2, 0.995];
    const transformed = signedLog2F1(c - a, c - b, c, z);
    expect(transformed.sign).toBe(1);
    expect(log2F1(a, b, c, z)).toBeCloseTo((c - a - b) * Math.log(1 - z) + transformed.log, 9);
  });

  it('is 0 at z = 0 and rejects arguments outside its domain', () => {
    expect(log2F1(2, 3, 4, 0)).toBe(0);
    expect(() => log2F1(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => log2F1(-1, 1, 2, 0.5)).toThrow(RangeError);
  });

  it('throws a convergence error rather than return a truncated sum', () => {
    expect(() => log2F1(1, 1, 2, 1 - 1e-9)).toThrow(HypergeometricConvergenceError);
  });
});

describe('signedLog2F1', () => {
  it('handles a negative c, where the series changes sign', () => {
    // A terminating series: 2F1(-2, 1; -1/2; z) = 1 + 4z - 8z².
    const z = 0.9;
    const expected = 1 + 4 * z - 8 * z * z;
    const result = signedLog2F1(-2, 1, -0.5, z);
    expect(result.sign).toBe(-1);
    expect(result.sign * Math.exp(result.log)).toBeCloseTo(expected, 12);
  });
});
