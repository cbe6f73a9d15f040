import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsProjection } from '../../lib/metrics/metrics.projection.js';
import { advanceAllRebuilds } from '../../lib/metrics/metrics.rebuild.js';
import { recordOrder, type OrderRecordInput } from '../../lib/orders/index.js';
import { backtest, runPendingPredictionJobs, runScheduledPredictions } from '../../lib/predictions/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, anOrder, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { loadCdnowSample, type RealOrder } from '../fixtures/real-orders.js';
import { describeWithSharedData } from '../fixtures/shared-data.js';

const MODEL = `{ predictionModel { status reason customers repeatCustomers fittedAt parameters { r alpha a b p q gamma } logLikelihood } }`;
const REFRESH = `mutation { predictionsRefresh(input: { idempotencyKey: "refresh-1" }) { job { id status } userErrors { code } } }`;

/** The metrics activity the predictions read is kept by the stream consumer: feed it here. */
async function streamPoller(): Promise<StreamPoller> {
  return startStreamPoller({
    endpoint: process.env.DYNAMODB_ENDPOINT!,
    tableName: process.env.TABLE_NAME!,
    handler: createStreamHandler([metricsProjection]),
    intervalMs: 0,
  });
}

async function drainAll(poller: StreamPoller): Promise<void> {
  for (let round = 0; round < 50 && (await poller.drain()) > 0; round++);
}

/**
 * Loads a history with the orders service, eight at a time: the API path of `orderRecord` is
 * tested elsewhere, and here it would only make the data set slow to load.
 */
async function recordAll(t: TestShop, orders: OrderRecordInput[]): Promise<void> {
  const queue = [...orders];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let order = queue.shift(); order; order = queue.shift()) {
        await recordOrder({ tenantId: t.tenantId, currencyCode: t.shop.currencyCode }, order, t.clock.now());
      }
    }),
  );
}

/**
 * A history import is followed by `metricsRebuild`, which recomputes the activity the predictions
 * read from the orders, customer by customer (much faster here than replaying the stream record
 * by record; the stream path is exercised by the other describe block).
 */
async function rebuildMetrics(t: TestShop): Promise<void> {
  const started = await t.gql(`mutation { metricsRebuild { job { id } userErrors { code message } } }`);
  expect(started.data!.metricsRebuild.userErrors).toEqual([]);
  await advanceAllRebuilds([t.tenantId], t.clock, 600_000);
  const job = await t.gql(`query ($id: ID!) { metricsRebuildJob(id: $id) { status } }`, { id: started.data!.metricsRebuild.job.id });
  expect(job.data!.metricsRebuildJob.status).toBe('SUCCEEDED');
}

const cdnowOrder = (o: RealOrder): OrderRecordInput => ({
  orderId: `cd-${o.orderId}`,
  customer: { externalId: o.customerId },
  placedAt: new Date(o.placedAt + 12 * 3_600_000).toISOString(),
  currencyCode: 'USD',
  subtotal: o.amount,
  discounts: 0,
  shipping: 0,
  tax: 0,
  total: o.amount,
  lineItems: [],
  discountCodes: [],
});

describeWithSharedData('predictions on the CDNOW sample (39-week calibration)', 'cdnow/CDNOW_sample.txt', (file) => {
  let t: TestShop;
  let sampleToMaster: Map<string, string>;
  let calibration: RealOrder[];
  beforeAll(async () => {
    // The fit is as of "now": the shop's clock stands at the end of the paper's calibration period.
    t = await aShop({ currencyCode: 'USD', timeZone: 'UTC', now: '1997-09-30T12:00:00Z' });
    sampleToMaster = new Map(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => line.trim().split(/\s+/))
        .map(([master, sample]) => [String(Number(sample)), master!]),
    );
    calibration = loadCdnowSample(file).filter((o) => o.localDate <= '1997-09-30');
    await recordAll(t, calibration.map(cdnowOrder));
    await rebuildMetrics(t);
  }, 600_000);

  it('fits the published BG/NBD and Gamma-Gamma parameters through predictionsRefresh', async () => {
    const queued = await t.gql(REFRESH);
    const replay = await t.gql(REFRESH);
    await runPendingPredictionJobs(t.tenantId, t.clock);

    const job = await t.gql(`query ($id: ID!) { predictionJob(id: $id) { status processedCustomers totalCustomers } }`, { id: queued.data!.predictionsRefresh.job.id });
    const model = (await t.gql(MODEL)).data!.predictionModel;

    expect(replay.data!.predictionsRefresh.job.id).toBe(queued.data!.predictionsRefresh.job.id);
    expect(job.data!.predictionJob).toEqual({ status: 'COMPLETED', processedCustomers: 2_357, totalCustomers: 2_357 });
    expect(model).toMatchObject({ status: 'OK', reason: null, customers: 2_357, repeatCustomers: 946 });
    const { r, alpha, a, b, p, q, gamma } = model.parameters;
    expect([r, alpha, a, b].map((v: number) => Number(v.toFixed(3)))).toEqual([0.243, 4.414, 0.793, 2.426]);
    expect(Number(model.logLikelihood.toFixed(1))).toBe(-9582.4);
    // Gamma-Gamma runs on cents: p and q are unit-free, gamma scales by 100.
    expect([Number(p.toFixed(2)), Number(q.toFixed(2)), Number((gamma / 100).toFixed(2))]).toEqual([6.25, 3.74, 15.44]);
  });

  it('predicts customer 1516 of the sample as the paper does', async () => {
    const externalId = sampleToMaster.get('1516')!;

    const res = await t.gql(
      `query ($id: String!) { customerByExternalId(externalId: $id) { prediction { status frequency recencyWeeks ageWeeks probabilityAlive expectedPurchases(horizonDays: 364) predictedValue(horizonDays: 364) { amount currencyCode } } } }`,
      { id: externalId },
    );

    const prediction = res.data!.customerByExternalId.prediction;
    expect(prediction).toMatchObject({ status: 'OK', frequency: 26 });
    expect(prediction.recencyWeeks).toBeCloseTo(30.86, 2);
    expect(prediction.ageWeeks).toBeCloseTo(31, 2);
    expect(prediction.expectedPurchases).toBeCloseTo(25.76, 1);
    expect(prediction.probabilityAlive).toBeCloseTo(0.969, 2);
    expect(prediction.predictedValue.currencyCode).toBe('USD');
    expect(prediction.predictedValue.amount).toBeGreaterThan(0);
  });

  it('lists customers by predicted value, highest first, and filters by probability alive', async () => {
    const top = await t.gql(`{ customers(first: 20, sort: PREDICTED_VALUE_DESC) { nodes { prediction { predictedValue { amount } } } pageInfo { hasNextPage } } }`);
    const fading = await t.gql(`{ customers(first: 20, filter: { probabilityAliveBelow: 0.3 }) { nodes { prediction { probabilityAlive } } } }`);

    const values = top.data!.customers.nodes.map((n: any) => n.prediction.predictedValue.amount);
    expect(values).toHaveLength(20);
    expect([...values].sort((x, y) => y - x)).toEqual(values);
    expect(top.data!.customers.pageInfo.hasNextPage).toBe(true);
    expect(fading.data!.customers.nodes.length).toBeGreaterThan(0);
    expect(fading.data!.customers.nodes.every((n: any) => n.prediction.probabilityAlive < 0.3)).toBe(true);
  });

  it('backtests on the shop data exactly as the model library does on the raw file', async () => {
    const res = await t.gql(`{ predictionBacktest(calibrationEnd: "1997-06-30T12:00:00Z") { customers holdoutWeeks r alpha a b rows { frequency customers actualMean predictedMean } } }`);
    const byCustomer = new Map<string, Array<{ at: number; amount: number }>>();
    for (const o of calibration) byCustomer.set(o.customerId, [...(byCustomer.get(o.customerId) ?? []), { at: o.placedAt, amount: o.amount }]);
    const expected = backtest(byCustomer.values(), { calibrationEnd: Date.parse('1997-06-30T12:00:00Z'), holdoutEnd: Date.parse('1997-09-30T12:00:00Z'), unit: 'week', timeZone: 'UTC' });

    const api = res.data!.predictionBacktest;
    expect(api.customers).toBe(2_357);
    expect(api.holdoutWeeks).toBeCloseTo(expected.holdoutLength, 9);
    expect(api.r).toBeCloseTo(expected.model.r, 6);
    expect(api.rows).toHaveLength(expected.rows.length);
    api.rows.forEach((row: any, i: number) => {
      expect(row.frequency).toBe(expected.rows[i]!.x);
      expect(row.customers).toBe(expected.rows[i]!.customers);
      expect(row.actualMean).toBeCloseTo(expected.rows[i]!.actualMean, 9);
      expect(row.predictedMean).toBeCloseTo(expected.rows[i]!.predictedMean, 6);
    });
    // In shape: predictions rise with frequency, as in the paper's figure.
    const predicted = api.rows.map((row: any) => row.predictedMean);
    expect([...predicted].sort((x, y) => x - y)).toEqual(predicted);
  });

});

describe('predictions with too little data', () => {
  let t: TestShop;
  let poller: StreamPoller;
  beforeAll(async () => {
    t = await aShop();
    poller = await streamPoller();
    for (let i = 0; i < 12; i++) {
      await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: `small-${i}` }, placedAt: `2026-01-${String(i + 1).padStart(2, '0')}T10:00:00Z` }) });
    }
    await drainAll(poller);
  });
  afterAll(async () => {
    await poller?.stop();
  });

  it('says NOT_FITTED before any fit', async () => {
    const model = (await t.gql(MODEL)).data!.predictionModel;

    expect(model).toMatchObject({ status: 'NOT_FITTED', parameters: null });
  });

  it('reports INSUFFICIENT_DATA with the reason, and no per-customer numbers', async () => {
    await runScheduledPredictions(t.tenantId, t.clock);

    const model = (await t.gql(MODEL)).data!.predictionModel;
    const customer = await t.gql(`{ customerByExternalId(externalId: "small-1") { churnRisk { level daysSinceLastOrder } prediction { status reason probabilityAlive predictedValue { amount } fallbackChurnRisk { level daysSinceLastOrder } } } }`);

    expect(model).toMatchObject({ status: 'INSUFFICIENT_DATA', customers: 12, parameters: null });
    expect(model.reason).toMatch(/200/);
    const { churnRisk, prediction } = customer.data!.customerByExternalId;
    expect(prediction).toMatchObject({ status: 'INSUFFICIENT_DATA', reason: model.reason, probabilityAlive: null, predictedValue: null });
    expect(churnRisk).not.toBeNull();
    expect(prediction.fallbackChurnRisk).toEqual(churnRisk);
  });

  it('refits at most once a day from the schedule', async () => {
    const before = (await t.gql(MODEL)).data!.predictionModel.fittedAt;
    t.clock.advance(60 * 60_000);

    await runScheduledPredictions(t.tenantId, t.clock);
    const sameDay = (await t.gql(MODEL)).data!.predictionModel.fittedAt;
    t.clock.advance(24 * 60 * 60_000);
    await runScheduledPredictions(t.tenantId, t.clock);
    const nextDay = (await t.gql(MODEL)).data!.predictionModel.fittedAt;

    expect(sameDay).toBe(before);
    expect(nextDay).not.toBe(before);
  });

  it('needs METRICS_READ', async () => {
    const key = await t.keyWith(['CUSTOMERS_READ']);

    const res = await t.gql(MODEL, {}, { authorization: `Bearer ${key}` });

    expect(res.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});
