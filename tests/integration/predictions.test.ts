import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { db } from '../../lib/db/service.js';
import { metricsProjection } from '../../lib/metrics/metrics.projection.js';
import { advanceAllRebuilds } from '../../lib/metrics/metrics.rebuild.js';
import { recordOrder, type OrderRecordInput } from '../../lib/orders/index.js';
import { backtest, fitPredictionModels, predictCustomer, runPendingPredictionJobs, runScheduledPredictions, summarizePurchases } from '../../lib/predictions/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { startStreamPoller, type StreamPoller } from '../../scripts/local/stream-poller.js';
import { aShop, anOrder, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { loadCdnowSample, loadOnlineRetail, type RealOrder } from '../fixtures/real-orders.js';
import { describeWithSharedData } from '../fixtures/shared-data.js';

const MODEL = `{ predictionModel { status reason customers repeatCustomers fittedAt asOf asOfRequested atBound parameters { r alpha a b p q gamma } logLikelihood } }`;
const REFRESH = `mutation { predictionsRefresh(input: { idempotencyKey: "refresh-1" }) { job { id status } userErrors { code } } }`;
const REFRESH_AS_OF = `mutation ($asOf: DateTime!) { predictionsRefresh(input: { idempotencyKey: "refresh-as-of", asOf: $asOf }) { job { id status asOf } userErrors { code field message } } }`;

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

/**
 * The fit sorts its input rows, so the service (customers in storage order) and the library
 * (customers in file order) compute the same floating-point sums: the same digits, up to the JSON
 * round trip.
 */
function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

// First: each block's stream poller reads this file's table from its start, so the small shop's
// block, run after the real-data ones, would replay every one of their records.
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

  it('refits once a metrics rebuild has finished, without waiting a day', async () => {
    t.clock.advance(60 * 60_000);
    const before = (await t.gql(MODEL)).data!.predictionModel.fittedAt;
    await runScheduledPredictions(t.tenantId, t.clock);
    const unchanged = (await t.gql(MODEL)).data!.predictionModel.fittedAt;

    await rebuildMetrics(t);
    await runScheduledPredictions(t.tenantId, t.clock);

    expect(unchanged).toBe(before);
    expect((await t.gql(MODEL)).data!.predictionModel.fittedAt).toBe(t.clock.now().toISOString());
  });

  it('refits as soon as an import brings the shop to 200 customers', async () => {
    const more = Array.from({ length: 190 }, (_, i) => anOrder({ customer: { externalId: `grown-${i}` }, placedAt: `2026-02-${String((i % 27) + 1).padStart(2, '0')}T10:00:00Z` }));
    await recordAll(t, more as OrderRecordInput[]);
    await drainAll(poller);
    t.clock.advance(2 * 60_000);

    await runScheduledPredictions(t.tenantId, t.clock);
    const model = (await t.gql(MODEL)).data!.predictionModel;

    expect(model).toMatchObject({ customers: 202, fittedAt: t.clock.now().toISOString() });
  });

  it('needs METRICS_READ', async () => {
    const key = await t.keyWith(['CUSTOMERS_READ']);

    const res = await t.gql(MODEL, {}, { authorization: `Bearer ${key}` });

    expect(res.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

/**
 * The published CDNOW values are checked on the whole sample in tests/unit/predictions (the same
 * fit code). Here a tenth of the sample goes through the whole system (orders, metrics activity,
 * refresh job, stored predictions, API) and must give exactly what the model library gives on the
 * raw file for the same customers: loading the whole sample through DynamoDB Local takes minutes.
 */
describeWithSharedData('predictions through the API on CDNOW customers (39-week calibration)', 'cdnow/CDNOW_sample.txt', (file) => {
  const calibrationEnd = new Date('1997-09-30T12:00:00Z');
  let t: TestShop;
  let masterOf1516: string;
  let calibration: RealOrder[];
  let purchases: Map<string, Array<{ at: number; amount: number }>>;
  let allPurchases: Map<string, Array<{ at: number; amount: number }>>;
  beforeAll(async () => {
    // The shop holds the whole history and its clock stands long after it: the fit is as of `asOf`.
    t = await aShop({ currencyCode: 'USD', timeZone: 'UTC', now: '2026-12-03T12:00:00Z' });
    const sampleToMaster = new Map(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => line.trim().split(/\s+/))
        .map(([master, sample]) => [String(Number(sample)), master!]),
    );
    masterOf1516 = sampleToMaster.get('1516')!;
    const subset = loadCdnowSample(file).filter((o) => o.customerId.endsWith('3') || o.customerId === masterOf1516);
    calibration = subset.filter((o) => o.localDate <= '1997-09-30');
    purchases = new Map();
    allPurchases = new Map();
    for (const o of calibration) purchases.set(o.customerId, [...(purchases.get(o.customerId) ?? []), { at: o.placedAt, amount: o.amount }]);
    for (const o of subset) allPurchases.set(o.customerId, [...(allPurchases.get(o.customerId) ?? []), { at: o.placedAt, amount: o.amount }]);
    await recordAll(t, subset.map(cdnowOrder));
    await rebuildMetrics(t);
  }, 600_000);

  it('refuses an asOf in the future', async () => {
    const res = await t.gql(REFRESH_AS_OF, { asOf: '2027-01-01T00:00:00Z' });

    expect(res.data!.predictionsRefresh).toMatchObject({ job: null, userErrors: [{ code: 'INVALID', field: ['input', 'asOf'] }] });
  });

  it('fits through predictionsRefresh as of 1997-09-30 exactly what the library fits on the raw purchases up to then', async () => {
    const summaries = [...purchases.values()].map((p) => summarizePurchases(p, { calibrationEnd, unit: 'week', timeZone: 'UTC' })!);
    const expected = fitPredictionModels(summaries, 'week');

    const queued = await t.gql(REFRESH_AS_OF, { asOf: calibrationEnd.toISOString() });
    const replay = await t.gql(REFRESH_AS_OF, { asOf: calibrationEnd.toISOString() });
    await runPendingPredictionJobs(t.tenantId, t.clock);
    const job = await t.gql(`query ($id: ID!) { predictionJob(id: $id) { status asOf processedCustomers totalCustomers } }`, { id: queued.data!.predictionsRefresh.job.id });
    const model = (await t.gql(MODEL)).data!.predictionModel;

    expect(expected.status).toBe('OK');
    if (expected.status !== 'OK') return;
    expect(replay.data!.predictionsRefresh.job.id).toBe(queued.data!.predictionsRefresh.job.id);
    expect(job.data!.predictionJob).toEqual({ status: 'COMPLETED', asOf: '1997-09-30T12:00:00.000Z', processedCustomers: purchases.size, totalCustomers: purchases.size });
    expect(model).toMatchObject({ status: 'OK', reason: null, asOf: '1997-09-30T12:00:00.000Z', asOfRequested: true, atBound: [], customers: purchases.size, repeatCustomers: summaries.filter((s) => s.x > 0).length });
    expect(model.fittedAt).toBe('2026-12-03T12:00:00.000Z');
    const { bgnbd, gammaGamma } = expected.models;
    for (const [name, value] of Object.entries({ ...bgnbd, ...gammaGamma })) expectClose(model.parameters[name], value);
    expectClose(model.logLikelihood, expected.bgnbd.logLikelihood);
  });

  it('predicts customer 1516 of the sample as the library does', async () => {
    const summary = summarizePurchases(purchases.get(masterOf1516)!, { calibrationEnd, unit: 'week', timeZone: 'UTC' })!;
    const fit = fitPredictionModels([...purchases.values()].map((p) => summarizePurchases(p, { calibrationEnd, unit: 'week', timeZone: 'UTC' })!), 'week');
    if (fit.status !== 'OK') throw new Error('fit');
    const expected = predictCustomer(fit.models, summary, 364, 'day');

    const res = await t.gql(
      `query ($id: String!) { customerByExternalId(externalId: $id) { prediction { status frequency recencyWeeks ageWeeks probabilityAlive expectedPurchases(horizonDays: 364) predictedValue(horizonDays: 364) { amount currencyCode } } } }`,
      { id: masterOf1516 },
    );

    const prediction = res.data!.customerByExternalId.prediction;
    expect(prediction).toMatchObject({ status: 'OK', frequency: 26 });
    expect(prediction.recencyWeeks).toBeCloseTo(30.86, 2);
    expect(prediction.ageWeeks).toBeCloseTo(31, 2);
    expectClose(prediction.expectedPurchases, expected.expectedPurchases);
    expectClose(prediction.probabilityAlive, expected.probabilityAlive);
    expect(prediction.predictedValue.currencyCode).toBe('USD');
    expect(Math.abs(prediction.predictedValue.amount - expected.predictedValue)).toBeLessThanOrEqual(1);
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

  it('keeps a model fitted as of a requested date through the daily schedule', async () => {
    t.clock.advance(25 * 60 * 60_000);
    await runScheduledPredictions(t.tenantId, t.clock);
    const model = (await t.gql(MODEL)).data!.predictionModel;
    t.clock.advance(-25 * 60 * 60_000);

    expect(model).toMatchObject({ asOf: '1997-09-30T12:00:00.000Z', fittedAt: '2026-12-03T12:00:00.000Z' });
  });

  const BACKTEST = `query ($holdoutEnd: DateTime) { predictionBacktest(calibrationEnd: "1997-06-30T12:00:00Z", holdoutEnd: $holdoutEnd) {
    customers holdoutEnd holdoutEndSource holdoutWeeks r alpha a b converged atBound
    spend { status p q gamma atBound }
    rows { frequency customers actualMean predictedMean actualSpendMean predictedSpendMean } } }`;

  it('backtests on the shop data exactly as the model library does on the raw file', async () => {
    const res = await t.gql(BACKTEST, { holdoutEnd: calibrationEnd.toISOString() });
    const expected = backtest(allPurchases.values(), { calibrationEnd: Date.parse('1997-06-30T12:00:00Z'), holdoutEnd: calibrationEnd, unit: 'week', timeZone: 'UTC' });

    const api = res.data!.predictionBacktest;
    expect(api).toMatchObject({ holdoutEndSource: 'REQUESTED', converged: true, atBound: [], spend: { status: expected.spend.status, atBound: [] } });
    expect(api.customers).toBe(expected.rows.reduce((sum, row) => sum + row.customers, 0));
    expect(api.holdoutWeeks).toBe(expected.holdoutLength);
    // The same digits: the fit and the group sums no longer depend on the order customers are read in.
    expect(api.r).toBe(expected.model.r);
    expect(api.spend.p).toBe(expected.spend.model!.p);
    expect(api.rows).toEqual(
      expected.rows.map((row) => ({ frequency: row.x, customers: row.customers, actualMean: row.actualMean, predictedMean: row.predictedMean, actualSpendMean: row.actualSpendMean, predictedSpendMean: row.predictedSpendMean })),
    );
  });

  it('defaults the holdout to the calibration length, never to now, and says so', async () => {
    const res = await t.gql(BACKTEST, {});

    // From the first purchase in the data (recorded at noon) to calibrationEnd, and as long again after it.
    const first = Math.min(...[...allPurchases.values()].flat().map((p) => p.at)) + 12 * 3_600_000;
    const calibrationMs = Date.parse('1997-06-30T12:00:00Z') - first;
    const api = res.data!.predictionBacktest;
    expect(api).toMatchObject({ holdoutEndSource: 'CALIBRATION_LENGTH', holdoutEnd: new Date(Date.parse('1997-06-30T12:00:00Z') + calibrationMs).toISOString() });
    expect(api.holdoutWeeks).toBe(Math.round(calibrationMs / 86_400_000) / 7);
  });
});

/**
 * Online Retail as of today: the customers long gone have P(alive) far below DynamoDB's smallest
 * number. A deterministic subset (customer ids ending in 01 to 51, which has 14911, and 12748:
 * 255 customers, above the model's minimum of 200) goes
 * through DynamoDB; the whole file goes through the same code in memory (tests/unit/predictions).
 */
describeWithSharedData('predictions on Online Retail customers as of 2026-12-03', 'online_retail/online_retail.csv.gz', (file) => {
  let t: TestShop;
  let customers: number;
  const TOP = `{ customers(first: 30, sort: PREDICTED_VALUE_DESC) { nodes { externalId prediction { probabilityAlive predictedValue { amount } } } } }`;
  beforeAll(async () => {
    t = await aShop({ currencyCode: 'GBP', timeZone: 'Europe/London', now: '2026-12-03T12:00:00Z' });
    const subset = loadOnlineRetail(file).orders.filter((o) => (o.customerId.endsWith('1') && Number(o.customerId.at(-2)) < 6) || o.customerId === '12748');
    customers = new Set(subset.map((o) => o.customerId)).size;
    await recordAll(
      t,
      subset.map((o) => ({ ...cdnowOrder(o), orderId: o.orderId, placedAt: new Date(o.placedAt).toISOString(), currencyCode: 'GBP' })),
    );
    await rebuildMetrics(t);
  }, 600_000);

  it('refreshes, storing P(alive) 0 where it is below what DynamoDB can hold', async () => {
    const queued = await t.gql(REFRESH);
    await runPendingPredictionJobs(t.tenantId, t.clock);
    const job = await t.gql(`query ($id: ID!) { predictionJob(id: $id) { status error totalCustomers } }`, { id: queued.data!.predictionsRefresh.job.id });
    const gone = await t.gql(`{ a: customerByExternalId(externalId: "14911") { prediction { status probabilityAlive } } b: customerByExternalId(externalId: "12748") { prediction { status probabilityAlive } } }`);

    expect(job.data!.predictionJob).toEqual({ status: 'COMPLETED', error: null, totalCustomers: customers });
    expect(gone.data).toEqual({ a: { prediction: { status: 'OK', probabilityAlive: 0 } }, b: { prediction: { status: 'OK', probabilityAlive: 0 } } });
  });

  it('leaves the current predictions in place when a refresh fails part-way, and says why it failed', async () => {
    const before = await t.gql(TOP);
    const modelBefore = (await t.gql(MODEL)).data!.predictionModel;
    const entity = db().entities.customerPrediction;
    const put = entity.put.bind(entity);
    // The first batch is written, then the table refuses a number (as it did before the clamp).
    const spy = vi.spyOn(entity, 'put').mockImplementation(((items: any) => {
      const request = put(items);
      return { go: async (options: any) => { await request.go(options); throw new Error('ValidationException: Number underflow. Attempting to store a number with magnitude smaller than supported range'); } };
    }) as never);
    t.clock.advance(60_000);
    const queued = await t.gql(`mutation { predictionsRefresh(input: { idempotencyKey: "refresh-failing" }) { job { id } } }`);
    try {
      await expect(runPendingPredictionJobs(t.tenantId, t.clock)).rejects.toThrow(/Number underflow/);
    } finally {
      spy.mockRestore();
    }
    const job = await t.gql(`query ($id: ID!) { predictionJob(id: $id) { status error } }`, { id: queued.data!.predictionsRefresh.job.id });
    const orphans = await db().entities.customerPrediction.query.byPredictedValue({ tenantId: t.tenantId, generation: queued.data!.predictionsRefresh.job.id }).go({ pages: 'all' });

    expect(job.data!.predictionJob.status).toBe('FAILED');
    expect(job.data!.predictionJob.error).toMatch(/^The refresh failed: .*Number underflow/);
    expect((await t.gql(MODEL)).data!.predictionModel).toEqual(modelBefore);
    expect((await t.gql(TOP)).data).toEqual(before.data);
    expect(orphans.data).toEqual([]);
  });
});

