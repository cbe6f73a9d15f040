import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { pageFromKeyedItems } from '../db/pagination.js';
import { db } from '../db/service.js';
import { isConditionFailure } from '../idempotency/index.js';
import { countCustomerActivities, listCustomerActivities, metricsStateVersion, revenueOf, type CustomerActivity, type RevenueBasis } from '../metrics/index.js';
import { getShop } from '../shops/index.js';
import { backtest, type BacktestResult } from './backtest.js';
import { MIN_CUSTOMERS, predictCustomer, type PredictionModels } from './clv.js';
import { valueKeyOf, type CustomerPredictionItem, type PredictionJobItem, type PredictionModelItem } from './predictions.entities.js';
import { PREDICTION_UNIT, predictionSnapshot } from './snapshot.js';
import type { CustomerSummary, Purchase } from './summary.js';

export { PREDICTION_UNIT, STORED_HORIZON_DAYS } from './snapshot.js';
/** A RUNNING job whose heartbeat is older than this died with its worker and may be taken over. */
const staleAfterMs = 5 * 60_000;
/** Models older than this are refitted by the daily schedule. */
const refitAfterMs = 24 * 60 * 60_000;
/** A model fitted on too few customers is refitted as soon as the shop has this many (at most once per interval). */
const growthCheckAfterMs = 60_000;
/** How long after a growth refit the schedule keeps watching for the customers to double again. */
const growthFollowMs = 60 * 60_000;
/** Customer predictions are written (and an old generation deleted) in batches of this many. */
const WRITE_BATCH = 500;

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

/** Reads many customers' stored predictions of one generation in one batch (the DataLoader's batch function). */
export async function getCustomerPredictions(tenantId: string, generation: string, customerIds: readonly string[]): Promise<Array<CustomerPredictionItem | undefined>> {
  const { data } = await db().entities.customerPrediction.get([...new Set(customerIds)].map((customerId) => ({ tenantId, generation, customerId }))).go();
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

/** Queues a refresh (idempotent per job id), as of `asOf` or else the clock when it runs; the worker runs it. */
export async function queuePredictionRefresh(
  tenantId: string,
  now: Date,
  jobId: string = `job_${randomUUID().replace(/-/g, '')}`,
  asOf?: Date,
): Promise<PredictionJobItem> {
  try {
    return (
      await db()
        .entities.predictionJob.create({ tenantId, jobId, status: 'QUEUED', processedCustomers: 0, createdAt: now.toISOString(), ...(asOf ? { asOf: asOf.toISOString() } : {}) })
        .go()
    ).data;
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
 * Reads every customer's activity, fits BG/NBD and Gamma-Gamma on their summaries as of `asOf`
 * (default: the clock) and writes each customer's prediction into a new generation, then the
 * model, which points readers at that generation, then deletes the previous generation. A refresh
 * that fails part-way leaves the current model and predictions as they were. With too little data
 * the model records INSUFFICIENT_DATA and its reason, and no predictions.
 */
export async function refreshPredictions(
  tenantId: string,
  clock: Clock,
  onProgress: (processed: number) => Promise<void> = async () => {},
  options: { asOf?: Date; generation?: string } = {},
): Promise<PredictionModelItem> {
  const shop = await getShop(tenantId);
  if (!shop) throw new Error(`No shop ${tenantId}`);
  const now = clock.now();
  const stateVersion = await metricsStateVersion(tenantId);
  const customers: Array<{ customerId: string; purchases: Purchase[] }> = [];
  for await (const { customerId, activity } of listCustomerActivities(tenantId)) {
    customers.push({ customerId, purchases: purchasesOf(activity, shop.revenueBasis) });
    if (customers.length % 5_000 === 0) await onProgress(customers.length);
  }
  const generation = options.generation ?? `gen_${randomUUID().replace(/-/g, '')}`;
  const { model: fitted, predictions } = predictionSnapshot({
    tenantId,
    customers,
    asOf: options.asOf ?? now,
    asOfRequested: options.asOf !== undefined,
    timeZone: shop.timeZone,
    generation,
    fittedAt: now,
  });
  const model = { ...fitted, metricsStateVersion: stateVersion };
  const previous = await getPredictionModel(tenantId);
  try {
    for (let i = 0; i < predictions.length; i += WRITE_BATCH) {
      await db().entities.customerPrediction.put(predictions.slice(i, i + WRITE_BATCH)).go({ concurrent: 8 });
      await onProgress(Math.min(predictions.length, i + WRITE_BATCH));
    }
  } catch (error) {
    // Nobody reads this generation yet: take back what was written, then report the cause.
    await deletePredictionGeneration(tenantId, generation).catch(() => undefined);
    throw error;
  }
  // The switch: one item put, after every prediction of the generation is in.
  await db().entities.predictionModel.put(model).go();
  if (previous?.generation && previous.generation !== model.generation) await deletePredictionGeneration(tenantId, previous.generation);
  return model;
}

/** Deletes one generation of a tenant's customer predictions (no reader points at it). */
async function deletePredictionGeneration(tenantId: string, generation: string): Promise<void> {
  let cursor: string | null = null;
  do {
    const page: { data: Array<{ customerId: string }>; cursor: string | null } = await db()
      .entities.customerPrediction.query.byPredictedValue({ tenantId, generation })
      .go({ cursor, limit: WRITE_BATCH, attributes: ['tenantId', 'generation', 'customerId'] });
    if (page.data.length > 0) await db().entities.customerPrediction.delete(page.data.map(({ customerId }) => ({ tenantId, generation, customerId }))).go({ concurrent: 8 });
    cursor = page.cursor;
  } while (cursor);
}

/**
 * The job's error: what failed, without stack or internals a caller cannot act on (DynamoDB's
 * validation messages name the value's problem, e.g. "Number underflow").
 */
function refreshFailure(error: unknown): string {
  const cause = error instanceof Error ? error.message : String(error);
  return `The refresh failed: ${cause.replace(/\s+/g, ' ').slice(0, 300)}. It can be queued again.`;
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
      const model = await refreshPredictions(
        tenantId,
        clock,
        async (processed) => {
          await db().entities.predictionJob.patch(key).set({ processedCustomers: processed, heartbeatAt: clock.now().toISOString() }).go();
        },
        { ...(job.asOf ? { asOf: new Date(job.asOf) } : {}), generation: job.jobId },
      );
      await db()
        .entities.predictionJob.patch(key)
        .set({ status: 'COMPLETED', processedCustomers: model.customers, totalCustomers: model.customers, finishedAt: clock.now().toISOString() })
        .go();
    } catch (error) {
      await db().entities.predictionJob.patch(key).set({ status: 'FAILED', error: refreshFailure(error), finishedAt: clock.now().toISOString() }).go();
      throw error;
    }
    ran += 1;
  }
  return ran;
}

/**
 * Why the schedule should refit now, or null: no model yet; the model is a day old; a metrics
 * rebuild finished since the fit; the fit had too few customers and the shop now has enough (an
 * import); or, within an hour of such a fit, the customers have doubled since (the import went on). A model fitted as of a requested date is left alone until the next refresh asked
 * for without one.
 */
async function refitReason(tenantId: string, model: PredictionModelItem | undefined, now: Date): Promise<string | null> {
  if (!model) return 'first';
  if (model.asOfRequested) return null;
  const age = now.getTime() - Date.parse(model.fittedAt);
  if (age >= refitAfterMs) return `daily-${now.toISOString().slice(0, 10)}`;
  const version = await metricsStateVersion(tenantId);
  if (model.metricsStateVersion !== undefined && version !== model.metricsStateVersion) return `rebuilt-${version}`;
  if (age < growthCheckAfterMs) return null;
  if (model.status !== 'OK' && model.customers < MIN_CUSTOMERS) {
    if ((await countCustomerActivities(tenantId, MIN_CUSTOMERS)) >= MIN_CUSTOMERS) return `grown-${model.fittedAt}`;
  }
  // A fit made because the shop grew was likely made while an import was still arriving: for an
  // hour after it, refit each time the customers have doubled (a count of at most 2x keys).
  if (model.generation?.startsWith('grown-') && age < growthFollowMs) {
    const target = 2 * model.customers;
    if ((await countCustomerActivities(tenantId, target)) >= target) return `grown-${model.fittedAt}`;
  }
  return null;
}

/**
 * The scheduled worker's pass over one tenant: queue a refit when `refitReason` gives one (one job
 * per reason, so overlapping runs queue it once), then run what is queued.
 */
export async function runScheduledPredictions(tenantId: string, clock: Clock): Promise<number> {
  const now = clock.now();
  const reason = await refitReason(tenantId, await getPredictionModel(tenantId), now);
  if (reason) await queuePredictionRefresh(tenantId, now, reason === 'first' ? `daily-${now.toISOString().slice(0, 10)}` : reason);
  return runPendingPredictionJobs(tenantId, clock);
}

/**
 * Fits the purchase model on the purchases up to `calibrationEnd` and compares predicted with
 * actual repeat purchases up to `holdoutEnd`, by calibration frequency (the paper's table).
 */
export async function backtestPredictions(
  tenantId: string,
  calibrationEnd: Date,
  holdoutEnd: Date | null,
): Promise<BacktestResult & { customers: number; holdoutEnd: Date; holdoutEndSource: 'REQUESTED' | 'CALIBRATION_LENGTH' | 'DATA_END' }> {
  const shop = await getShop(tenantId);
  if (!shop) throw new Error(`No shop ${tenantId}`);
  const customers: Purchase[][] = [];
  for await (const { activity } of listCustomerActivities(tenantId)) customers.push(purchasesOf(activity, shop.revenueBasis));
  const chosen = holdoutEnd ? { holdoutEnd, holdoutEndSource: 'REQUESTED' as const } : defaultHoldoutEnd(customers, calibrationEnd);
  if (!(chosen.holdoutEnd > calibrationEnd)) throw new HoldoutError('the data ends before calibrationEnd: there is no holdout to compare with');
  const result = backtest(customers, { calibrationEnd, holdoutEnd: chosen.holdoutEnd, unit: PREDICTION_UNIT, timeZone: shop.timeZone });
  return { ...result, ...chosen, customers: result.rows.reduce((sum, row) => sum + row.customers, 0) };
}

/** A backtest that cannot run on this data (a caller's choice of dates). */
export class HoldoutError extends Error {}

/**
 * Without a holdoutEnd, the holdout is as long as the calibration period (first purchase to
 * calibrationEnd), cut at the last purchase in the data when that comes first: never "now",
 * which for an imported history would be years of weeks with no data.
 */
export function defaultHoldoutEnd(customers: readonly (readonly Purchase[])[], calibrationEnd: Date): { holdoutEnd: Date; holdoutEndSource: 'CALIBRATION_LENGTH' | 'DATA_END' } {
  let first = Infinity;
  let last = -Infinity;
  for (const purchases of customers) {
    for (const { at } of purchases) {
      const ms = typeof at === 'number' ? at : at.getTime();
      if (ms < first) first = ms;
      if (ms > last) last = ms;
    }
  }
  const sameLength = calibrationEnd.getTime() + Math.max(0, calibrationEnd.getTime() - first);
  return sameLength <= last ? { holdoutEnd: new Date(sameLength), holdoutEndSource: 'CALIBRATION_LENGTH' } : { holdoutEnd: new Date(Number.isFinite(last) ? last : calibrationEnd.getTime()), holdoutEndSource: 'DATA_END' };
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
  // Only the current generation: a refresh in progress (or one that failed) is invisible.
  const generation = (await getPredictionModel(tenantId))?.generation;
  if (!generation) return { items: [], cursors: [], hasNextPage: false };
  const byValue = db().entities.customerPrediction.query.byPredictedValue({ tenantId, generation });
  // Values are indexed in whole minor units: "above X" starts at the next whole unit.
  const ranged = predictedValueAbove === null || predictedValueAbove === undefined ? byValue : byValue.gte({ valueKey: valueKeyOf(Math.floor(predictedValueAbove) + 1) });
  const hasFilter = probabilityAliveBelow !== null && probabilityAliveBelow !== undefined;
  const query = hasFilter ? ranged.where((attr, op) => op.lt(attr.probabilityAlive, probabilityAliveBelow)) : ranged;
  // Unfiltered pages are one request (Limit); a filter keeps reading until `first` match.
  const result = await query.go({ cursor, order: 'desc', data: 'includeKeys', ...(hasFilter ? { count: first } : { limit: first }) });
  const page = pageFromKeyedItems<CustomerPredictionItem>(result.data as Array<Record<string, unknown>>, 'gsi2', result.cursor);
  return { items: page.items.map((item) => item.customerId), cursors: page.cursors, hasNextPage: page.hasNextPage };
}
