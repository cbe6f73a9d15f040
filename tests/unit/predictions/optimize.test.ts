import { describe, expect, it } from 'vitest';
import { minimizePositive, nelderMead } from '../../../lib/predictions/optimize.js';

const rosenbrock = ([x, y]: readonly number[]): number => (1 - x!) ** 2 + 100 * (y! - x! * x!) ** 2;

describe('nelderMead', () => {
  it('finds the minimum of the Rosenbrock valley from the classic start', () => {
    const result = nelderMead(rosenbrock, [-1.2, 1]);

    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
    expect(result.value).toBeLessThan(1e-10);
  });

  it('treats non-finite values as infinitely bad instead of stopping', () => {
    const f = ([x]: readonly number[]): number => (x! < 0 ? Number.NaN : (x! - 2) ** 2);

    const result = nelderMead(f, [0.1]);

    expect(result.x[0]).toBeCloseTo(2, 6);
  });

  it('keeps every point inside the box', () => {
    const seen: number[] = [];
    const f = ([x]: readonly number[]): number => {
      seen.push(x!);
      return (x! - 5) ** 2;
    };

    const result = nelderMead(f, [0], { lower: [-1], upper: [3] });

    expect(result.x[0]).toBeCloseTo(3, 9);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...seen)).toBeLessThanOrEqual(3);
  });

  it('is deterministic', () => {
    expect(nelderMead(rosenbrock, [-1.2, 1])).toEqual(nelderMead(rosenbrock, [-1.2, 1]));
  });
});

describe('minimizePositive', () => {
  it('minimises over positive parameters through their logarithms', () => {
    const f = ([x, y]: readonly number[]): number => (Math.log(x!) - 1) ** 2 + (Math.log(y!) + 2) ** 2 + 7;

    const result = minimizePositive(f, { starts: [[1, 1]] });

    expect(result.x[0]).toBeCloseTo(Math.E, 6);
    expect(result.x[1]).toBeCloseTo(Math.exp(-2), 6);
    expect(result.value).toBeCloseTo(7, 12);
    expect(result.atBound).toEqual([false, false]);
  });

  it('keeps the best of several starts when the function has two basins', () => {
    // Minima at u = ln x = -2 (value 1) and u = 2 (value 0); the first start lies in the worse basin.
    const f = ([x]: readonly number[]): number => {
      const u = Math.log(x!);
      return Math.min((u + 2) ** 2 + 1, (u - 2) ** 2);
    };

    const result = minimizePositive(f, { starts: [[Math.exp(-2.5)], [Math.exp(2.5)]] });

    expect(result.x[0]).toBeCloseTo(Math.exp(2), 5);
  });

  it('reports a parameter whose optimum lies beyond its bound', () => {
    const f = ([x, y]: readonly number[]): number => -Math.log(x!) + (Math.log(y!) - 1) ** 2;

    const result = minimizePositive(f, { starts: [[1, 1]], upper: [100, 1e6] });

    expect(result.x[0]).toBeCloseTo(100, 6);
    expect(result.atBound).toEqual([true, false]);
  });

  it('rejects a non-positive starting point', () => {
    expect(() => minimizePositive(() => 0, { starts: [[1, 0]] })).toThrow(RangeError);
  });
});
