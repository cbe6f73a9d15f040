import { describe, expect, it } from 'vitest';
import {
  expectedAverageValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  type GammaGammaParams,
} from '../../../lib/predictions/gammagamma.js';
import { InvalidSummaryError, UndefinedExpectationError } from '../../../lib/predictions/predictions.errors.js';
import { gammaDraw, seededRandom } from '../../../lib/predictions/simulate.js';

// The note's CDNOW estimates, γ in cents.
const cdnowCents: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 1544 };

describe('expectedAverageValue', () => {
  it('is the population mean pγ/(q-1) without a repeat purchase', () => {
    expect(expectedAverageValue(cdnowCents, 0, null)).toBeCloseTo((6.25 * 1544) / 2.74, 9);
  });

  it.each([1, 3, 10, 50])('weights the population mean against m_x with x = %i repeats', (x) => {
    const mx = 5000;
    const weight = (cdnowCents.q - 1) / (cdnowCents.p * x + cdnowCents.q - 1);

    const expected = weight * expectedAverageValue(cdnowCents, 0, null) + (1 - weight) * mx;

    expect(expectedAverageValue(cdnowCents, x, mx)).toBeCloseTo(expected, 8);
  });

  it('refuses a population mean the parameters leave infinite', () => {
    expect(() => expectedAverageValue({ p: 2, q: 0.9, gamma: 10 }, 0, null)).toThrow(UndefinedExpectationError);
  });
});

describe('gammaGammaLogLikelihood', () => {
  it('shifts by n ln 100, and γ scales by 100, when values go from dollars to cents', () => {
    const dollars = [
      { x: 1, mx: 20.5 },
      { x: 4, mx: 33.1 },
      { x: 9, mx: 41 },
    ];
    const cents = dollars.map(({ x, mx }) => ({ x, mx: mx * 100 }));
    const inDollars = { ...cdnowCents, gamma: cdnowCents.gamma / 100 };

    const difference = gammaGammaLogLikelihood(inDollars, dollars) - gammaGammaLogLikelihood(cdnowCents, cents);

    expect(difference).toBeCloseTo(3 * Math.log(100), 10);
  });
});

describe('fitGammaGamma', () => {
  it('recovers the parameters of simulated spend', { timeout: 30_000 }, () => {
    const random = seededRandom(11);
    const rows = Array.from({ length: 5_000 }, (_, i) => {
      const x = 1 + (i % 10);
      const nu = gammaDraw(random, cdnowCents.q, cdnowCents.gamma);
      let total = 0;
      for (let k = 0; k < x; k++) total += gammaDraw(random, cdnowCents.p, nu);
      return { x, mx: total / x };
    });

    const fit = fitGammaGamma(rows);

    expect(fit.converged).toBe(true);
    for (const key of ['p', 'q', 'gamma'] as const) {
      expect(Math.abs(fit[key] / cdnowCents[key] - 1), key).toBeLessThan(0.15);
    }
  });

  it('skips customers without repeat value and counts only the ones it used', () => {
    const rows = [
      { x: 0, mx: null },
      { x: 2, mx: 0 },
      ...Array.from({ length: 50 }, (_, i) => ({ x: 1 + (i % 5), mx: 1000 + 97 * ((i * 37) % 50) })),
    ];

    expect(fitGammaGamma(rows).customers).toBe(50);
  });

  it('rejects a base with no repeat buyer', () => {
    expect(() => fitGammaGamma([{ x: 0, mx: null }])).toThrow(InvalidSummaryError);
  });
});
