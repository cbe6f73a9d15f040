import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

const service = 'retention';

/**
 * The tenant's fitted models (one item per tenant), or why there are none. It is also the pointer
 * to the current generation of customer predictions: a refresh writes a new generation and then
 * this item, so readers never see a half-written refresh.
 */
export const PredictionModelEntity = new Entity({
  model: { entity: 'predictionModel', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    status: { type: ['OK', 'INSUFFICIENT_DATA'] as const, required: true },
    reason: { type: 'string' },
    fittedAt: { type: 'string', required: true },
    /** The date the fit (and every stored prediction) is as of: the clock, or the refresh's `asOf`. */
    asOf: { type: 'string' },
    /** True when `asOf` was asked for: the schedule then leaves the model alone. */
    asOfRequested: { type: 'boolean' },
    /** The generation of customer predictions this model goes with; absent without predictions. */
    generation: { type: 'string' },
    /** Parameters the last fit left on an optimiser bound (why it is INSUFFICIENT_DATA). */
    atBound: { type: 'list', items: { type: 'string' } },
    /** The metrics state version the fit read (a rebuild finishing moves it, and the schedule refits). */
    metricsStateVersion: { type: 'number' },
    timeUnit: { type: ['day', 'week'] as const, required: true },
    customers: { type: 'number', required: true },
    repeatCustomers: { type: 'number', required: true },
    r: { type: 'number' },
    alpha: { type: 'number' },
    a: { type: 'number' },
    b: { type: 'number' },
    p: { type: 'number' },
    q: { type: 'number' },
    gamma: { type: 'number' },
    logLikelihood: { type: 'number' },
    spendLogLikelihood: { type: 'number' },
    fitMs: { type: 'number' },
  },
  indexes: {
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

/** A refresh of the models: queued by `predictionsRefresh` or the daily schedule, run by the worker. */
export const PredictionJobEntity = new Entity({
  model: { entity: 'predictionJob', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    jobId: { type: 'string', required: true, readOnly: true },
    status: { type: ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED'] as const, required: true },
    processedCustomers: { type: 'number', required: true, default: 0 },
    totalCustomers: { type: 'number' },
    createdAt: { type: 'string', required: true, readOnly: true },
    /** The date to fit as of; absent: the clock when the job runs. */
    asOf: { type: 'string', readOnly: true },
    startedAt: { type: 'string' },
    /** Moves while a worker runs the job; a RUNNING job whose heartbeat is old is taken over. */
    heartbeatAt: { type: 'string' },
    finishedAt: { type: 'string' },
    error: { type: 'string' },
  },
  indexes: {
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: ['jobId'], casing: 'none' },
    },
  },
});

/**
 * One customer's summary at a fit (x, t_x, T, mean repeat value) and the 365-day predictions
 * derived from it, in that fit's generation. Other horizons are computed on read from the summary
 * and the model. `valueKey` orders the index by predicted value within a generation. Numbers are
 * stored as DynamoDB can hold them (`storableNumber`: magnitudes below 1e-100 as 0).
 */
export const CustomerPredictionEntity = new Entity({
  model: { entity: 'customerPrediction', version: '2', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    generation: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    x: { type: 'number', required: true },
    tx: { type: 'number', required: true },
    T: { type: 'number', required: true },
    meanRepeatValue: { type: 'number' },
    asOf: { type: 'string', required: true },
    probabilityAlive: { type: 'number', required: true },
    predictedValue365: { type: 'number', required: true },
    valueKey: { type: 'string', required: true },
    fittedAt: { type: 'string', required: true },
  },
  indexes: {
    byCustomer: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: ['generation'], casing: 'none' },
    },
    byPredictedValue: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'generation'], casing: 'none' },
      sk: { field: 'gsi2sk', composite: ['valueKey', 'customerId'], casing: 'none' },
    },
  },
});

export type PredictionModelItem = EntityItem<typeof PredictionModelEntity>;
export type PredictionJobItem = EntityItem<typeof PredictionJobEntity>;
export type CustomerPredictionItem = EntityItem<typeof CustomerPredictionEntity>;

/** Predicted value (minor units) as a fixed-width string, so the index sorts by value. */
export function valueKeyOf(predictedValue: number): string {
  return String(Math.max(0, Math.min(999_999_999_999, Math.round(predictedValue)))).padStart(12, '0');
}

/**
 * DynamoDB holds no number of magnitude below 1e-130 (the write fails with "Number underflow"),
 * and a P(alive) of 6e-154 is an honest result for a customer long gone. Magnitudes below 1e-100
 * are stored as 0: nothing read from a prediction distinguishes them from 0. Non-finite numbers
 * are a bug upstream and are refused here with the field's name.
 */
export const STORED_NUMBER_FLOOR = 1e-100;

export function storableNumber(field: string, value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`${field} is not a finite number: ${value}`);
  return Math.abs(value) < STORED_NUMBER_FLOOR ? 0 : value;
}

declare module '../db/registry.js' {
  interface EntityRegistry {
    customerPrediction: typeof CustomerPredictionEntity;
    predictionJob: typeof PredictionJobEntity;
    predictionModel: typeof PredictionModelEntity;
  }
}

registerEntities({ customerPrediction: CustomerPredictionEntity, predictionJob: PredictionJobEntity, predictionModel: PredictionModelEntity });
