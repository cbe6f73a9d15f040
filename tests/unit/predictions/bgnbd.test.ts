import { describe, expect, it } from 'vitest';
import {
  bgNbdLogLikelihood,
  distinctRowCount,
  expectedPurchases,
  expectedPurchasesNewCustomer,
  fitBgNbd,
  probabilityAlive,
  type BgNbdParams,
} from '../../../lib/predictions/bgnbd.js';
import { InvalidSummaryError } from '../../../lib/predictions/predictions.errors.js';
import { simulateCustomers } from '../../../lib/predictions/simulate.js';

// The paper's CDNOW estimates with α per day rather than per week.
const cdnowPerDay: BgNbdParams = { r: 0.243, alpha: 30.9, a: 0.793, b: 2.426 };

describe('expectedPurchases', () => {
  // References computed with mpmath's hyp2f1 at 40 digits.
  it.each([
    ['a heavy daily buyer over ten years (z near 1, x = 150)', cdnowPerDay, [150, 700, 710, 3650], 312.48445065957725],
    ['a one-off buyer over a year', cdnowPerDay, [0, 0, 10, 365], 1.2047910982646781],
    ['a customer silent for a year', cdnowPerDay, [3, 20, 400, 30], 0.0012068329313359152],
    ['a = 1.00005, next to the removable singularity at a = 1', { ...cdnowPerDay, a: 1.00005 }, [3, 20, 40, 30], 0.7290295221938455],
    ['a + b < 1, where 2F1 has a negative third parameter', { r: 0.5, alpha: 10, a: 0.3, b: 0.4 }, [0, 0, 5, 20], 0.5055231509638718],
  ] as const)('matches a high-precision reference for %s', (_, params, [x, tx, T, t], expected) => {
    expect(expectedPurchases(params, x, tx, T, t) / expected).toBeCloseTo(1, 8);
  });

  it('equals the unconditional expectation for a customer acquired just now', () => {
    expect(expectedPurchases(cdnowPerDay, 0, 0, 0, 365)).toBeCloseTo(expectedPurchasesNewCustomer(cdnowPerDay, 365), 12);
  });

  it('is 0 over an empty horizon and grows with the horizon', () => {
    expect(expectedPurchases(cdnowPerDay, 2, 30, 60, 0)).toBe(0);
    expect(expectedPurchases(cdnowPerDay, 2, 30, 60, 10)).toBeLessThan(expectedPurchases(cdnowPerDay, 2, 30, 60, 20));
  });

  it('rejects a recency after the age', () => {
    expect(() => expectedPurchases(cdnowPerDay, 2, 61, 60, 10)).toThrow(InvalidSummaryError);
  });
});

describe('expectedPurchasesNewCustomer', () => {
  it('matches the high-precision reference', () => {
    expect(expectedPurchasesNewCustomer(cdnowPerDay, 365) / 1.448541050997489).toBeCloseTo(1, 9);
  });

  it('starts at the mean purchase rate r/α', () => {
    expect(expectedPurchasesNewCustomer(cdnowPerDay, 1e-3) / 1e-3).toBeCloseTo(cdnowPerDay.r / cdnowPerDay.alpha, 5);
  });
});

describe('probabilityAlive', () => {
  it('is 1 without a repeat purchase, since customers only drop out after buying', () => {
    expect(probabilityAlive(cdnowPerDay, 0, 0, 300)).toBe(1);
  });

  it('falls as the silence since the last purchase grows', () => {
    const alive = [40, 100, 300].map((T) => probabilityAlive(cdnowPerDay, 4, 30, T));

    expect(alive[0]).toBeGreaterThan(alive[1]!);
    expect(alive[1]).toBeGreaterThan(alive[2]!);
    expect(alive[2]).toBeGreaterThan(0);
  });
});

describe('bgNbdLogLikelihood', () => {
  it('weights an aggregated row like that many copies of it', () => {
    const rows = [
      { x: 0, tx: 0, T: 30 },
      { x: 2, tx: 10, T: 30 },
      { x: 2, tx: 10, T: 30 },
      { x: 5, tx: 25, T: 38 },
    ];
    const aggregated = [
      { x: 0, tx: 0, T: 30, count: 1 },
      { x: 2, tx: 10, T: 30, count: 2 },
      { x: 5, tx: 25, T: 38, count: 1 },
    ];

    expect(bgNbdLogLikelihood(cdnowPerDay, aggregated)).toBeCloseTo(bgNbdLogLikelihood(cdnowPerDay, rows), 10);
    expect(distinctRowCount(rows)).toBe(3);
  });
});

describe('fitBgNbd', () => {
  it('recovers the parameters of a simulated customer base', { timeout: 30_000 }, () => {
    const truth: BgNbdParams = { r: 0.5, alpha: 20, a: 0.7, b: 3 };
    const base = simulateCustomers(truth, { customers: 10_000, acquisitionDays: 365, unit: 'day', seed: 7, wholeDays: false });

    const fit = fitBgNbd(base);

    expect(fit.converged).toBe(true);
    // The dropout parameters are identified only through the repeat buyers' silences, so at this
    // size their sampling error is about twice that of the purchase-rate parameters.
    const tolerance = { r: 0.1, alpha: 0.1, a: 0.25, b: 0.25 };
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(fit[key] / truth[key] - 1), key).toBeLessThan(tolerance[key]);
    }
  });

  it('returns finite numbers but no convergence when nobody bought twice', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ x: 0, tx: 0, T: 10 + (i % 30) }));

    const fit = fitBgNbd(rows);

    expect(fit.converged).toBe(false);
    expect([fit.r, fit.alpha, fit.a, fit.b, fit.logLikelihood].every(Number.isFinite)).toBe(true);
  });

  it('fits a single customer without throwing, flagging the fit as not converged', () => {
    const fit = fitBgNbd([{ x: 3, tx: 20, T: 30 }]);

    expect(fit.converged).toBe(false);
    expect([fit.r, fit.alpha, fit.a, fit.b].every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    expect(fit.customers).toBe(1);
  });

  it('rejects an empty customer base and invalid rows', () => {
    expect(() => fitBgNbd([])).toThrow(InvalidSummaryError);
    expect(() => fitBgNbd([{ x: 1.5, tx: 1, T: 2 }])).toThrow(InvalidSummaryError);
  });
});
