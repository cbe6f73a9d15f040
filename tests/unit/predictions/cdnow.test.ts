import { dirname, join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { backtest } from '../../../lib/predictions/backtest.js';
import { expectedPurchases, fitBgNbd, probabilityAlive, type BgNbdFit } from '../../../lib/predictions/bgnbd.js';
import { fitPredictionModels, predictCustomer } from '../../../lib/predictions/clv.js';
import { fitGammaGamma, type GammaGammaFit } from '../../../lib/predictions/gammagamma.js';
import { summarizePurchases, type CustomerSummary, type Purchase } from '../../../lib/predictions/summary.js';
import { describeWithSharedData } from '../../fixtures/shared-data.js';
import { CDNOW_CALIBRATION_END, CDNOW_HOLDOUT_END, loadCdnowSample, loadCdnowSummaries } from './cdnow.js';

describeWithSharedData('predictive CLV on the CDNOW sample (Fader, Hardie & Lee 2005)', 'cdnow/CDNOW_sample.txt', (file) => {
  let customers: Map<number, Purchase[]>;
  let summaries: Map<number, CustomerSummary>;
  let bgnbd: BgNbdFit;
  let spend: GammaGammaFit;

  beforeAll(() => {
    customers = loadCdnowSample(file);
    summaries = new Map(
      [...customers].map(([id, purchases]) => [
        id,
        summarizePurchases(purchases, { calibrationEnd: CDNOW_CALIBRATION_END, unit: 'week' })!,
      ]),
    );
    bgnbd = fitBgNbd(summaries.values());
    spend = fitGammaGamma([...summaries.values()].map((s) => ({ x: s.x, mx: s.meanRepeatValue })));
  }, 60_000);

  it('reproduces the published (x, t_x, T) of every customer, T counted in whole days to 1997-09-30', () => {
    const published = loadCdnowSummaries(join(dirname(file), 'cdnow_customers_summary.csv'));
    const round = (weeks: number): number => Math.round(weeks * 100) / 100;

    const ours = published.map(({ id }) => {
      const s = summaries.get(id)!;
      return { id, x: s.x, tx: round(s.tx), T: round(s.T) };
    });

    expect(published).toHaveLength(2357);
    expect(ours).toEqual(published);
  });

  it('fits the published BG/NBD parameters and log-likelihood', () => {
    expect(bgnbd.converged).toBe(true);
    expect(bgnbd.customers).toBe(2357);
    expect({
      r: bgnbd.r.toFixed(3),
      alpha: bgnbd.alpha.toFixed(3),
      a: bgnbd.a.toFixed(3),
      b: bgnbd.b.toFixed(3),
      logLikelihood: bgnbd.logLikelihood.toFixed(1),
    }).toEqual({ r: '0.243', alpha: '4.414', a: '0.793', b: '2.426', logLikelihood: '-9582.4' });
  });

  it('fits the published Gamma-Gamma parameters on the 946 repeat buyers, γ in dollars = γ in cents / 100', () => {
    expect(spend.converged).toBe(true);
    expect(spend.customers).toBe(946);
    expect({ p: spend.p.toFixed(2), q: spend.q.toFixed(2), gammaInDollars: (spend.gamma / 100).toFixed(2) }).toEqual({
      p: '6.25',
      q: '3.74',
      gammaInDollars: '15.44',
    });
  });

  it('gives the published log-likelihood of the spend model when fitted in dollars', { timeout: 30_000 }, () => {
    const inDollars = fitGammaGamma(
      [...summaries.values()].map((s) => ({ x: s.x, mx: s.meanRepeatValue === null ? null : s.meanRepeatValue / 100 })),
    );

    // -4055.9177 is CLVTools' correctness check for this note; in cents it is 946 × ln 100 lower.
    expect(inDollars.logLikelihood).toBeCloseTo(-4055.9177, 3);
    expect(spend.logLikelihood).toBeCloseTo(-4055.9177 - 946 * Math.log(100), 3);
    expect(inDollars.gamma).toBeCloseTo(spend.gamma / 100, 4);
  });

  it('predicts the known values for customer 1516', () => {
    const summary = summaries.get(1516)!;

    expect(summary.x).toBe(26);
    expect(summary.tx).toBeCloseTo(30.86, 2);
    expect(summary.T).toBe(31);
    expect(expectedPurchases(bgnbd, summary.x, summary.tx, summary.T, 52)).toBeCloseTo(25.76, 2);
    expect(probabilityAlive(bgnbd, summary.x, summary.tx, summary.T)).toBeCloseTo(0.969, 3);
  });

  it('predicts customer 1516 through the CLV API with a horizon in days', { timeout: 30_000 }, () => {
    const fit = fitPredictionModels([...summaries.values()], 'week');
    if (fit.status !== 'OK') throw new Error(fit.reason);
    const summary = summaries.get(1516)!;

    const prediction = predictCustomer(fit.models, summary, 364);

    expect(prediction.expectedPurchases).toBeCloseTo(25.76, 2);
    expect(prediction.probabilityAlive).toBeCloseTo(0.969, 3);
    expect(prediction.predictedValue).toBeCloseTo(prediction.expectedPurchases * prediction.expectedAverageOrderValue, 6);
    // About one purchase day every 1.4 weeks: the next one is expected within two weeks.
    expect(prediction.expectedNextOrderAt!.getTime()).toBeGreaterThan(CDNOW_CALIBRATION_END.getTime());
    expect(prediction.expectedNextOrderAt!.getTime()).toBeLessThanOrEqual(Date.UTC(1997, 9, 14));
  });

  it('tracks the holdout purchases of each calibration frequency group (the paper’s Figure 5)', { timeout: 30_000 }, () => {
    const result = backtest(customers.values(), {
      calibrationEnd: CDNOW_CALIBRATION_END,
      holdoutEnd: CDNOW_HOLDOUT_END,
      unit: 'week',
    });

    expect(result.holdoutLength).toBe(39);
    expect(result.rows.map((row) => row.x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(result.rows.map((row) => row.customers)).toEqual([1411, 439, 214, 100, 62, 38, 29, 64]);
    // The observed means of the paper's figure, a check on the holdout counting itself.
    expect(result.rows.map((row) => Number(row.actualMean.toFixed(2)))).toEqual([0.24, 0.7, 1.39, 1.56, 2.53, 2.95, 3.86, 6.36]);
    // BG/NBD under-predicts the 1- and 2-repeat groups of CDNOW by about a quarter (0.52 vs 0.70,
    // 1.04 vs 1.39); every group is within 30% of its actual mean, and the predictions rise with x.
    for (const row of result.rows) {
      expect(Math.abs(row.predictedMean - row.actualMean) / row.actualMean).toBeLessThan(0.3);
    }
    const predicted = result.rows.map((row) => row.predictedMean);
    expect(predicted).toEqual([...predicted].sort((p, q) => p - q));
  });

  it('backtests spend with the Gamma-Gamma model fitted on the calibration period, group by group', { timeout: 30_000 }, () => {
    const result = backtest(customers.values(), { calibrationEnd: CDNOW_CALIBRATION_END, holdoutEnd: CDNOW_HOLDOUT_END, unit: 'week' });

    // The calibration period is the paper's, so the spend model is the published one.
    expect(result.spend.status).toBe('OK');
    const model = result.spend.model!;
    expect({ p: model.p.toFixed(2), q: model.q.toFixed(2), gammaInDollars: (model.gamma / 100).toFixed(2) }).toEqual({ p: '6.25', q: '3.74', gammaInDollars: '15.44' });
    expect(result.model.atBound).toEqual([]);
    // Actual spend straight from the file: the holdout purchases of the calibrated customers.
    const holdoutCents = [...customers.values()]
      .filter((purchases) => purchases.some((p) => Number(p.at) <= CDNOW_CALIBRATION_END.getTime()))
      .flatMap((purchases) => purchases.filter((p) => Number(p.at) > CDNOW_CALIBRATION_END.getTime() && Number(p.at) <= CDNOW_HOLDOUT_END.getTime()))
      .reduce((sum, p) => sum + p.amount, 0);
    expect(result.rows.reduce((sum, row) => sum + row.actualSpendMean * row.customers, 0)).toBeCloseTo(holdoutCents, 6);
    // Like the purchase counts, spend is under-predicted for the 1- and 2-repeat groups; within 40% everywhere, rising with x.
    for (const row of result.rows) expect(Math.abs(row.predictedSpendMean! - row.actualSpendMean) / row.actualSpendMean).toBeLessThan(0.4);
    const predicted = result.rows.map((row) => row.predictedSpendMean!);
    expect(predicted).toEqual([...predicted].sort((p, q) => p - q));
  });
});
