import { describe, expect, it } from 'vitest';
import {
  assessData,
  fitPredictionModels,
  MIN_CUSTOMERS,
  MIN_REPEAT_BUYERS_FOR_SPEND,
  NEXT_ORDER_MAX_DAYS,
  predictCustomer,
  type PredictionModels,
} from '../../../lib/predictions/clv.js';
import { simulateCustomers } from '../../../lib/predictions/simulate.js';
import type { CustomerSummary } from '../../../lib/predictions/summary.js';

const asOf = new Date('2024-06-30T00:00:00Z');
const aSummary = (overrides: Partial<CustomerSummary> = {}): CustomerSummary => ({
  x: 0,
  tx: 0,
  T: 20,
  meanRepeatValue: null,
  firstPurchaseAt: new Date('2024-02-11T10:00:00Z'),
  asOf,
  ...overrides,
});
const customers = (count: number, repeatBuyers: number, meanRepeatValue = (i: number) => 2000 + 131 * (i % 17)) =>
  Array.from({ length: count }, (_, i) =>
    i < repeatBuyers ? aSummary({ x: 1 + (i % 6), tx: 10, meanRepeatValue: meanRepeatValue(i) }) : aSummary({ T: 5 + (i % 40) }),
  );

const aSimulatedShop = (): CustomerSummary[] =>
  simulateCustomers(
    { r: 0.243, alpha: 30.9, a: 0.793, b: 2.426 },
    { customers: 3_000, acquisitionDays: 365, unit: 'week', seed: 3, spend: { p: 6.25, q: 3.74, gamma: 1544 } },
  ).map((c) => aSummary(c));

// The paper's CDNOW estimates (weekly) and the note's spend model in cents.
const cdnow: PredictionModels = {
  unit: 'week',
  bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 1544 },
};

describe('assessData', () => {
  it.each([
    ['too few customers', customers(MIN_CUSTOMERS - 1, 100), /199 customers; the model needs at least 200/],
    ['no repeat buyer', customers(MIN_CUSTOMERS, 0), /no customer has bought more than once/],
    ['too few repeat buyers for the spend model', customers(300, MIN_REPEAT_BUYERS_FOR_SPEND - 1), /19 repeat buyers/],
    ['repeat buyers without positive value', customers(300, 50, () => 0), /0 repeat buyers with a positive repeat value/],
  ])('reports INSUFFICIENT_DATA for %s', (_, summaries, reason) => {
    const assessment = assessData(summaries);

    expect(assessment.status).toBe('INSUFFICIENT_DATA');
    expect(assessment.status === 'INSUFFICIENT_DATA' && assessment.reason).toMatch(reason);
  });

  it('accepts 200 customers with 20 repeat buyers', () => {
    expect(assessData(customers(MIN_CUSTOMERS, MIN_REPEAT_BUYERS_FOR_SPEND))).toEqual({ status: 'OK' });
  });
});

describe('fitPredictionModels', () => {
  it('passes the assessment’s reason through', () => {
    expect(fitPredictionModels(customers(10, 5), 'week')).toEqual({
      status: 'INSUFFICIENT_DATA',
      reason: '10 customers; the model needs at least 200',
    });
  });

  it('reports INSUFFICIENT_DATA when the spend model runs to a bound instead of a number', { timeout: 30_000 }, () => {
    // Every repeat buyer spends exactly the same: the per-purchase shape p is unbounded.
    const summaries = aSimulatedShop().map((s) => ({ ...s, meanRepeatValue: s.x > 0 ? 2500 : null }));

    const result = fitPredictionModels(summaries, 'week');

    expect(result).toMatchObject({ status: 'INSUFFICIENT_DATA', reason: expect.stringMatching(/^the spend model did not converge to an interior optimum \(.*\bp\b.* on an optimiser bound/) });
    expect(result.status === 'INSUFFICIENT_DATA' && result.atBound).toContain('p');
  });

  it('fits both models on a simulated shop', { timeout: 30_000 }, () => {
    const summaries = aSimulatedShop();

    const result = fitPredictionModels(summaries, 'week');

    expect(result.status).toBe('OK');
    expect(result.status === 'OK' && result.models.unit).toBe('week');
  });
});

describe('predictCustomer', () => {
  it('converts the horizon into the models’ time unit', () => {
    const summary = aSummary({ x: 3, tx: 15, T: 20, meanRepeatValue: 3000 });

    expect(predictCustomer(cdnow, summary, 28).expectedPurchases).toBeCloseTo(
      predictCustomer(cdnow, summary, 4, 'week').expectedPurchases,
      12,
    );
  });

  it('multiplies expected purchases by the expected order value', () => {
    const prediction = predictCustomer(cdnow, aSummary({ x: 3, tx: 15, T: 20, meanRepeatValue: 3000 }), 365);

    expect(prediction.predictedValue).toBeCloseTo(prediction.expectedPurchases * prediction.expectedAverageOrderValue, 9);
    expect(prediction.expectedAverageOrderValue).toBeGreaterThan(3000);
  });

  it('gives a one-off buyer the population order value and a probability alive of 1', () => {
    const prediction = predictCustomer(cdnow, aSummary(), 365);

    expect(prediction.probabilityAlive).toBe(1);
    expect(prediction.expectedAverageOrderValue).toBeCloseTo((6.25 * 1544) / 2.74, 6);
  });

  it('dates the next order at the first day one more purchase is expected', () => {
    const summary = aSummary({ x: 20, tx: 19.5, T: 20, meanRepeatValue: 3000 });

    const prediction = predictCustomer(cdnow, summary, 365);
    const days = (prediction.expectedNextOrderAt!.getTime() - asOf.getTime()) / 86_400_000;

    expect(predictCustomer(cdnow, summary, days).expectedPurchases).toBeGreaterThanOrEqual(1);
    expect(predictCustomer(cdnow, summary, days - 1).expectedPurchases).toBeLessThan(1);
  });

  it('has no next order date for a customer not expected to buy again within a year', () => {
    const prediction = predictCustomer(cdnow, aSummary({ x: 1, tx: 1, T: 60, meanRepeatValue: 3000 }), NEXT_ORDER_MAX_DAYS);

    expect(prediction.expectedPurchases).toBeLessThan(1);
    expect(prediction.expectedNextOrderAt).toBeNull();
  });
});
