import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { pageFromKeyedItems } from '../db/pagination.js';
import { db } from '../db/service.js';
import { isConditionFailure } from '../idempotency/index.js';
import { listCustomerActivities, revenueOf, type CustomerActivity, type RevenueBasis } from '../metrics/index.js';
import { getShop } from '../shops/index.js';
import { backtest, type BacktestResult } from './backtest.js';
import { fitPredictionModels, predictCustomer, type PredictionModels } from './clv.js';
import {
  valueKeyOf,
  type CustomerPredictionItem,
  type PredictionJobItem,
  type PredictionModelItem,
} from './predictions.entities.js';
import { summarizePurchases, type CustomerSummary, type Purchase, type TimeUnit } from './summary.js';

/** The paper's unit; t_x and T keep day resolution within it. */
export const PREDICTION_UNIT: TimeUnit = 'week';
/** The horizon of the stored (sortable) predicted value. */
export const STORED_HORIZON_DAYS = 365;
/** A RUNNING job whose heartbeat is older than this died with its worker and may be taken over. */
const staleAfterMs = 5 * 60_000;
/** Models older than this are refitted by the daily schedule. */
const refitAfterMs = 24 * 60 * 60_000;

/** Given a customer's activity, returns their counted purchases (revenue on the shop's basis). */
function purchasesOf(activity: CustomerActivity, basis: RevenueBasis): Purchase[] {
  return Object.values(activity.orders)
    .filter((order) => order.status !== 'CANCELLED')
    .map((order) => ({ at: order.placedAt, amount: revenueOf(order, basis) }));
}

/** The models of a stored model item, when it has them. */
export function modelsOf(item: PredictionModelItem | undefined): PredictionModels | undefined {
  if (!item || item.status !== 'OK' || item.r === undefined || item.p === undefined) return undefined;
  return {
    unit: item.timeUnit,
    bgnbd: { r: item.r, alpha: item.alpha!, a: item.a!, b: item.b! },
    gammaGamma: { p: item.p, q: item.q!, gamma: item.gamma! },
  };
}

/** Reads the tenant's current model. */
export async function getPredictionModel(tenantId: string): Promise<PredictionModelItem | undefined> {
  return (await db().entities.predictionModel.get({ tenantId }).go()).data ?? undefined;
}

/** Reads many customers' stored predictions in one batch (the DataLoader's batch function). */
export async function getCustomerPredictions(tenantId: string, customerIds: readonly string[]): Promise<Array<CustomerPredictionItem | undefined>> {
  const { data } = await db().entities.customerPrediction.get([...new Set(customerIds)].map((customerId) => ({ tenantId, customerId }))).go();
  const byId = new Map(data.map((item) => [item.customerId, item]));
  return customerIds.map((id) => byId.get(id));
}

/** Given a stored prediction and the model, returns the prediction at any horizon. */
export function predictionAt(models: PredictionModels, item: CustomerPredictionItem, horizonDays: number) {
  const summary: CustomerSummary = {
    x: item.x,
    tx: item.tx,
    T: item.T,
    meanRepeatValue: item.meanRepeatValue ?? null,
    firstPurchaseAt: new Date(0),
    asOf: new Date(item.asOf),
  };
  return predictCustomer(models, summary, horizonDays, 'day');
}

/** Reads one refresh job. */
export async function getPredictionJob(tenantId: string, jobId: string): Promise<PredictionJobItem | undefined> {
  return (await db().entities.predictionJob.get({ tenantId, jobId }).go({ consistent: true })).data ?? undefined;
}

/** Queues a refresh (idempotent per job id); the worker runs it. */
export async function queuePredictionRefresh(tenantId: string, now: Date, jobId: string = `job_${randomUUID().replace(/-/g, '')}`): Promise<PredictionJobItem> {
  try {
    return (await db().entities.predictionJob.create({ tenantId, jobId, status: 'QUEUED', processedCustomers: 0, createdAt: now.toISOString() }).go()).data;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return (await getPredictionJob(tenantId, jobId))!;
  }
}

/** Claims a job for this worker: QUEUED, or RUNNING with a heartbeat gone stale. */
async function claimJob(job: PredictionJobItem, now: Date): Promise<boolean> {
  const staleBefore = new Date(now.getTime() - staleAfterMs).toISOString();
  try {
    await db()
      .entities.predictionJob.patch({ tenantId: job.tenantId, jobId: job.jobId })
      .set({ status: 'RUNNING', startedAt: now.toISOString(), heartbeatAt: now.toISOString(), processedCustomers: 0 })
      .where((attr, op) => `${op.eq(attr.status, 'QUEUED')} OR (${op.eq(attr.status, 'RUNNING')} AND ${op.lt(attr.heartbeatAt, staleBefore)})`)
      .go();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Reads every customer's activity, fits BG/NBD and Gamma-Gamma on their summaries as of now,
 * and writes the model and each customer's prediction; with too little data, writes the model's
 * INSUFFICIENT_DATA status and reason instead, and no predictions.
 */
export async function refreshPredictions(tenantId: string, clock: Clock, onProgress: (processed: number) => Promise<void> = async () => {}): Promise<PredictionModelItem> {
  const shop = await getShop(tenantId);
  if (!shop) throw new Error(`No shop ${tenantId}`);
  const now = clock.now();
  const rows: Array<{ customerId: string; summary: CustomerSummary }> = [];
  for await (const { customerId, activity } of listCustomerActivities(tenantId)) {
    const summary = summarizePurchases(purchasesOf(activity, shop.revenueBasis), { calibrationEnd: now, unit: PREDICTION_UNIT, timeZone: shop.timeZone });
    if (summary) rows.push({ customerId, summary });
    if (rows.length % 5_000 === 0) await onProgress(rows.length);
  }
  const started = performance.now();
  const fit = fitPredictionModels(rows.map((r) => r.summary), PREDICTION_UNIT);
  const fitMs = Math.round(performance.now() - started);
  const fittedAt = now.toISOString();
  const base = {
    tenantId,
    fittedAt,
    timeUnit: PREDICTION_UNIT,
    customers: rows.length,
    repeatCustomers: rows.filter((r) => r.summary.x > 0).length,
    fitMs,
  };
  if (fit.status !== 'OK') {
    const model = { ...base, status: 'INSUFFICIENT_DATA' as const, reason: fit.reason };
    await db().entities.predictionModel.put(model).go();
    return model;
  }
  // Predictions first, then the model: a reader never sees a model newer than the predictions.
  const items: CustomerPredictionItem[] = rows.map(({ customerId, summary }) => {
    const prediction = predictCustomer(fit.models, summary, STORED_HORIZON_DAYS, 'day');
    return {
      tenantId,
      customerId,
      x: summary.x,
      tx: summary.tx,
      T: summary.T,
      ...(summary.meanRepeatValue !== null ? { meanRepeatValue: summary.meanRepeatValue } : {}),
      asOf: summary.asOf.toISOString(),
      probabilityAlive: prediction.probabilityAlive,
      predictedValue365: prediction.predictedValue,
      valueKey: valueKeyOf(prediction.predictedValue),
      fittedAt,
    };
  });
  for (let i = 0; i < items.length; i += 500) {
    await db().entities.customerPrediction.put(items.slice(i, i + 500)).go({ concurrent: 8 });
    await onProgress(Math.min(items.length, i + 500));
  }
  const { models } = fit;
  const model = {
    ...base,
    status: 'OK' as const,
    ...models.bgnbd,
    ...models.gammaGamma,
    logLikelihood: fit.bgnbd.logLikelihood,
    spendLogLikelihood: fit.gammaGamma.logLikelihood,
  };
  await db().entities.predictionModel.put(model).go();
  return model;
}

/** Runs a tenant's queued (or abandoned) refresh jobs; a job claimed elsewhere is left alone. */
export async function runPendingPredictionJobs(tenantId: string, clock: Clock): Promise<number> {
  const { data: jobs } = await db()
    .entities.predictionJob.query.byTenant({ tenantId })
    .where((attr, op) => `${op.eq(attr.status, 'QUEUED')} OR ${op.eq(attr.status, 'RUNNING')}`)
    .go({ pages: 'all' });
  let ran = 0;
  for (const job of jobs) {
    if (!(await claimJob(job, clock.now()))) continue;
    const key = { tenantId, jobId: job.jobId };
    try {
      const model = await refreshPredictions(tenantId, clock, async (processed) => {
        await db().entities.predictionJob.patch(key).set({ processedCustomers: processed, heartbeatAt: clock.now().toISOString() }).go();
      });
      await db()
        .entities.predictionJob.patch(key)
        .set({ status: 'COMPLETED', processedCustomers: model.customers, totalCustomers: model.customers, finishedAt: clock.now().toISOString() })
        .go();
    } catch (error) {
      await db().entities.predictionJob.patch(key).set({ status: 'FAILED', error: 'The refresh failed; it can be queued again', finishedAt: clock.now().toISOString() }).go();
      throw error;
    }
    ran += 1;
  }
  return ran;
}

/**
 * The scheduled worker's pass over one tenant: queue the daily refit when the model is older than
 * a day (one job per tenant and date, so overlapping runs queue it once), then run what is queued.
 */
export async function runScheduledPredictions(tenantId: string, clock: Clock): Promise<number> {
  const now = clock.now();
  const model = await getPredictionModel(tenantId);
  if (!model || now.getTime() - Date.parse(model.fittedAt) >= refitAfterMs) {
    await queuePredictionRefresh(tenantId, now, `daily-${now.toISOString().slice(0, 10)}`);
  }
  return runPendingPredictionJobs(tenantId, clock);
}

/**
 * Fits the purchase model on the purchases up to `calibrationEnd` and compares predicted with
 * actual repeat purchases up to `holdoutEnd`, by calibration frequency (the paper's table).
 */
export async function backtestPredictions(tenantId: string, calibrationEnd: Date, holdoutEnd: Date): Promise<BacktestResult & { customers: number }> {
  const shop = await getShop(tenantId);
  if (!shop) throw new Error(`No shop ${tenantId}`);
  const customers: Purchase[][] = [];
  for await (const { activity } of listCustomerActivities(tenantId)) customers.push(purchasesOf(activity, shop.revenueBasis));
  const result = backtest(customers, { calibrationEnd, holdoutEnd, unit: PREDICTION_UNIT, timeZone: shop.timeZone });
  return { ...result, customers: result.rows.reduce((sum, row) => sum + row.customers, 0) };
}

/**
 * Lists a tenant's customers by predicted 365-day value, highest first, optionally only those
 * above a value and below a probability of being alive; returns customer ids and the page cursor.
 */
export async function listCustomerIdsByPrediction(args: {
  tenantId: string;
  first: number;
  cursor: string | null;
  predictedValueAbove?: number | null;
  probabilityAliveBelow?: number | null;
}): Promise<{ items: string[]; cursors: string[]; hasNextPage: boolean }> {
  const { tenantId, first, cursor, predictedValueAbove, probabilityAliveBelow } = args;
  const byValue = db().entities.customerPrediction.query.byPredictedValue({ tenantId });
  // Values are indexed in whole minor units: "above X" starts at the next whole unit.
  const ranged = predictedValueAbove === null || predictedValueAbove === undefined ? byValue : byValue.gte({ valueKey: valueKeyOf(Math.floor(predictedValueAbove) + 1) });
  const hasFilter = probabilityAliveBelow !== null && probabilityAliveBelow !== undefined;
  const query = hasFilter ? ranged.where((attr, op) => op.lt(attr.probabilityAlive, probabilityAliveBelow)) : ranged;
  // Unfiltered pages are one request (Limit); a filter keeps reading until `first` match.
  const result = await query.go({ cursor, order: 'desc', data: 'includeKeys', ...(hasFilter ? { count: first } : { limit: first }) });
  const page = pageFromKeyedItems<CustomerPredictionItem>(result.data as Array<Record<string, unknown>>, 'gsi2', result.cursor);
  return { items: page.items.map((item) => item.customerId), cursors: page.cursors, hasNextPage: page.hasNextPage };
}
